/** DepthwiseConv2dNativeBackpropFilter (NHWC): dW of depthwiseConv2d on the addon (native/src/depthwise.cc). */
import {
  backend_util, DepthwiseConv2dNativeBackpropFilter, type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropFilterInputs, type KernelConfig, type KernelFunc, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { convGeometry, rank4, sameShape, type Shape4 } from './conv_util.js';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

export function depthwiseConv2dNativeBackpropFilter(
  args: KernelArgs<DepthwiseConv2dNativeBackpropFilterInputs, DepthwiseConv2dNativeBackpropFilterAttrs>,
): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const fallback = () => cpuKernel(DepthwiseConv2dNativeBackpropFilter)(args as never) as TensorInfo;
  if (!allF32(x, dy) || !rank4(x, dy) || filterShape.length !== 4 || x.shape[3] !== filterShape[2]) return fallback();
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, filterShape as Shape4, strides, dilations ?? 1, pad, dimRoundingMode, true);
  if (!sameShape(dy.shape, info.outShape)) return fallback();
  const dw = alloc(backend, sizeOf(info.filterShape)); // every element written by the addon
  native().depthwiseConv2dBackpropFilter(f32(backend, x), f32(backend, dy), dw, convGeometry(info));
  return output(backend, info.filterShape, dw);
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'native',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
