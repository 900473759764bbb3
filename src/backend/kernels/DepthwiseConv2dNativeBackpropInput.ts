/** DepthwiseConv2dNativeBackpropInput (NHWC): dx of depthwiseConv2d on the addon (native/src/depthwise.cc). */
import {
  backend_util, DepthwiseConv2dNativeBackpropInput, type DepthwiseConv2dNativeBackpropInputAttrs,
  type DepthwiseConv2dNativeBackpropInputInputs, type KernelConfig, type KernelFunc, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { convGeometry, rank4, sameShape, type Shape4 } from './conv_util.js';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

export function depthwiseConv2dNativeBackpropInput(
  args: KernelArgs<DepthwiseConv2dNativeBackpropInputInputs, DepthwiseConv2dNativeBackpropInputAttrs>,
): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const fallback = () => cpuKernel(DepthwiseConv2dNativeBackpropInput)(args as never) as TensorInfo;
  if (!allF32(dy, filter) || !rank4(dy, filter) || inputShape.length !== 4 || inputShape[3] !== filter.shape[2]) return fallback();
  const info = backend_util.computeConv2DInfo(inputShape as Shape4, filter.shape as Shape4, strides, dilations ?? 1, pad, dimRoundingMode, true);
  if (!sameShape(dy.shape, info.outShape)) return fallback();
  const dx = alloc(backend, sizeOf(info.inShape)); // every element written by the addon
  native().depthwiseConv2dBackpropInput(f32(backend, dy), f32(backend, filter), dx, convGeometry(info));
  return output(backend, info.inShape, dx);
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'native',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
