import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { BatchNorm } from '../../src/models/layers/batch-norm.js';
import { randomArray } from '../backend/parity.js';

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4) {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])));
}

describe('BatchNorm layer', () => {
  for (const backend of ['native', 'cpu']) {
    it(`matches tfjs-layers BatchNormalization in training mode, values and gradients (${backend})`, () => {
      tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const x = tf.tensor4d(randomArray(2 * 5 * 5 * 6, 3, -2, 2), [2, 5, 5, 6]);
      const ours = new BatchNorm({ epsilon: 1e-3 });
      const theirs = tfl.layers.batchNormalization({ epsilon: 1e-3 });
      tf.dispose([ours.apply(x) as tf.Tensor, theirs.apply(x) as tf.Tensor]); // build
      const gamma = tf.tensor1d(randomArray(6, 4, 0.5, 1.5)), beta = tf.tensor1d(randomArray(6, 5));
      const [z, o] = [tf.zeros([6]), tf.ones([6])];
      ours.setWeights([gamma, beta, z, o]);
      theirs.setWeights([gamma, beta, z, o]);
      const w = tf.tensor4d(randomArray(300, 6), [2, 5, 5, 6]);
      const run = (layer: tfl.layers.Layer) => tf.tidy(() => {
        const f = (xx: tf.Tensor) => tf.sum(tf.mul(layer.apply(xx, { training: true }) as tf.Tensor, w));
        const { value, grads } = tf.variableGrads(() => f(x) as tf.Scalar, layer.trainableWeights.map((v) => (v as unknown as { val: tf.Variable }).val));
        const dx = tf.grad(f)(x);
        return { value: value.dataSync(), grads: Object.values(grads).map((g) => g.dataSync()), dx: dx.dataSync() };
      });
      const a = run(ours), b = run(theirs);
      close(a.value, b.value);
      close(a.dx, b.dx);
      a.grads.forEach((g, i) => close(g, b.grads[i]));
      tf.dispose([x, gamma, beta, w, z, o]);
      ours.dispose(); theirs.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('updates running statistics as PyTorch does and uses them at inference', () => {
    tf.setBackend('native');
    const data = randomArray(8 * 3, 7, 0, 4);
    const x = tf.tensor2d(data, [8, 3]);
    const layer = new BatchNorm({ momentum: 0.1 });
    tf.tidy(() => layer.apply(x, { training: true }) as tf.Tensor);
    const [, , rm, rv] = layer.getWeights().map((t) => t.dataSync());
    for (let c = 0; c < 3; c++) {
      const col = Array.from({ length: 8 }, (_, i) => data[i * 3 + c]);
      const mean = col.reduce((s, v) => s + v, 0) / 8;
      const unbiased = col.reduce((s, v) => s + (v - mean) ** 2, 0) / 7;
      expect(rm[c]).toBeCloseTo(0.1 * mean, 5);
      expect(rv[c]).toBeCloseTo(0.9 + 0.1 * unbiased, 5);
    }
    const y = tf.tidy(() => (layer.apply(x) as tf.Tensor).dataSync());
    for (let i = 0; i < 8; i++) {
      for (let c = 0; c < 3; c++) expect(y[i * 3 + c]).toBeCloseTo((data[i * 3 + c] - rm[c]) / Math.sqrt(rv[c] + 1e-5), 4);
    }
    x.dispose(); layer.dispose();
  });

  it('validates its options', () => {
    expect(() => new BatchNorm({ momentum: 0 })).toThrow(/momentum must be in \(0, 1\], received 0/);
    expect(() => new BatchNorm({ epsilon: Number.NaN })).toThrow(/epsilon must be a finite number >= 0, received NaN/);
  });
});
