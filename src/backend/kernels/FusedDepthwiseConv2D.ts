/** FusedDepthwiseConv2D (NHWC): depthwise convolution with bias and activation applied row by row. */
import {
  FusedDepthwiseConv2D, type FusedDepthwiseConv2DAttrs, type FusedDepthwiseConv2DInputs, type KernelConfig, type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { fusedEpilogue } from './activation.js';
import { depthwiseInfo, depthwiseNative } from './DepthwiseConv2dNative.js';
import { allF32, cpuKernel, type KernelArgs } from './util.js';

export function fusedDepthwiseConv2D(args: KernelArgs<FusedDepthwiseConv2DInputs, FusedDepthwiseConv2DAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter, bias, preluActivationWeights } = inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const fallback = () => cpuKernel(FusedDepthwiseConv2D)(args as never) as TensorInfo;
  const info = allF32(bias, preluActivationWeights) ? depthwiseInfo(x, filter, attrs) : null;
  const epi = info && fusedEpilogue(backend, info.outChannels, attrs.activation, attrs.leakyreluAlpha, bias, preluActivationWeights);
  if (!info || !epi) return fallback();
  return depthwiseNative(backend, x, filter, info, epi);
}

export const fusedDepthwiseConv2DConfig: KernelConfig = {
  kernelName: FusedDepthwiseConv2D,
  backendName: 'native',
  kernelFunc: fusedDepthwiseConv2D as unknown as KernelFunc,
};
