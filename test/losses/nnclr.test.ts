/**
 * nearestSupport against a float64 loop (the right support row, first on ties, no gradient), and
 * nnclrLoss against a float64 loop (forward, gradient by central differences in the predictions),
 * a closed form, validation and tensor leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { nearestSupport, nnclrLoss } from '../../src/index.js';
import { randomArray } from '../backend/parity.js';
import { BACKENDS, cosine, expectClose, lossAndGrads, numericGrad, oneHot, rows, type Rows } from './reference.js';

/** nnclrLoss's value on tensors made from [values, shape] pairs (z1, z2, p1, p2, support), leak-checked. */
function value(inputs: [ArrayLike<number>, number[]][], temperature?: number): number {
  const before = tf.memory().numTensors;
  const v = tf.tidy(() => {
    const [z1, z2, p1, p2, support] = inputs.map(([x, shape]) => tf.tensor2d(Float32Array.from(x), shape as [number, number]));
    return nnclrLoss(z1, z2, p1, p2, support, temperature === undefined ? {} : { temperature }).dataSync()[0];
  });
  expect(tf.memory().numTensors).toBe(before);
  return v;
}

/** Index of the support row of largest cosine similarity to q (the first one on ties). */
function loopNearest(q: number[], support: Rows): number {
  let best = 0;
  for (let k = 1; k < support.length; k++) if (cosine(q, support[k]) > cosine(q, support[best])) best = k;
  return best;
}

/** One-directional InfoNCE with cosine similarity: query i against all positives. */
function loopInfoNce(q: Rows, p: Rows, T: number): number {
  let total = 0;
  for (let i = 0; i < q.length; i++) {
    let denominator = 0;
    for (const c of p) denominator += Math.exp(cosine(q[i], c) / T);
    total += -Math.log(Math.exp(cosine(q[i], p[i]) / T) / denominator);
  }
  return total / q.length;
}

function loopLoss(z1: Rows, z2: Rows, p1: Rows, p2: Rows, support: Rows, T: number): number {
  const nn = (z: Rows) => z.map((q) => support[loopNearest(q, support)]);
  return (loopInfoNce(nn(z1), p2, T) + loopInfoNce(nn(z2), p1, T)) / 2;
}

