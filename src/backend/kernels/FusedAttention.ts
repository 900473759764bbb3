/** ContrastiveFusedAttention (inference attention: scores, masked softmax and context per head in one pass) on the addon (native/src/attention_fused.cc). */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { FusedAttention, type FusedAttentionAttrs } from '../../ops/fused-attention.js';
import { alloc, f32, native, output, type KernelArgs } from './util.js';

/**
 * Which native attention path runs: 'auto' (the default) lets heads of width 32 or 64 over at most
 * 128 keys take the AVX-512 short-sequence kernel (native/src/attention_short_avx512.cc; only where
 * the AVX-512 GEMM kernel is the active one), 'generic' always runs the GEMM-based loop (the
 * reference the benchmarks and tests compare it with). CONTRASTIVE_ATTENTION=generic sets it at start.
 */
export type FusedAttentionPath = 'auto' | 'generic';
let path: FusedAttentionPath = process.env.CONTRASTIVE_ATTENTION === 'generic' ? 'generic' : 'auto';

/** Sets the native attention path (see FusedAttentionPath); returns the previous one. */
export function setFusedAttentionPath(p: FusedAttentionPath): FusedAttentionPath {
  if (p !== 'auto' && p !== 'generic') throw new Error(`setFusedAttentionPath: path must be 'auto' or 'generic', received ${String(p)}`);
  const previous = path;
  path = p;
  return previous;
}

export function fusedAttention(args: KernelArgs<Record<string, TensorInfo>, FusedAttentionAttrs>): TensorInfo {
  const { inputs: { q, k, v, bias }, backend, attrs } = args;
  const [B, Lq, H] = q.shape, Lk = k.shape[1], G = attrs.numHeads, D = H / G;
  const out = alloc(backend, B * Lq * H); // every element written: the heads tile the columns
  if (out.length > 0) {
    const allowShort = path === 'auto' && (D === 32 || D === 64) && Lk >= 1 && Lk <= 128;
    native().attentionFused(f32(backend, q), f32(backend, k), f32(backend, v), bias ? f32(backend, bias) : null, out, B, G, Lq, Lk, D, attrs.scale, allowShort);
  }
  return output(backend, [B, Lq, H], out);
}

export const fusedAttentionConfig: KernelConfig = {
  kernelName: FusedAttention,
  backendName: 'native',
  kernelFunc: fusedAttention as unknown as KernelFunc,
};
