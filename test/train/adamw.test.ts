/**
 * AdamW against a literal float64 loop of PyTorch's torch.optim.AdamW (decay first, w <- w (1 -
 * lr wd), then Adam's bias-corrected step), on a kernel (rank 2: decays) and a bias (rank 1: does
 * not), over several steps with changing gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { ResumableAdamW } from '../../src/train/adam.js';

describe('ResumableAdamW', () => {
  it('equals a float64 AdamW loop; only weights of rank >= 2 decay', () => {
    const lr = 0.05, wd = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-7; // tfjs's Adam epsilon default
    const w0 = [[0.5, -1], [2, 0.25]], c0 = [0.3, -0.7];
    const kernel = tf.variable(tf.tensor2d(w0)), bias = tf.variable(tf.tensor1d(c0));
    const opt = new ResumableAdamW(lr, wd);
    // The reference: flat float64 copies.
    const ref = { w: w0.flat(), c: [...c0] };
    const m = { w: [0, 0, 0, 0], c: [0, 0] }, v = { w: [0, 0, 0, 0], c: [0, 0] };
    for (let t = 1; t <= 6; t++) {
      const scale = 1 + t / 3;
      // loss = scale * (sum w^2 + sum c^3): dL/dw = 2 scale w, dL/dc = 3 scale c^2
      opt.minimize(() => tf.mul(tf.scalar(scale), tf.add(tf.sum(tf.square(kernel)), tf.sum(tf.pow(bias, 3)))) as tf.Scalar);
      for (const k of ['w', 'c'] as const) {
        const decays = k === 'w';
        ref[k] = ref[k].map((x, i) => {
          const g = k === 'w' ? 2 * scale * x : 3 * scale * x * x;
          const y = decays ? x * (1 - lr * wd) : x;
          m[k][i] = b1 * m[k][i] + (1 - b1) * g;
          v[k][i] = b2 * v[k][i] + (1 - b2) * g * g;
          const mh = m[k][i] / (1 - b1 ** t), vh = v[k][i] / (1 - b2 ** t);
          return y - (lr * mh) / (Math.sqrt(vh) + eps);
        });
      }
    }
    const got = { w: Array.from(kernel.dataSync()), c: Array.from(bias.dataSync()) };
    got.w.forEach((x, i) => expect(x).toBeCloseTo(ref.w[i], 5));
    got.c.forEach((x, i) => expect(x).toBeCloseTo(ref.c[i], 5));
    // Without the decay the kernel would differ: the decay is applied.
    expect(Math.abs(got.w[2] - ref.w[2])).toBeLessThan(1e-5);
    opt.dispose();
    kernel.dispose();
    bias.dispose();
  });

  it('checks weightDecay', () => {
    expect(() => new ResumableAdamW(0.01, -1)).toThrow(/weightDecay must be a finite number >= 0, received -1/);
  });
});
