/**
 * supConLoss against a float64 loop (forward, and gradient by central differences), closed forms,
 * edge cases (no positives, one row, zero rows), validation and tensor leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DotProductSimilarity, EuclideanDistance, ntXentLoss, supConLoss } from '../../src/index.js';
import { randomArray } from '../backend/parity.js';
import { BACKENDS, cosine, expectAllFinite, expectClose, lossAndGrads, lossValue, numericGrad, oneHot, rows, type Rows } from './reference.js';

/** L_out written the slow obvious way (Khosla et al. eq. 2), averaged over anchors with positives. */
function loopLoss(z: Rows, labels: number[], T: number): number {
  let total = 0, anchors = 0;
  for (let i = 0; i < z.length; i++) {
    const positives = labels.map((_, p) => p).filter((p) => p !== i && labels[p] === labels[i]);
    if (positives.length === 0) continue;
    let denominator = 0;
    for (let a = 0; a < z.length; a++) if (a !== i) denominator += Math.exp(cosine(z[i], z[a]) / T);
    let sum = 0;
    for (const p of positives) sum += Math.log(Math.exp(cosine(z[i], z[p]) / T) / denominator);
    total += -sum / positives.length;
    anchors++;
  }
  return anchors === 0 ? 0 : total / anchors;
}

for (const backend of BACKENDS) {
  describe(`supConLoss on ${backend}`, () => {
    const cases: [number[], number, number][] = [
      // [labels, D, T]
      [[0, 0], 3, 0.07],
      [[0, 1, 0, 1, 2, 2], 4, 0.5],
      [[3, 1, 3, 3, 7, 1, 5], 5, 0.1], // label 7 and 5: anchors without positives
      [[0, 0, 0, 0, 0], 6, 1],
    ];
    for (const [labels, d, T] of cases) {
      const n = labels.length;
      it(`matches the loop implementation, forward and gradient (labels ${labels}, D=${d}, T=${T})`, () => {
        tf.setBackend(backend);
        const z = randomArray(n * d, 51 + n + d);
        const got = lossAndGrads((x) => supConLoss(x, labels, { temperature: T }), [[z, [n, d]]]);
        const r = rows(z, n, d);
        expectClose([got.value], [loopLoss(r, labels, T)], 1e-5, 1e-5);
        expectClose(got.grads[0], numericGrad(([x]) => loopLoss(x, labels, T), [r])[0], 2e-5, 2e-3);
      });
    }
  });
}

