/**
 * barlowTwinsLoss against a float64 loop (forward, and gradient by central differences), closed
 * forms (identity cross-correlation, opposite views), validation and tensor leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { barlowTwinsLoss } from '../../src/index.js';
import { randomArray } from '../backend/parity.js';
import { BACKENDS, expectClose, lossAndGrads, lossValue, numericGrad, rows, type Rows } from './reference.js';

/** Column j of z standardised over the rows, as BatchNorm1d(affine=False) in training (biased variance). */
function standardise(z: Rows, eps: number): Rows {
  const n = z.length, d = z[0].length;
  const out = z.map((r) => r.slice());
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let b = 0; b < n; b++) mean += z[b][j];
    mean /= n;
    let variance = 0;
    for (let b = 0; b < n; b++) variance += (z[b][j] - mean) ** 2;
    variance /= n;
    for (let b = 0; b < n; b++) out[b][j] = (z[b][j] - mean) / Math.sqrt(variance + eps);
  }
  return out;
}

/** The loss written the slow obvious way: every C_ij as a sum over the batch. */
function loopLoss(z1: Rows, z2: Rows, lambda: number, eps = 1e-5): number {
  const a = standardise(z1, eps), b = standardise(z2, eps);
  const n = z1.length, d = z1[0].length;
  let loss = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let c = 0;
      for (let k = 0; k < n; k++) c += a[k][i] * b[k][j];
      c /= n;
      loss += i === j ? (1 - c) ** 2 : lambda * c * c;
    }
  }
  return loss;
}

/** Hadamard columns: zero mean, biased variance 1, mutually orthogonal (N = 4, d <= 3). */
const HADAMARD = [[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]];

for (const backend of BACKENDS) {
  describe(`barlowTwinsLoss on ${backend}`, () => {
    const cases: [number, number, number][] = [
      // [N, d, lambda]
      [2, 1, 5e-3],
      [4, 3, 5e-3],
      [7, 5, 0.1],
      [16, 8, 1],
      [5, 12, 5e-3], // d > N: C has rank < d
    ];
    for (const [n, d, lambda] of cases) {
      it(`matches the loop implementation, forward and gradient (N=${n}, d=${d}, lambda=${lambda})`, () => {
        tf.setBackend(backend);
        const a = randomArray(n * d, 31 * n + d, -2, 2), b = randomArray(n * d, 37 * n + d, -2, 2);
        const z1 = rows(a, n, d), z2 = rows(b, n, d);
        const { value, grads } = lossAndGrads((x, y) => barlowTwinsLoss(x, y, { lambda }), [[a, [n, d]], [b, [n, d]]]);
        expectClose([value], [loopLoss(z1, z2, lambda)], 1e-5, 1e-5);
        const [w1, w2] = numericGrad(([x, y]) => loopLoss(x, y, lambda), [z1, z2]);
        expectClose(grads[0], w1, 2e-4, 2e-3);
        expectClose(grads[1], w2, 2e-4, 2e-3);
      });
    }

    it('is 0 for identical views with orthogonal standardised columns, whatever their scale and shift', () => {
      tf.setBackend(backend);
      const z = HADAMARD.flat();
      // With the normalisation's epsilon, C_ii = 1 / (1 + 1e-5): the loss is d * 1e-10.
      expect(lossValue((x, y) => barlowTwinsLoss(x, y), [[z, [4, 3]], [z, [4, 3]]])).toBeLessThan(1e-8);
      const scaled = z.map((v, i) => 3 * v + (i % 3) - 5); // per-column affine maps keep C
      expect(lossValue((x, y) => barlowTwinsLoss(x, y), [[z, [4, 3]], [scaled, [4, 3]]])).toBeLessThan(1e-8);
    });

    it('is 4d for opposite views (C = -I) and grows with lambda for correlated columns', () => {
      tf.setBackend(backend);
      const z = HADAMARD.flat();
      const opposite = z.map((v) => -v);
      expectClose([lossValue((x, y) => barlowTwinsLoss(x, y), [[z, [4, 3]], [opposite, [4, 3]]])], [12], 1e-4, 1e-5);
      // Two identical columns: C = [[1, 1], [1, 1]], so the loss is lambda * 2 (up to epsilon).
      const twin = [1, 1, -1, -1, 1, 1, -1, -1];
      for (const lambda of [0, 5e-3, 1]) {
        expectClose([lossValue((x, y) => barlowTwinsLoss(x, y, { lambda }), [[twin, [4, 2]], [twin, [4, 2]]])], [2 * lambda], 1e-4, 1e-4);
      }
    });
  });
}

describe('barlowTwinsLoss validation', () => {
  it('defaults to lambda = 5e-3', () => {
    const a = randomArray(12, 1), b = randomArray(12, 2);
    const implicit = lossValue((x, y) => barlowTwinsLoss(x, y), [[a, [4, 3]], [b, [4, 3]]]);
    const explicit = lossValue((x, y) => barlowTwinsLoss(x, y, { lambda: 5e-3 }), [[a, [4, 3]], [b, [4, 3]]]);
    expect(implicit).toBe(explicit);
  });
  it('rejects bad options and shapes, naming the argument and the received value', () => {
    const z = tf.zeros([4, 3]), one = tf.zeros([1, 3]), other = tf.zeros([4, 2]);
    const before = tf.memory().numTensors;
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '1' as unknown as number]) {
      expect(() => barlowTwinsLoss(z, z, { lambda: bad })).toThrow(`barlowTwinsLoss: lambda must be a finite number >= 0, received ${String(bad)}`);
    }
    expect(() => barlowTwinsLoss(z, z, { epsilon: -1 })).toThrow('barlowTwinsLoss: epsilon must be a finite number >= 0, received -1');
    expect(() => barlowTwinsLoss(one, one)).toThrow(/z1 must have at least 2 row\(s\), received shape \[1,3\]/);
    expect(() => barlowTwinsLoss(z, other)).toThrow(/z1 and z2 must have the same shape \[N, D\], received \[4,3\] and \[4,2\]/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, one, other]);
  });
});
