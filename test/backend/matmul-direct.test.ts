import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { expectParity } from './parity.js';

// The direct-A GEMM path (A read in place by the micro-kernel, B packed once; native/src/gemm.cc
// gemm_direct): partial row tiles (M % 14 of every size), partial column panels (N % 32), several
// k blocks (K > 384), the transposed-B SIMD pack (transposeB with full 32-column panels), the
// epilogue on every tile, and the transformer's own shapes.
const tol = (K: number) => ({ rtol: 1e-4, atol: 2e-6 * Math.max(1, K) });

describe('GEMM, direct-A path', () => {
  const shapes: [number, number, number][] = [
    [15, 31, 17], [27, 64, 33], [41, 95, 385], [70, 64, 800], [64, 64, 32], [64, 32, 64], [29, 33, 16], [200, 130, 47],
  ];
  for (const [M, N, K] of shapes) {
    for (const tb of [false, true]) {
      it(`M=${M} N=${N} K=${K} transposeB=${tb}: matMul and fused bias + relu equal cpu`, () => {
        const bShape = tb ? [N, K] : [K, N];
        expectParity([{ shape: [M, K] }, { shape: bShape }], (a, b) => tf.matMul(a, b, false, tb), tol(K));
        expectParity(
          [{ shape: [M, K] }, { shape: bShape }, { shape: [N] }],
          (a, b, bias) => tf.fused.matMul({ a, b, bias, transposeB: tb, activation: 'relu' }),
          tol(K),
        );
      });
    }
  }
  it('every partial row count 1..13 (one kernel each)', () => {
    for (let M = 1; M <= 13; M++) expectParity([{ shape: [M, 40] }, { shape: [40, 36] }], (a, b) => tf.matMul(a, b), tol(40));
  });
  it('the transformer shapes (rows of 2048 tokens, K 384 / 1536), with bias', () => {
    for (const [M, N, K] of [[2048, 384, 384], [2048, 1536, 384], [2048, 384, 1536]]) {
      expectParity([{ shape: [M, K] }, { shape: [K, N] }, { shape: [N] }], (a, b, bias) => tf.fused.matMul({ a, b, bias }), tol(K));
    }
  });
  it('batched with broadcast B (the direct path per batch element)', () => {
    expectParity([{ shape: [3, 45, 50] }, { shape: [50, 70] }], (a, b) => tf.matMul(a, b), tol(50));
    expectParity([{ shape: [3, 45, 50] }, { shape: [3, 70, 50] }], (a, b) => tf.matMul(a, b, false, true), tol(50));
  });
});
