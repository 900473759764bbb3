import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../../src/backend/register.js';
import { LayerNorm, layerNorm } from '../../../src/models/transformer/layer-norm.js';
import { centralDiff, maxAbsDiff, refLayerNorm, seededValues, toMat } from './transformer-encoder.reference.js';

const [N, H] = [6, 8];

describe('layerNorm', () => {
  for (const backend of ['native', 'cpu']) {
    it(`equals the float64 reference, forward and gradients w.r.t. x, gamma, beta (${backend})`, () => {
      tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const xv = seededValues(N * H, 1, -3, 3), gv = seededValues(H, 2, 0.5, 1.5), bv = seededValues(H, 3), rv = seededValues(N * H, 4);
      for (const eps of [1e-12, 1e-5]) {
        const x = tf.tensor3d(xv, [2, 3, H]), g = tf.tensor1d(gv), b = tf.tensor1d(bv), r = tf.tensor3d(rv, [2, 3, H]);
        const y = layerNorm(x, g, b, eps);
        const X = toMat(xv, N, H), G = Array.from(gv), B = Array.from(bv), R = Array.from(rv);
        expect(maxAbsDiff(y.dataSync(), refLayerNorm(X, G, B, eps).flat())).toBeLessThanOrEqual(1e-5);
        const [dx, dg, db] = tf.tidy(() => tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(layerNorm(a, c, d, eps), r)))([x, g, b]).map((t) => t.dataSync()));
        const loss = () => refLayerNorm(X, G, B, eps).flat().reduce((s, v, i) => s + v * R[i], 0);
        for (let i = 0; i < N * H; i++) expect(Math.abs(dx[i] - centralDiff(X[Math.floor(i / H)], i % H, loss))).toBeLessThanOrEqual(1e-5);
        for (let j = 0; j < H; j++) {
          expect(Math.abs(dg[j] - centralDiff(G, j, loss))).toBeLessThanOrEqual(1e-5);
          expect(Math.abs(db[j] - centralDiff(B, j, loss))).toBeLessThanOrEqual(1e-5);
        }
        tf.dispose([x, g, b, r, y]);
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('is a constant row -> beta (eps keeps it finite), and refuses gamma of another width', () => {
    tf.setBackend('native');
    const y = tf.tidy(() => layerNorm(tf.fill([2, 4], 3), tf.ones([4]), tf.tensor1d([1, 2, 3, 4])).dataSync());
    expect(Array.from(y)).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    expect(() => tf.tidy(() => layerNorm(tf.ones([2, 4]), tf.ones([3]), tf.zeros([4])))).toThrow(/gamma and beta must be \[4\]/);
  });

  it('LayerNorm layer: gamma ones, beta zeros, epsilon in its config, refuses epsilon <= 0', () => {
    tf.setBackend('native');
    const layer = new LayerNorm({ epsilon: 1e-6, name: 'ln' });
    const x = tf.tensor2d(seededValues(12, 5), [3, 4]);
    const y = tf.tidy(() => (layer.apply(x) as tf.Tensor).dataSync());
    expect(layer.getWeights().map((w) => Array.from(w.dataSync()))).toEqual([[1, 1, 1, 1], [0, 0, 0, 0]]);
    expect(maxAbsDiff(y, refLayerNorm(toMat(x.dataSync(), 3, 4), [1, 1, 1, 1], [0, 0, 0, 0], 1e-6).flat())).toBeLessThanOrEqual(1e-6);
    expect(layer.getConfig()).toMatchObject({ epsilon: 1e-6, name: 'ln' });
    expect(() => new LayerNorm({ epsilon: 0 })).toThrow(/epsilon must be a finite number > 0, received 0/);
    x.dispose();
    layer.dispose();
  });
});