describe('supConLoss closed forms and edge cases', () => {
  it('for two classes of identical one-hot rows equals the mean of -log(e^{1/T} / ((n_c - 1) e^{1/T} + n_other))', () => {
    for (const [na, nb, T] of [[2, 2, 0.07], [3, 5, 0.5], [4, 1, 0.2]]) {
      const n = na + nb;
      const z = oneHot(n, 2, (i) => (i < na ? 0 : 1), 3);
      const labels = Array.from({ length: n }, (_, i) => (i < na ? 0 : 1));
      const e = Math.exp(1 / T);
      const la = -Math.log(e / ((na - 1) * e + nb)), lb = -Math.log(e / ((nb - 1) * e + na));
      // class b with a single row has no positives and is not counted
      const want = nb > 1 ? (na * la + nb * lb) / n : la;
      expectClose([lossValue((x) => supConLoss(x, labels, { temperature: T }), [[z, [n, 2]]])], [want], 1e-5, 1e-5);
    }
  });
  it('equals ntXentLoss when each item has exactly its two views', () => {
    const n = 4, d = 5, a = randomArray(n * d, 61), b = randomArray(n * d, 62);
    const labels = [0, 1, 2, 3, 0, 1, 2, 3];
    const supcon = lossValue((x, y) => supConLoss(tf.concat([x, y]), labels, { temperature: 0.3 }), [[a, [n, d]], [b, [n, d]]]);
    const ntxent = lossValue((x, y) => ntXentLoss(x, y, { temperature: 0.3 }), [[a, [n, d]], [b, [n, d]]]);
    expectClose([supcon], [ntxent], 1e-5, 1e-5);
  });
  it('is 0 with a zero gradient, not NaN, when no anchor has a positive (and for a single row)', () => {
    for (const [labels, d] of [[[0, 1, 2, 3], 3], [[5], 4]] as [number[], number][]) {
      const z = randomArray(labels.length * d, 63);
      const got = lossAndGrads((x) => supConLoss(x, labels), [[z, [labels.length, d]]]);
      expect(got.value).toBe(0);
      expectClose(got.grads[0], new Array(got.grads[0].length).fill(0), 0, 0);
    }
  });
  it('stays finite for zero rows and a small temperature', () => {
    const z = [0, 0, 0, 1, 2, 3, 0, 0, 0, -1, 0, 2];
    const labels = [0, 0, 1, 1];
    const got = lossAndGrads((x) => supConLoss(x, labels, { temperature: 0.01 }), [[z, [4, 3]]]);
    expectAllFinite([got.value, ...got.grads[0]]);
    expectClose([got.value], [loopLoss(rows(Float32Array.from(z), 4, 3), labels, 0.01)], 1e-4, 1e-5);
  });
  it('accepts labels as an Int32Array or an int32 tensor, and a dot-product similarity', () => {
    const z = randomArray(12, 64), labels = [1, 0, 1, 0];
    const want = lossValue((x) => supConLoss(x, labels), [[z, [4, 3]]]);
    expectClose([lossValue((x) => supConLoss(x, Int32Array.from(labels)), [[z, [4, 3]]])], [want], 0, 0);
    const t = tf.tensor1d(labels, 'int32');
    expectClose([lossValue((x) => supConLoss(x, t), [[z, [4, 3]]])], [want], 0, 0);
    t.dispose();
    const unit = oneHot(4, 3, (i) => i % 3);
    expectClose(
      [lossValue((x) => supConLoss(x, labels, { similarity: new DotProductSimilarity() }), [[unit, [4, 3]]])],
      [lossValue((x) => supConLoss(x, labels), [[unit, [4, 3]]])],
      1e-5,
      1e-5,
    );
  });
});

describe('supConLoss validation', () => {
  it('rejects a temperature that is not a finite number > 0', () => {
    for (const bad of [0, -0.1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const z = tf.zeros([2, 3]);
      const before = tf.memory().numTensors;
      expect(() => supConLoss(z, [0, 0], { temperature: bad })).toThrow(`supConLoss: temperature must be a finite number > 0, received ${bad}`);
      expect(tf.memory().numTensors).toBe(before);
      z.dispose();
    }
  });
  it('rejects labels that are not N integers, and a distance as the similarity', () => {
    const z = tf.zeros([3, 2]), f = tf.tensor1d([0, 1, 0]), t = tf.tensor2d([[0], [1], [0]], [3, 1], 'int32');
    expect(() => supConLoss(z, [0, 1])).toThrow('supConLoss: labels must have one entry per row (3), received 2');
    expect(() => supConLoss(z, [0, 1.5, 2])).toThrow('supConLoss: labels must be integers, received 1.5 at index 1');
    expect(() => supConLoss(z, f)).toThrow('supConLoss: labels must be an int32 tensor [N], received float32 shape [3]');
    expect(() => supConLoss(z, t as unknown as tf.Tensor1D)).toThrow('supConLoss: labels must be an int32 tensor [N], received int32 shape [3,1]');
    expect(() => supConLoss(z, 'abc' as unknown as number[])).toThrow('supConLoss: labels must be an Int32Array, a number[] or an int32 tensor [N], received abc');
    expect(() => supConLoss(z, [0, 1, 0], { similarity: new EuclideanDistance() })).toThrow(
      'supConLoss: similarity must be a similarity (isInverted true), received euclidean (isInverted false)',
    );
    const v = tf.zeros([3]);
    expect(() => supConLoss(v, [0, 1, 0])).toThrow('supConLoss: z must be a 2-D tensor [N, D], received shape [3]');
    tf.dispose([z, f, t, v]);
  });
  it('defaults to T = 0.07', () => {
    const z = oneHot(4, 2, (i) => i % 2);
    const e = Math.exp(1 / 0.07);
    expectClose([lossValue((x) => supConLoss(x, [0, 1, 0, 1]), [[z, [4, 2]]])], [-Math.log(e / (e + 2))], 1e-5, 1e-5);
  });
});
