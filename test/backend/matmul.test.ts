import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { nativeBackendInfo } from '../../src/backend/index.js';
import { expectParity } from './parity.js';

// float32 GEMM sums in a different order from the cpu loop: tolerance grows with K.
const tol = (K: number) => ({ rtol: 1e-4, atol: 2e-6 * Math.max(1, K) });

describe('native backend', () => {
  it('is registered and the default after import', async () => {
    await tf.ready();
    expect(nativeBackendInfo().available).toBe(true);
    expect(tf.getBackend()).toBe('native');
  });
});

describe('BatchMatMul parity', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1], [1, 7, 3], [5, 1, 9], [13, 17, 19], [14, 32, 16], [33, 65, 129], [100, 300, 257], [3, 2, 1000], [0, 4, 3], [4, 0, 3],
  ];
  for (const [M, N, K] of shapes) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        it(`M=${M} N=${N} K=${K} transposeA=${ta} transposeB=${tb}`, () => {
          const aShape = ta ? [K, M] : [M, K];
          const bShape = tb ? [N, K] : [K, N];
          expectParity([{ shape: aShape }, { shape: bShape }], (a, b) => tf.matMul(a, b, ta, tb), tol(K));
        });
      }
    }
  }
  it('K = 0 gives zeros', () => {
    expectParity([{ shape: [3, 0] }, { shape: [0, 4] }], (a, b) => tf.matMul(a, b));
  });
  it('batched, and batch broadcast of either side', () => {
    expectParity([{ shape: [4, 9, 11] }, { shape: [4, 11, 6] }], (a, b) => tf.matMul(a, b), tol(11));
    expectParity([{ shape: [2, 3, 9, 11] }, { shape: [11, 6] }], (a, b) => tf.matMul(a, b), tol(11));
    expectParity([{ shape: [1, 9, 11] }, { shape: [5, 11, 6] }], (a, b) => tf.matMul(a, b, false, false), tol(11));
    expectParity([{ shape: [64, 8, 8] }, { shape: [64, 8, 8] }], (a, b) => tf.matMul(a, b, true, true), tol(8));
  });
  it('an empty batch on either side gives an empty output (no memory touched)', () => {
    // (tfjs's cpu kernel returns 4,096 NaN values under the shape [0, 64, 64] here, so no parity.)
    tf.setBackend('native');
    const cases: [number[], number[]][] = [[[0, 64, 64], [64, 64]], [[64, 64], [0, 64, 64]]];
    for (const [as, bs] of cases) {
      const out = tf.tidy(() => {
        const c = tf.matMul(tf.ones(as), tf.ones(bs));
        const f = tf.fused.matMul({ a: tf.ones(as), b: tf.ones(bs), bias: tf.ones([64]), activation: 'relu' });
        return [c.shape, c.dataSync().length, f.shape, f.dataSync().length];
      });
      expect(out).toEqual([[0, 64, 64], 0, [0, 64, 64], 0]);
    }
  });
  it('gradient', () => {
    expectParity([{ shape: [37, 29] }, { shape: [29, 41] }], (a, b) => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y))))([a, b]), { rtol: 1e-3, atol: 1e-3 });
  });
  it('int32 falls back to cpu', () => {
    expectParity([{ shape: [3, 4], dtype: 'int32' }, { shape: [4, 2], dtype: 'int32' }], (a, b) => tf.matMul(a, b));
  });
});

describe('_FusedMatMul parity', () => {
  for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const) {
    it(`bias + ${activation}`, () => {
      expectParity(
        [{ shape: [45, 70] }, { shape: [70, 33] }, { shape: [33] }],
        (a, b, bias) => tf.fused.matMul({ a, b, bias, activation, leakyreluAlpha: 0.1 }),
        tol(70),
      );
    });
  }
  it('prelu with per-channel weights, transposed inputs', () => {
    expectParity(
      [{ shape: [70, 45] }, { shape: [33, 70] }, { shape: [1, 33] }, { shape: [33] }],
      (a, b, bias, w) => tf.fused.matMul({ a, b, bias, activation: 'prelu', preluActivationWeights: w, transposeA: true, transposeB: true }),
      tol(70),
    );
  });
  it('bias of another broadcast shape falls back to cpu', () => {
    expectParity([{ shape: [6, 5] }, { shape: [5, 6] }, { shape: [6, 1] }], (a, b, bias) => tf.fused.matMul({ a, b, bias }), tol(5));
  });
  it('gradient through bias and relu', () => {
    expectParity(
      [{ shape: [20, 30] }, { shape: [30, 10] }, { shape: [10] }],
      (a, b, bias) => tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(tf.fused.matMul({ a: x, b: y, bias: z, activation: 'relu' })))([a, b, bias]),
      { rtol: 1e-3, atol: 1e-4 },
    );
  });
});
