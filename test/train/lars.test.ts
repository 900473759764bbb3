import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { LARS } from '../../src/train/lars.js';
import { randomArray } from '../backend/parity.js';

const l2 = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));

describe('LARS', () => {
  it('two steps equal the literal update; rank-1 tensors get plain momentum SGD', () => {
    const lr = 0.5, m = 0.9, wd = 0.01, eta = 0.02;
    const w0 = randomArray(12, 1), b0 = randomArray(3, 2);
    const W = tf.variable(tf.tensor2d(w0, [4, 3])), B = tf.variable(tf.tensor1d(b0));
    const x = tf.tensor2d(randomArray(20, 3), [5, 4]);
    const opt = new LARS({ learningRate: lr, momentum: m, weightDecay: wd, eta });
    const before = tf.memory().numTensors;
    // Reference, in float64: loss = sum((x W + b)^2) / 2 -> dW = x^T y, db = sum_rows y.
    let w = Array.from(w0), b = Array.from(b0);
    let vw = new Array(12).fill(0), vb = new Array(3).fill(0);
    const xs = Array.from(x.dataSync());
    for (let step = 0; step < 2; step++) {
      opt.minimize(() => tf.div(tf.sum(tf.square(tf.add(tf.matMul(x, W), B))), 2) as tf.Scalar, false, [W, B]);
      const y = Array.from({ length: 15 }, (_, k) => {
        const r = Math.floor(k / 3), c = k % 3;
        let s = b[c];
        for (let j = 0; j < 4; j++) s += xs[r * 4 + j] * w[j * 3 + c];
        return s;
      });
      const gw = Array.from({ length: 12 }, (_, k) => {
        const j = Math.floor(k / 3), c = k % 3;
        let s = 0;
        for (let r = 0; r < 5; r++) s += xs[r * 4 + j] * y[r * 3 + c];
        return s + wd * w[k];
      });
      const gb = [0, 1, 2].map((c) => [0, 1, 2, 3, 4].reduce((s, r) => s + y[r * 3 + c], 0));
      const trust = (eta * l2(w)) / l2(gw);
      vw = vw.map((v, k) => m * v + lr * trust * gw[k]);
      vb = vb.map((v, c) => m * v + lr * gb[c]);
      w = w.map((v, k) => v - vw[k]);
      b = b.map((v, c) => v - vb[c]);
    }
    Array.from(W.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(w[k], 4));
    Array.from(B.dataSync()).forEach((v, c) => expect(v).toBeCloseTo(b[c], 4));
    expect(tf.memory().numTensors).toBe(before + 2); // the two velocity slots
    opt.dispose();
    tf.dispose([W, B, x]);
  });
  it('a zero weight tensor uses trust 1 (no division by zero)', () => {
    const W = tf.variable(tf.zeros([2, 2]));
    const opt = new LARS({ learningRate: 1, momentum: 0, weightDecay: 0 });
    opt.minimize(() => tf.sum(W) as tf.Scalar, false, [W]);
    expect(Array.from(W.dataSync())).toEqual([-1, -1, -1, -1]);
    opt.dispose();
    W.dispose();
  });
  it('validates its options', () => {
    expect(() => new LARS({ learningRate: -1 })).toThrow(/learningRate must be a finite number >= 0, received -1/);
    expect(() => new LARS({ learningRate: 1, momentum: 1 })).toThrow(/momentum must be in \[0, 1\), received 1/);
  });
});
