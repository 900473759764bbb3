/** Maps tfjs fused-activation names to the addon's activation codes, and fused-op epilogues. */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { ActCode } from '../addon.js';
import { f32 } from './util.js';

export function activationCode(activation: string | undefined | null): ActCode | null {
  switch (activation ?? 'linear') {
    case 'linear': return ActCode.None;
    case 'relu': return ActCode.Relu;
    case 'relu6': return ActCode.Relu6;
    case 'leakyrelu': return ActCode.LeakyRelu;
    case 'elu': return ActCode.Elu;
    case 'sigmoid': return ActCode.Sigmoid;
    case 'prelu': return ActCode.Prelu;
    default: return null;
  }
}

/**
 * Per-channel vector of length n from a tensor's values (size n, or size 1 broadcast), or null when
 * the values do not broadcast along the last axis alone (then the caller falls back to cpu).
 */
export function channelVector(values: Float32Array, shape: readonly number[], n: number): Float32Array | null {
  const last = shape.length - 1;
  if (!shape.every((d, i) => d === 1 || (i === last && d === n))) return null;
  if (values.length === n) return values;
  if (values.length === 1) return new Float32Array(n).fill(values[0]);
  return null;
}

/** Bias and activation applied per output channel after a fused convolution or matrix product. */
export interface FusedEpilogue {
  bias: Float32Array | null;
  act: ActCode;
  alpha: number;
  prelu: Float32Array | null;
}

/**
 * The epilogue of a fused op (_FusedMatMul, FusedConv2D, FusedDepthwiseConv2D) with `channels`
 * output channels, or null when the activation is unknown or bias / PReLU weights do not broadcast
 * along the channels alone (the caller then falls back to cpu). tfjs's leakyrelu default is 0.2.
 */
export function fusedEpilogue(
  backend: MathBackendCPU, channels: number, activation: string | undefined | null, leakyreluAlpha: number | undefined,
  bias?: TensorInfo, prelu?: TensorInfo,
): FusedEpilogue | null {
  const act = activationCode(activation);
  if (act === null) return null;
  const biasVec = bias ? channelVector(f32(backend, bias), bias.shape, channels) : null;
  const preluVec = prelu ? channelVector(f32(backend, prelu), prelu.shape, channels) : null;
  if ((bias && !biasVec) || (prelu && !preluVec)) return null;
  return { bias: biasVec, act, alpha: leakyreluAlpha ?? 0.2, prelu: preluVec };
}
