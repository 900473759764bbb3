import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../../src/backend/register.js';
import { feedForward } from '../../../src/models/transformer/feed-forward.js';
import { centralDiff, maxAbsDiff, refFeedForward, seededValues, toMat } from './transformer-encoder.reference.js';

const [N, H, I] = [7, 8, 16];

describe('feedForward', () => {
  for (const backend of ['native', 'cpu']) {
    it(`equals dense -> exact GELU -> dense in float64, forward and gradients (${backend})`, () => {
      tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const xv = seededValues(N * H, 1, -2, 2), k1 = seededValues(H * I, 2, -0.7, 0.7), b1 = seededValues(I, 3), k2 = seededValues(I * H, 4, -0.5, 0.5), b2 = seededValues(H, 5), rv = seededValues(N * H, 6);
      const X = toMat(xv, N, H), W = { intermediate: { kernel: toMat(k1, H, I), bias: Array.from(b1) }, output: { kernel: toMat(k2, I, H), bias: Array.from(b2) } };
      const ts = [tf.tensor2d(xv, [N, H]), tf.tensor2d(k1, [H, I]), tf.tensor1d(b1), tf.tensor2d(k2, [I, H]), tf.tensor1d(b2)];
      const r = tf.tensor2d(rv, [N, H]);
      const f = (x: tf.Tensor, a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => feedForward(x, { intermediate: { kernel: a, bias: b }, output: { kernel: c, bias: d } });
      const y = tf.tidy(() => f(ts[0], ts[1], ts[2], ts[3], ts[4]).dataSync());
      expect(maxAbsDiff(y, refFeedForward(X, W).flat())).toBeLessThanOrEqual(1e-5);
      // a [2, ..., H] input keeps its shape
      const y3 = tf.tidy(() => f(tf.reshape(ts[0], [1, N, H]), ts[1], ts[2], ts[3], ts[4]));
      expect(y3.shape).toEqual([1, N, H]);
      y3.dispose();
      const g = tf.tidy(() => tf.grads((x: tf.Tensor, a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(f(x, a, b, c, d), r)))(ts).map((t) => t.dataSync()));
      const R = Array.from(rv);
      const loss = () => refFeedForward(X, W).flat().reduce((s, v, i) => s + v * R[i], 0);
      const slots: [number[][] | number[], number][] = [[X, H], [W.intermediate.kernel, I], [W.intermediate.bias, 0], [W.output.kernel, H], [W.output.bias, 0]];
      slots.forEach(([m, cols], k) => {
        for (const i of [0, 3, 7, g[k].length - 1]) {
          const fd = cols ? centralDiff((m as number[][])[Math.floor(i / cols)], i % cols, loss) : centralDiff(m as number[], i, loss);
          expect(Math.abs(g[k][i] - fd), `input ${k}[${i}]`).toBeLessThanOrEqual(2e-5);
        }
      });
      tf.dispose([...ts, r]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('refuses kernels that do not chain H -> I -> H', () => {
    tf.setBackend('native');
    tf.tidy(() => {
      const d = (a: number, b: number) => ({ kernel: tf.zeros([a, b]), bias: tf.zeros([b]) });
      expect(() => feedForward(tf.zeros([2, 4]), { intermediate: d(4, 6), output: d(5, 4) })).toThrow(/kernels must be \[4, I\] and \[I, 4\].*received \[4,6\] and \[5,4\]/);
    });
  });
});
