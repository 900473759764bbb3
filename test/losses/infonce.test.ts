/**
 * infoNceLoss against a float64 loop (forward, and gradient by central differences), closed forms,
 * edge cases, validation and tensor leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DotProductSimilarity, EuclideanDistance, infoNceLoss } from '../../src/index.js';
import { randomArray } from '../backend/parity.js';
import { BACKENDS, cosine, expectAllFinite, expectClose, lossAndGrads, lossValue, numericGrad, oneHot, rows, type Rows } from './reference.js';

/** The loss written the slow obvious way: one softmax over B + K candidates per query. */
function loopLoss(q: Rows, p: Rows, negatives: Rows, T: number, sim = cosine): number {
  let total = 0;
  for (let i = 0; i < q.length; i++) {
    let denominator = 0;
    for (const c of [...p, ...negatives]) denominator += Math.exp(sim(q[i], c) / T);
    total += -Math.log(Math.exp(sim(q[i], p[i]) / T) / denominator);
  }
  return total / q.length;
}

for (const backend of BACKENDS) {
  describe(`infoNceLoss on ${backend}`, () => {
    const cases: [number, number, number, number][] = [
      // [B, K, D, T]
      [1, 0, 3, 0.07],
      [5, 0, 4, 0.5],
      [4, 3, 6, 0.1],
      [6, 1, 8, 1],
      [1, 4, 3, 0.2],
    ];
    for (const [b, k, d, T] of cases) {
      it(`matches the loop implementation, forward and gradient (B=${b}, K=${k}, D=${d}, T=${T})`, () => {
        tf.setBackend(backend);
        const q = randomArray(b * d, 41 + b + d), p = randomArray(b * d, 43 + b + d), n = randomArray(k * d, 47 + k + d);
        const inputs: [Float32Array, number[]][] = [[q, [b, d]], [p, [b, d]]];
        if (k > 0) inputs.push([n, [k, d]]);
        const got = lossAndGrads((x, y, z) => infoNceLoss(x, y, z, { temperature: T }), inputs);
        const r = [rows(q, b, d), rows(p, b, d), rows(n, k, d)];
        expectClose([got.value], [loopLoss(r[0], r[1], r[2], T)], 1e-5, 1e-5);
        const want = numericGrad(([x, y, z]) => loopLoss(x, y, z, T), r);
        for (let i = 0; i < inputs.length; i++) expectClose(got.grads[i], want[i], 2e-5, 2e-3);
      });
    }
  });
}

describe('infoNceLoss closed forms and edge cases', () => {
  it('equals -log(e^{1/T} / (e^{1/T} + B - 1 + K)) for identical orthogonal one-hot pairs and orthogonal negatives', () => {
    for (const [b, k, T, scale] of [[1, 0, 0.07, 1], [4, 0, 0.5, 1], [3, 2, 0.2, 5], [6, 4, 1, 0.01]]) {
      const d = b + k;
      const q = oneHot(b, d, (i) => i, scale), n = oneHot(k, d, (i) => b + i, scale);
      const inputs: [Float32Array, number[]][] = [[q, [b, d]], [q, [b, d]]];
      if (k > 0) inputs.push([n, [k, d]]);
      const got = lossValue((x, y, z) => infoNceLoss(x, y, z, { temperature: T }), inputs);
      expectClose([got], [-Math.log(Math.exp(1 / T) / (Math.exp(1 / T) + b - 1 + k))], 1e-5, 1e-5);
    }
  });
  it('is log(B + K) at a huge temperature', () => {
    const q = randomArray(12, 5);
    expectClose([lossValue((x, y, z) => infoNceLoss(x, y, z, { temperature: 1e6 }), [[q, [3, 4]], [q, [3, 4]], [q, [3, 4]]])], [Math.log(6)], 1e-5, 1e-5);
  });
  it('equals MultipleNegativesRankingLoss with dot products at scale 1/T', () => {
    const q = randomArray(12, 6), p = randomArray(12, 7);
    const got = lossValue((x, y) => infoNceLoss(x, y, undefined, { temperature: 0.5, similarity: new DotProductSimilarity() }), [[q, [3, 4]], [p, [3, 4]]]);
    const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i], 0);
    expectClose([got], [loopLoss(rows(q, 3, 4), rows(p, 3, 4), [], 0.5, dot)], 1e-5, 1e-5);
  });
  it('stays finite for zero rows and a small temperature', () => {
    const q = [0, 0, 0, 1, 2, 3], p = [1, 0, 0, 0, 0, 0], n = [0, 0, 0];
    const got = lossAndGrads((x, y, z) => infoNceLoss(x, y, z, { temperature: 0.01 }), [[q, [2, 3]], [p, [2, 3]], [n, [1, 3]]]);
    expectAllFinite([got.value, ...got.grads.flat()]);
    expectClose([got.value], [loopLoss(rows(Float32Array.from(q), 2, 3), rows(Float32Array.from(p), 2, 3), [[0, 0, 0]], 0.01)], 1e-4, 1e-5);
  });
  it('accepts an empty [0, D] negatives matrix as no negatives', () => {
    const q = randomArray(8, 9), p = randomArray(8, 10);
    const without = lossValue((x, y) => infoNceLoss(x, y), [[q, [2, 4]], [p, [2, 4]]]);
    const empty = lossValue((x, y, z) => infoNceLoss(x, y, z), [[q, [2, 4]], [p, [2, 4]], [[], [0, 4]]]);
    expectClose([empty], [without], 1e-6, 1e-6);
  });
});

