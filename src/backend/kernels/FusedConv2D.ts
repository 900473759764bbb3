/** FusedConv2D (NHWC): implicit-GEMM convolution with bias and activation in the GEMM epilogue. */
import { FusedConv2D, type FusedConv2DAttrs, type FusedConv2DInputs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { fusedEpilogue } from './activation.js';
import { conv2DInfo, conv2DNative } from './Conv2D.js';
import { allF32, cpuKernel, type KernelArgs } from './util.js';

export function fusedConv2D(args: KernelArgs<FusedConv2DInputs, FusedConv2DAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter, bias, preluActivationWeights } = inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const fallback = () => cpuKernel(FusedConv2D)(args as never) as TensorInfo;
  const info = allF32(bias, preluActivationWeights) ? conv2DInfo(x, filter, attrs) : null;
  const epi = info && fusedEpilogue(backend, info.outChannels, attrs.activation, attrs.leakyreluAlpha, bias, preluActivationWeights);
  if (!info || !epi) return fallback();
  return conv2DNative(backend, x, filter, info, epi);
}

export const fusedConv2DConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: 'native',
  kernelFunc: fusedConv2D as unknown as KernelFunc,
};
