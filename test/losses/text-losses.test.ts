/**
 * The sentence-embedding losses (MNRL, symmetric MNRL, CoSENT, distillation) against float64 loops,
 * forward and gradient (central differences), on both backends; closed forms and validation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { coSentLoss } from '../../src/losses/cosent.js';
import { distillationLoss } from '../../src/losses/distill.js';
import { mnrlLoss } from '../../src/losses/mnrl.js';
import { randomArray } from '../backend/parity.js';
import { BACKENDS, cosine, expectClose, lossAndGrads, numericGrad, rows, type Rows } from './reference.js';

/** MNRL the slow way: per anchor one softmax over all positives and all hard negatives. */
function loopMnrl(a: Rows, p: Rows, n: Rows, scale: number, symmetric: boolean): number {
  const direction = (q: Rows, candidates: Rows, right: Rows) => {
    let total = 0;
    for (let i = 0; i < q.length; i++) {
      let den = 0;
      for (const c of candidates) den += Math.exp(scale * cosine(q[i], c));
      total += -(scale * cosine(q[i], right[i]) - Math.log(den));
    }
    return total / q.length;
  };
  const forward = direction(a, [...p, ...n], p);
  return symmetric ? (forward + direction(p, a, a)) / 2 : forward;
}

/** CoSENT the slow way: log(1 + sum over gold-ordered pairs of exp(scale (c_j - c_i))). */
function loopCoSent(u: Rows, v: Rows, s: number[], scale: number): number {
  const c = u.map((x, i) => cosine(x, v[i]));
  let sum = 1;
  for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) if (s[i] > s[j]) sum += Math.exp(scale * (c[j] - c[i]));
  return Math.log(sum);
}

for (const backend of BACKENDS) {
  describe(`sentence losses on ${backend}`, () => {
    for (const [b, m, d, scale, symmetric] of [[1, 0, 3, 20, false], [4, 0, 5, 20, true], [3, 1, 4, 20, false], [5, 2, 6, 5, true], [2, 3, 3, 1, false]] as [number, number, number, number, boolean][]) {
      it(`mnrlLoss matches the loop, forward and gradient (B=${b}, M=${m}, D=${d}, scale=${scale}, symmetric=${symmetric})`, () => {
        tf.setBackend(backend);
        const a = randomArray(b * d, 3 + b), p = randomArray(b * d, 5 + d), n = randomArray(b * m * d, 7 + m);
        const inputs: [Float32Array, number[]][] = [[a, [b, d]], [p, [b, d]]];
        if (m > 0) inputs.push([n, [b * m, d]]);
        const got = lossAndGrads((x, y, z) => mnrlLoss(x, y, z, { scale, symmetric }), inputs);
        const r = [rows(a, b, d), rows(p, b, d), rows(n, b * m, d)];
        expectClose([got.value], [loopMnrl(r[0], r[1], r[2], scale, symmetric)], 1e-5, 1e-5);
        const want = numericGrad(([x, y, z]) => loopMnrl(x, y, z, scale, symmetric), r);
        for (let i = 0; i < inputs.length; i++) expectClose(got.grads[i], want[i], 5e-5, 3e-3);
      });
    }

    for (const [b, d, scale] of [[2, 3, 20], [5, 4, 20], [6, 8, 3]] as [number, number, number][]) {
      it(`coSentLoss matches the loop, forward and gradient (B=${b}, D=${d}, scale=${scale}, tied scores included)`, () => {
        tf.setBackend(backend);
        const u = randomArray(b * d, 11 + b), v = randomArray(b * d, 13 + d);
        const s = Array.from({ length: b }, (_, i) => [0.1, 0.9, 0.5, 0.5, 3, -1][i % 6]);
        const got = lossAndGrads((x, y) => coSentLoss(x, y, s, { scale }), [[u, [b, d]], [v, [b, d]]]);
        const r = [rows(u, b, d), rows(v, b, d)];
        expectClose([got.value], [loopCoSent(r[0], r[1], s, scale)], 1e-5, 1e-5);
        const want = numericGrad(([x, y]) => loopCoSent(x, y, s, scale), r);
        for (let i = 0; i < 2; i++) expectClose(got.grads[i], want[i], 5e-5, 3e-3);
      });
    }

    it('distillationLoss is the mean squared difference; the gradient flows into the student only', () => {
      tf.setBackend(backend);
      const s = randomArray(12, 1), t = randomArray(12, 2);
      const got = lossAndGrads((x, y) => distillationLoss(x, y), [[s, [3, 4]], [t, [3, 4]]]);
      let want = 0;
      for (let i = 0; i < 12; i++) want += (s[i] - t[i]) ** 2 / 12;
      expectClose([got.value], [want], 1e-6, 1e-5);
      expectClose(got.grads[0], Array.from(s, (x, i) => (2 * (x - t[i])) / 12), 1e-6, 1e-5);
      expect(got.grads[1].every((g) => g === 0)).toBe(true);
    });
  });
}

describe('sentence losses: closed forms and validation', () => {
  it('MNRL with one-hot identical pairs is -log(e^s / (e^s + B - 1)); CoSENT of agreeing order is small, of reversed order large, of equal scores 0', () => {
    const b = 4, s = 20;
    const eye = tf.eye(b);
    expectClose([mnrlLoss(eye, eye).dataSync()[0]], [-Math.log(Math.exp(s) / (Math.exp(s) + b - 1))], 1e-6, 1e-5);
    const u = tf.tensor2d([[1, 0], [1, 0], [1, 0]]), v = tf.tensor2d([[1, 0], [1, 1], [0, 1]]); // cosines 1, 0.707, 0
    expectClose([coSentLoss(u, v, [3, 2, 1]).dataSync()[0]], [Math.log(1 + Math.exp(20 * (Math.SQRT1_2 - 1)) + Math.exp(-20) + Math.exp(-20 * Math.SQRT1_2))], 1e-6, 1e-4);
    expect(coSentLoss(u, v, [1, 2, 3]).dataSync()[0]).toBeGreaterThan(10);
    expect(coSentLoss(u, v, [2, 2, 2]).dataSync()[0]).toBe(0);
    tf.dispose([eye, u, v]);
  });
  it('refuses bad options and shapes, naming them', () => {
    const x = tf.ones([2, 3]);
    expect(() => mnrlLoss(x, x, undefined, { scale: 0 })).toThrow('mnrlLoss: scale must be a finite number > 0, received 0');
    expect(() => mnrlLoss(x, x, tf.ones([3, 3]))).toThrow('mnrlLoss: negatives must have shape [B * M, 3] (M >= 1 per anchor, B = 2), received [3,3]');
    expect(() => coSentLoss(x, x, [1])).toThrow('coSentLoss: scores must hold B = 2 values (one per pair), received 1');
    expect(() => coSentLoss(x, x, [1, NaN])).toThrow('coSentLoss: scores must be finite numbers, received NaN at 1');
    expect(() => distillationLoss(x, tf.ones([2, 4]))).toThrow(/distillationLoss/);
    x.dispose();
  });
});
