/** Maps tfjs fused-activation names to the addon's activation codes. */
import { ActCode } from '../addon.js';

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
