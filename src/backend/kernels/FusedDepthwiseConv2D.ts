/** FusedDepthwiseConv2D (NHWC): depthwise convolution with bias and activation applied row by row. */
import {
  FusedDepthwiseConv2D, type FusedDepthwiseConv2DAttrs, type FusedDepthwiseConv2DInputs, type KernelConfig, type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { activationCode, channelVector } from './activation.js';
import { depthwiseInfo, depthwiseNative } from './DepthwiseConv2dNative.js';
import { allF32, cpuKernel, f32, type KernelArgs } from './util.js';

export function fusedDepthwiseConv2D(args: KernelArgs<FusedDepthwiseConv2DInputs, FusedDepthwiseConv2DAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter, bias, preluActivationWeights } = inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const fallback = () => cpuKernel(FusedDepthwiseConv2D)(args as never) as TensorInfo;
  const info = allF32(bias, preluActivationWeights) ? depthwiseInfo(x, filter, attrs) : null;
  const act = activationCode(attrs.activation);
  if (!info || act === null) return fallback();
  const O = info.outChannels;
  const biasVec = bias ? channelVector(f32(backend, bias), bias.shape, O) : null;
  const preluVec = preluActivationWeights ? channelVector(f32(backend, preluActivationWeights), preluActivationWeights.shape, O) : null;
  if ((bias && !biasVec) || (preluActivationWeights && !preluVec)) return fallback();
  return depthwiseNative(backend, x, filter, info, { bias: biasVec, act, alpha: attrs.leakyreluAlpha ?? 0.2, prelu: preluVec });
}

export const fusedDepthwiseConv2DConfig: KernelConfig = {
  kernelName: FusedDepthwiseConv2D,
  backendName: 'native',
  kernelFunc: fusedDepthwiseConv2D as unknown as KernelFunc,
};