describe('infoNceLoss validation', () => {
  it('rejects a temperature that is not a finite number > 0', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const x = tf.zeros([2, 3]);
      const before = tf.memory().numTensors;
      expect(() => infoNceLoss(x, x, undefined, { temperature: bad })).toThrow(`infoNceLoss: temperature must be a finite number > 0, received ${bad}`);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    }
  });
  it('rejects mismatched shapes and a distance as the similarity', () => {
    const x = tf.zeros([2, 3]), y = tf.zeros([3, 3]), n = tf.zeros([4, 2]);
    expect(() => infoNceLoss(x, y)).toThrow('infoNceLoss: query and positive must have the same shape [N, D], received [2,3] and [3,3]');
    expect(() => infoNceLoss(x, x, n)).toThrow('infoNceLoss: negatives must have D = 3 columns like query, received shape [4,2]');
    expect(() => infoNceLoss(x, x, undefined, { similarity: new EuclideanDistance() })).toThrow(
      'infoNceLoss: similarity must be a similarity (isInverted true), received euclidean (isInverted false)',
    );
    tf.dispose([x, y, n]);
  });
  it('defaults to T = 0.07 and cosine similarity', () => {
    const q = oneHot(3, 3, (i) => i, 4);
    const got = lossValue((x, y) => infoNceLoss(x, y), [[q, [3, 3]], [q, [3, 3]]]);
    expectClose([got], [-Math.log(Math.exp(1 / 0.07) / (Math.exp(1 / 0.07) + 2))], 1e-6, 1e-5);
  });
});

/** MoCo's loss the slow obvious way: each query against its own positive and the K negatives only. */
function loopQueueLoss(q: Rows, p: Rows, negatives: Rows, T: number): number {
  let total = 0;
  for (let i = 0; i < q.length; i++) {
    let denominator = Math.exp(cosine(q[i], p[i]) / T);
    for (const n of negatives) denominator += Math.exp(cosine(q[i], n) / T);
    total += -Math.log(Math.exp(cosine(q[i], p[i]) / T) / denominator);
  }
  return total / q.length;
}

for (const backend of BACKENDS) {
  describe(`infoNceLoss with inBatchNegatives: false (MoCo) on ${backend}`, () => {
    for (const [b, k, d, T] of [[1, 1, 3, 0.07], [5, 7, 4, 0.2], [4, 3, 6, 1]] as const) {
      it(`matches the loop implementation, forward and gradient (B=${b}, K=${k}, D=${d}, T=${T})`, () => {
        tf.setBackend(backend);
        const q = randomArray(b * d, 71 + b + d), p = randomArray(b * d, 73 + b + d), n = randomArray(k * d, 79 + k + d);
        const got = lossAndGrads((x, y, z) => infoNceLoss(x, y, z, { temperature: T, inBatchNegatives: false }), [[q, [b, d]], [p, [b, d]], [n, [k, d]]]);
        const r = [rows(q, b, d), rows(p, b, d), rows(n, k, d)];
        expectClose([got.value], [loopQueueLoss(r[0], r[1], r[2], T)], 1e-5, 1e-5);
        const want = numericGrad(([x, y, z]) => loopQueueLoss(x, y, z, T), r);
        for (let i = 0; i < 3; i++) expectClose(got.grads[i], want[i], 2e-5, 2e-3);
      });
    }
  });
}

describe('infoNceLoss with inBatchNegatives: false', () => {
  it('equals -log(e^{1/T} / (e^{1/T} + K)) for identical pairs and orthogonal negatives, whatever the batch', () => {
    const [b, k, T] = [3, 4, 0.2];
    const q = oneHot(b, b + k, (i) => i), n = oneHot(k, b + k, (i) => b + i);
    const got = lossValue((x, y, z) => infoNceLoss(x, y, z, { temperature: T, inBatchNegatives: false }), [[q, [b, b + k]], [q, [b, b + k]], [n, [k, b + k]]]);
    expectClose([got], [-Math.log(Math.exp(1 / T) / (Math.exp(1 / T) + k))], 1e-5, 1e-5);
  });
  it('requires K >= 1 negatives and a boolean', () => {
    const x = tf.zeros([2, 3]), empty = tf.zeros([0, 3]);
    expect(() => infoNceLoss(x, x, undefined, { inBatchNegatives: false })).toThrow('infoNceLoss: negatives must hold K >= 1 rows when inBatchNegatives is false, received none');
    expect(() => infoNceLoss(x, x, empty, { inBatchNegatives: false })).toThrow('infoNceLoss: negatives must hold K >= 1 rows when inBatchNegatives is false, received shape [0,3]');
    expect(() => infoNceLoss(x, x, undefined, { inBatchNegatives: 'no' as never })).toThrow('infoNceLoss: inBatchNegatives must be a boolean, received no');
    tf.dispose([x, empty]);
  });
});
