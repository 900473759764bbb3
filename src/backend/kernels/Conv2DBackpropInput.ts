/** Conv2DBackpropInput (NHWC): dx of conv2d on the addon (native/src/conv.cc); NCHW falls back to cpu. */
import {
  backend_util, Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type Conv2DBackpropInputInputs, type KernelConfig,
  type KernelFunc, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { channelsLast, convGeometry, rank4, sameShape, type Shape4 } from './conv_util.js';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

export function conv2DBackpropInput(args: KernelArgs<Conv2DBackpropInputInputs, Conv2DBackpropInputAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } = attrs;
  const fallback = () => cpuKernel(Conv2DBackpropInput)(args as never) as TensorInfo;
  if (!allF32(dy, filter) || !rank4(dy, filter) || inputShape.length !== 4 || !channelsLast(dataFormat)) return fallback();
  // Like the cpu kernel: no dilations (tfjs's conv2d gradient rejects them).
  const info = backend_util.computeConv2DInfo(inputShape as Shape4, filter.shape as Shape4, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  if (!sameShape(dy.shape, info.outShape) || inputShape[3] !== filter.shape[2]) return fallback();
  const dx = alloc(backend, sizeOf(info.inShape)); // every element written by the addon
  native().conv2dBackpropInput(f32(backend, dy), f32(backend, filter), dx, convGeometry(info));
  return output(backend, info.inShape, dx);
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'native',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
