import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { layerNorm } from '../../src/ops/layer-norm.js';
import { countAddonCalls, expectParity, randomArray, runOn } from '../backend/parity.js';

/** Literal float64 LayerNorm over the last axis and its gradients for the loss sum(y * w). */
function reference(x: Float32Array, g: Float32Array, b: Float32Array, w: Float32Array, H: number, eps: number) {
  const M = x.length / H;
  const y = new Float64Array(x.length), dx = new Float64Array(x.length), dg = new Float64Array(H), db = new Float64Array(H);
  for (let i = 0; i < M; i++) {
    const row = Array.from(x.subarray(i * H, (i + 1) * H));
    const mean = row.reduce((s, v) => s + v, 0) / H;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / H;
    const sigma = Math.sqrt(variance + eps);
    const xhat = row.map((v) => (v - mean) / sigma);
    // dL/dxhat_j = w_j g_j; dx = (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) / sigma
    const dxhat = xhat.map((_, j) => w[i * H + j] * g[j]);
    const m1 = dxhat.reduce((s, v) => s + v, 0) / H;
    const m2 = dxhat.reduce((s, v, j) => s + v * xhat[j], 0) / H;
    for (let j = 0; j < H; j++) {
      y[i * H + j] = xhat[j] * g[j] + b[j];
      dx[i * H + j] = (dxhat[j] - m1 - xhat[j] * m2) / sigma;
      dg[j] += w[i * H + j] * xhat[j];
      db[j] += w[i * H + j];
    }
  }
  return { y, dx, dg, db };
}

const loss = (eps: number) => (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, w: tf.Tensor) =>
  tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(layerNorm(a, c, d, eps), w)))([x, g, b]);

describe('layerNorm op', () => {
  for (const shape of [[1, 1], [3, 7], [2, 5, 33], [4, 16, 384], [300, 17]]) {
    const H = shape[shape.length - 1];
    const specs = [{ shape, lo: -3, hi: 5 }, { shape: [H], lo: 0.5, hi: 1.5 }, { shape: [H] }, { shape }];
    it(`native matches the cpu reference kernels, forward and gradient, x [${shape}]`, () => {
      expectParity(specs.slice(0, 3), (x, g, b) => layerNorm(x, g, b, 1e-12), { rtol: 1e-5, atol: 1e-5 });
      expectParity(specs, (x, g, b, w) => loss(1e-5)(x, g, b, w), { rtol: 1e-4, atol: 1e-4 });
    });
  }

  for (const backend of ['cpu', 'native']) {
    it(`equals literal float64 loops, forward and gradient (${backend})`, () => {
      const shape = [5, 24], H = 24, eps = 1e-5;
      const data = [randomArray(120, 1, -2, 4), randomArray(H, 2, 0.5, 1.5), randomArray(H, 3), randomArray(120, 4)];
      const specs = [{ shape }, { shape: [H] }, { shape: [H] }, { shape }];
      const ref = reference(data[0], data[1], data[2], data[3], H, eps);
      const [y] = runOn(backend, specs.slice(0, 3), data.slice(0, 3), (x, g, b) => layerNorm(x, g, b, eps)).values;
      const [dx, dg, db] = runOn(backend, specs, data, loss(eps)).values;
      const close = (got: Float32Array, want: Float64Array, tol: number) => want.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(tol));
      close(y, ref.y, 2e-6);
      close(dx, ref.dx, 2e-5);
      close(dg, ref.dg, 1e-5);
      close(db, ref.db, 1e-5);
    });
  }

  it('runs on the addon on native (forward and backward)', () => {
    tf.setBackend('native');
    const x = tf.ones([2, 3]), g = tf.ones([3]), b = tf.zeros([3]);
    expect(countAddonCalls('layerNormForward', () => tf.tidy(() => layerNorm(x, g, b, 1e-5).dataSync()))).toBe(1);
    expect(countAddonCalls('layerNormBackward', () => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(layerNorm(t, g, b, 1e-5)))(x).dataSync()))).toBe(1);
    tf.dispose([x, g, b]);
  });

  it('validates its arguments', () => {
    const x = tf.zeros([2, 3]);
    expect(() => layerNorm(x, tf.ones([4]), tf.zeros([3]), 1e-5)).toThrow(/gamma and beta must be \[3\].*received \[4\] and \[3\]/);
    expect(() => layerNorm(x, tf.ones([3]), tf.zeros([3]), 0)).toThrow(/epsilon must be a finite number > 0, received 0/);
    expect(() => layerNorm(tf.zeros([2, 3], 'int32'), tf.ones([3]), tf.zeros([3]), 1e-5)).toThrow(/x must be float32, received int32/);
  });
});
