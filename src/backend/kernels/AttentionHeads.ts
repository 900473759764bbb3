/**
 * ContrastiveHeadScores and ContrastiveHeadContext on the addon's packed GEMM over strided views
 * (native/src/heads_matmul.cc): element (i, j) of head g of batch element b of an operand is at
 * b * sb + g * sg + i * rs + j * cs, so heads are read and written in place in [B, L, heads * D].
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { HeadContext, HeadScores, type HeadContextAttrs, type HeadScoresAttrs } from '../../ops/attention-heads.js';
import { alloc, f32, native, output, type KernelArgs } from './util.js';

type Args<A> = KernelArgs<Record<string, TensorInfo>, A>;

/** [B, G, La, Lb]: S_bg = A_bg B_bg^T; a [B, La, H], b [B, Lb, H]. */
export function headScores({ inputs: { a, b }, backend, attrs }: Args<HeadScoresAttrs>): TensorInfo {
  const [B, La, H] = a.shape, Lb = b.shape[1], G = attrs.numHeads, D = H / G;
  const out = alloc(backend, B * G * La * Lb); // every element written (K = D >= 1)
  const strides = Float64Array.of(
    La * H, D, H, 1, // A_bg [La, D]
    Lb * H, D, 1, H, // B_bg^T [D, Lb]
    G * La * Lb, La * Lb, Lb, // C_bg [La, Lb]
  );
  if (out.length > 0) native().headsMatMul(f32(backend, a), f32(backend, b), out, B, G, La, Lb, D, strides);
  return output(backend, [B, G, La, Lb], out);
}

/** [B, Lo, H]: C_bg = P_bg V_bg (or P_bg^T V_bg); p [B, G, P0, P1], v [B, Lv, H]. */
export function headContext({ inputs: { p, v }, backend, attrs }: Args<HeadContextAttrs>): TensorInfo {
  const [B, G, P0, P1] = p.shape, H = v.shape[2], D = H / G;
  const t = attrs.transposeP;
  const [Lo, Lv] = t ? [P1, P0] : [P0, P1];
  const out = alloc(backend, B * Lo * H); // every element written: the heads tile the columns
  const strides = Float64Array.of(
    G * P0 * P1, P0 * P1, t ? 1 : P1, t ? P1 : 1, // P_bg [Lo, Lv]
    Lv * H, D, H, 1, // V_bg [Lv, D]
    Lo * H, D, H, // C_bg [Lo, D] inside [Lo, H]
  );
  if (out.length > 0) {
    if (Lv === 0) out.fill(0);
    else native().headsMatMul(f32(backend, p), f32(backend, v), out, B, G, Lo, D, Lv, strides);
  }
  return output(backend, [B, Lo, H], out);
}

export const headScoresConfig: KernelConfig = {
  kernelName: HeadScores,
  backendName: 'native',
  kernelFunc: headScores as unknown as KernelFunc,
};

export const headContextConfig: KernelConfig = {
  kernelName: HeadContext,
  backendName: 'native',
  kernelFunc: headContext as unknown as KernelFunc,
};
