/** Conv2DBackpropFilter (NHWC): dW = im2col(x)^T x dy on the addon (native/src/conv.cc); NCHW falls back to cpu. */
import {
  backend_util, Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type Conv2DBackpropFilterInputs, type KernelConfig,
  type KernelFunc, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { channelsLast, convGeometry, rank4, sameShape, type Shape4 } from './conv_util.js';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

export function conv2DBackpropFilter(args: KernelArgs<Conv2DBackpropFilterInputs, Conv2DBackpropFilterAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const fallback = () => cpuKernel(Conv2DBackpropFilter)(args as never) as TensorInfo;
  if (!allF32(x, dy) || !rank4(x, dy) || filterShape.length !== 4 || !channelsLast(dataFormat)) return fallback();
  // Like the cpu kernel: no dilations (tfjs's conv2d gradient rejects them).
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, filterShape as Shape4, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  if (!sameShape(dy.shape, info.outShape) || x.shape[3] !== filterShape[2]) return fallback();
  const dw = alloc(backend, sizeOf(info.filterShape)); // every element written by the addon
  native().conv2dBackpropFilter(f32(backend, x), f32(backend, dy), dw, convGeometry(info));
  return output(backend, info.filterShape, dw);
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'native',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