for (const backend of BACKENDS) {
  describe(`nearestSupport on ${backend}`, () => {
    it('picks the support row of largest cosine similarity (as the loop), returned as stored', () => {
      tf.setBackend(backend);
      for (const [n, k, d] of [[1, 1, 2], [5, 9, 3], [16, 40, 8], [7, 3, 17]]) {
        const q = randomArray(n * d, 3 * n + k), s = randomArray(k * d, 5 * k + d, -3, 3);
        const before = tf.memory().numTensors;
        const got = tf.tidy(() => {
          const r = nearestSupport(tf.tensor2d(q, [n, d]), tf.tensor2d(s, [k, d]));
          return { indices: Array.from(r.indices.dataSync()), rows: Array.from(r.rows.dataSync()) };
        });
        expect(tf.memory().numTensors).toBe(before);
        const support = rows(s, k, d);
        const want = rows(q, n, d).map((row) => loopNearest(row, support));
        expect(got.indices).toEqual(want);
        expect(got.rows).toEqual(want.flatMap((i) => Array.from(s.subarray(i * d, (i + 1) * d))));
      }
    });

    it('compares directions, not lengths, takes the first of tied rows, and passes no gradient', () => {
      tf.setBackend(backend);
      const { indices, grad } = tf.tidy(() => {
        const support = tf.tensor2d([[10, 0], [0, 0.1], [0, 5], [-1, 0]]); // rows 1 and 2 tie for +y
        const q = tf.tensor2d([[0.2, 0.01], [0, 3], [-5, 1]]);
        const r = nearestSupport(q, support);
        // The lookup's only path from q to the output: a gradient through it would not be zero.
        const g = tf.grad((x: tf.Tensor) => tf.add(tf.sum(nearestSupport(x as tf.Tensor2D, support).rows), tf.mul(0, tf.sum(x))))(q);
        return { indices: Array.from(r.indices.dataSync()), grad: Array.from(g.dataSync()) };
      });
      expect(indices).toEqual([0, 1, 3]);
      expect(grad).toEqual([0, 0, 0, 0, 0, 0]);
    });
  });

  describe(`nnclrLoss on ${backend}`, () => {
    const cases: [number, number, number, number][] = [
      // [N, K, d, T]
      [1, 4, 3, 0.1],
      [4, 8, 5, 0.1],
      [8, 32, 6, 0.5],
      [6, 3, 4, 1],
    ];
    for (const [n, k, d, T] of cases) {
      it(`matches the loop implementation, forward and gradient (N=${n}, K=${k}, d=${d}, T=${T})`, () => {
        tf.setBackend(backend);
        const [z1, z2, p1, p2] = [1, 2, 3, 4].map((j) => randomArray(n * d, 100 * j + 7 * n + k));
        const s = randomArray(k * d, 11 * k + d);
        const support = rows(s, k, d);
        const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, e: tf.Tensor) => tf.tidy(() => {
          const loss = nnclrLoss(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D, e as tf.Tensor2D, tf.tensor2d(s, [k, d]), { temperature: T });
          return tf.add(loss, tf.mul(0, tf.add(tf.sum(a), tf.sum(b)))); // so that z1, z2 get a (zero) gradient
        });
        const { value, grads } = lossAndGrads(f, [[z1, [n, d]], [z2, [n, d]], [p1, [n, d]], [p2, [n, d]]]);
        const loop = (x: Rows[]) => loopLoss(x[0], x[1], x[2], x[3], support, T);
        const inputs = [z1, z2, p1, p2].map((v) => rows(v, n, d));
        expectClose([value], [loop(inputs)], 1e-5, 1e-5);
        expect(grads[0].every((g) => g === 0) && grads[1].every((g) => g === 0)).toBe(true); // no gradient through the lookup
        const [, , w1, w2] = numericGrad(loop, inputs);
        expectClose(grads[2], w1, 2e-5, 1e-3);
        expectClose(grads[3], w2, 2e-5, 1e-3);
      });
    }

    it('equals -log(e^{1/T} / (e^{1/T} + N - 1)) when the neighbours are the orthogonal predictions', () => {
      tf.setBackend(backend);
      const n = 5, k = 8, T = 0.1;
      const support = oneHot(k, k, (i) => i); // the unit basis
      const z = oneHot(n, k, (i) => i, 3), p = oneHot(n, k, (i) => i, 0.5); // NN(z_i) = e_i = p_i direction
      const got = value([[z, [n, k]], [z, [n, k]], [p, [n, k]], [p, [n, k]], [support, [k, k]]]);
      expectClose([got], [-Math.log(Math.exp(1 / T) / (Math.exp(1 / T) + n - 1))], 1e-4, 1e-5);
    });
  });
}

describe('nnclrLoss and nearestSupport validation', () => {
  it('rejects a bad temperature and mismatched shapes, naming them', () => {
    const z = tf.zeros([4, 3]) as tf.Tensor2D, s = tf.zeros([6, 3]) as tf.Tensor2D, wide = tf.zeros([4, 2]) as tf.Tensor2D, s2 = tf.zeros([6, 2]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    for (const bad of [0, -1, Number.NaN]) {
      expect(() => nnclrLoss(z, z, z, z, s, { temperature: bad })).toThrow(`nnclrLoss: temperature must be a finite number > 0, received ${bad}`);
    }
    expect(() => nnclrLoss(z, z, wide, z, s)).toThrow(/nnclrLoss: z1 and p1 must have the same shape \[N, D\], received \[4,3\] and \[4,2\]/);
    expect(() => nnclrLoss(z, z, z, z, s2)).toThrow(/nnclrLoss: support must have d = 3 columns like z1, received shape \[6,2\]/);
    expect(() => nearestSupport(z, s2)).toThrow(/nearestSupport: support must have d = 3 columns like queries, received shape \[6,2\]/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, s, wide, s2]);
  });
  it('defaults to T = 0.1', () => {
    const [a, b] = [randomArray(12, 1), randomArray(12, 2)];
    const s = randomArray(18, 3);
    const f = (T?: number) => value([[a, [4, 3]], [b, [4, 3]], [b, [4, 3]], [a, [4, 3]], [s, [6, 3]]], T);
    expect(f()).toBe(f(0.1));
  });
});
