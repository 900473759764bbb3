import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../../src/backend/register.js';
import { gelu } from '../../../src/models/transformer/gelu.js';
import { erf, maxAbsDiff, refGelu } from './transformer-encoder.reference.js';

describe('gelu (exact, erf form)', () => {
  it('the reference erf is right (known values)', () => {
    expect(erf(0)).toBe(0);
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 14);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 14);
    expect(erf(-2)).toBeCloseTo(-0.9953222650189527, 14);
    expect(erf(3)).toBeCloseTo(0.9999779095030014, 14);
  });

  for (const backend of ['native', 'cpu']) {
    it(`equals 0.5 x (1 + erf(x / sqrt 2)) and its derivative Phi(x) + x phi(x) on [-8, 8] (${backend})`, () => {
      tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const xs = Array.from({ length: 321 }, (_, i) => -8 + i * 0.05);
      const x = tf.tensor1d(xs);
      const y = tf.tidy(() => gelu(x).dataSync());
      const dy = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(x).dataSync());
      expect(maxAbsDiff(y, xs.map(refGelu))).toBeLessThanOrEqual(2e-6);
      const dref = xs.map((v) => 0.5 * (1 + erf(v / Math.SQRT2)) + (v * Math.exp(-v * v / 2)) / Math.sqrt(2 * Math.PI));
      expect(maxAbsDiff(dy, dref)).toBeLessThanOrEqual(2e-6);
      expect(y[0]).toBeCloseTo(0, 6); // not the tanh form's tail
      x.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
