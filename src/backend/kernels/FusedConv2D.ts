/** FusedConv2D (NHWC): implicit-GEMM convolution with bias and activation in the GEMM epilogue. */
import { FusedConv2D, type FusedConv2DAttrs, type FusedConv2DInputs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { activationCode, channelVector } from './activation.js';
import { conv2DInfo, conv2DNative } from './Conv2D.js';
import { allF32, cpuKernel, f32, type KernelArgs } from './util.js';

export function fusedConv2D(args: KernelArgs<FusedConv2DInputs, FusedConv2DAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter, bias, preluActivationWeights } = inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const fallback = () => cpuKernel(FusedConv2D)(args as never) as TensorInfo;
  const info = allF32(bias, preluActivationWeights) ? conv2DInfo(x, filter, attrs) : null;
  const act = activationCode(attrs.activation);
  if (!info || act === null) return fallback();
  const O = info.outChannels;
  const biasVec = bias ? channelVector(f32(backend, bias), bias.shape, O) : null;
  const preluVec = preluActivationWeights ? channelVector(f32(backend, preluActivationWeights), preluActivationWeights.shape, O) : null;
  if ((bias && !biasVec) || (preluActivationWeights && !preluVec)) return fallback();
  return conv2DNative(backend, x, filter, info, { bias: biasVec, act, alpha: attrs.leakyreluAlpha ?? 0.2, prelu: preluVec });
}

export const fusedConv2DConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: 'native',
  kernelFunc: fusedConv2D as unknown as KernelFunc,
};
