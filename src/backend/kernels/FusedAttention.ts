/** ContrastiveFusedAttention (inference attention: scores, masked softmax and context per head in one pass) on the addon (native/src/attention_fused.cc). */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { FusedAttention, type FusedAttentionAttrs } from '../../ops/fused-attention.js';
import { alloc, f32, native, output, type KernelArgs } from './util.js';

export function fusedAttention(args: KernelArgs<Record<string, TensorInfo>, FusedAttentionAttrs>): TensorInfo {
  const { inputs: { q, k, v, bias }, backend, attrs } = args;
  const [B, Lq, H] = q.shape, Lk = k.shape[1], G = attrs.numHeads;
  const out = alloc(backend, B * Lq * H); // every element written: the heads tile the columns
  if (out.length > 0) {
    native().attentionFused(f32(backend, q), f32(backend, k), f32(backend, v), bias ? f32(backend, bias) : null, out, B, G, Lq, Lk, H / G, attrs.scale);
  }
  return output(backend, [B, Lq, H], out);
}

export const fusedAttentionConfig: KernelConfig = {
  kernelName: FusedAttention,
  backendName: 'native',
  kernelFunc: fusedAttention as unknown as KernelFunc,
};
