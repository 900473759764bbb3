import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { maskedSoftmax } from '../../src/ops/masked-softmax.js';
import { countAddonCalls, expectParity, randomArray, runOn } from '../backend/parity.js';

/** tfjs's composition: softmax(scores * scale + bias) with autodiff. */
const composed = (s: tf.Tensor, b: tf.Tensor, scale: number) => tf.softmax(tf.add(tf.mul(s, tf.scalar(scale)), b));

/** Literal float64 loops: y and the gradients of sum(y * w) w.r.t. scores and bias. */
function reference(s: Float32Array, bias: Float32Array, w: Float32Array, B: number, n: number, scale: number) {
  const rows = s.length / n, R = rows / B;
  const y = new Float64Array(s.length), ds = new Float64Array(s.length), db = new Float64Array(B * n);
  for (let r = 0; r < rows; r++) {
    const b = Math.floor(r / R);
    const z = Array.from({ length: n }, (_, j) => s[r * n + j] * scale + bias[b * n + j]);
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const total = e.reduce((a, v) => a + v, 0);
    const p = e.map((v) => v / total);
    const dot = p.reduce((a, v, j) => a + v * w[r * n + j], 0);
    for (let j = 0; j < n; j++) {
      y[r * n + j] = p[j];
      const dz = p[j] * (w[r * n + j] - dot); // dL/dz_j
      ds[r * n + j] = scale * dz;
      db[b * n + j] += dz;
    }
  }
  return { y, ds, db };
}

describe('maskedSoftmax op', () => {
  for (const [shape, scale] of [[[2, 3, 5, 7], 0.37], [[32, 12, 64, 64], 1 / Math.sqrt(32)], [[3, 1, 33], 1], [[1, 1, 1, 1], 2]] as [number[], number][]) {
    const B = shape[0], n = shape[shape.length - 1];
    const biasShape = shape.map((d, i) => (i === 0 || i === shape.length - 1 ? d : 1));
    const specs = [{ shape, lo: -4, hi: 4 }, { shape: biasShape, lo: -3, hi: 0 }, { shape }];
    it(`native matches the cpu reference kernels, forward and gradient, scores [${shape}] bias [${biasShape}]`, () => {
      expectParity(specs.slice(0, 2), (s, b) => maskedSoftmax(s, b, scale), { rtol: 1e-5, atol: 1e-6 });
      expectParity(specs, (s, b, w) => tf.grads((a: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(maskedSoftmax(a, c, scale), w)))([s, b]), { rtol: 1e-4, atol: 1e-6 });
      expect(B * n).toBeGreaterThan(0);
    });
  }

  for (const backend of ['cpu', 'native']) {
    it(`equals literal float64 loops and tfjs' composition, forward and gradients (${backend})`, () => {
      const [B, G, L, n, scale] = [2, 3, 4, 9, 0.6];
      const shape = [B, G, L, n], size = B * G * L * n;
      const data = [randomArray(size, 1, -3, 3), randomArray(B * n, 2, -2, 0), randomArray(size, 3)];
      const specs = [{ shape }, { shape: [B, 1, 1, n] }, { shape }];
      const ref = reference(data[0], data[1], data[2], B, n, scale);
      const grads = (f: typeof composed) => (s: tf.Tensor, b: tf.Tensor, w: tf.Tensor) => tf.grads((a: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, c, scale), w)))([s, b]);
      const [y] = runOn(backend, specs.slice(0, 2), data.slice(0, 2), (s, b) => maskedSoftmax(s, b, scale)).values;
      const [ds, db] = runOn(backend, specs, data, grads(maskedSoftmax)).values;
      const [yc] = runOn(backend, specs.slice(0, 2), data.slice(0, 2), (s, b) => composed(s, b, scale)).values;
      const [dsc, dbc] = runOn(backend, specs, data, grads(composed)).values;
      ref.y.forEach((v, i) => { expect(Math.abs(y[i] - v)).toBeLessThanOrEqual(1e-6); expect(Math.abs(yc[i] - v)).toBeLessThanOrEqual(1e-6); });
      ref.ds.forEach((v, i) => { expect(Math.abs(ds[i] - v)).toBeLessThanOrEqual(1e-6); expect(Math.abs(dsc[i] - v)).toBeLessThanOrEqual(1e-6); });
      ref.db.forEach((v, i) => { expect(Math.abs(db[i] - v)).toBeLessThanOrEqual(1e-6); expect(Math.abs(dbc[i] - v)).toBeLessThanOrEqual(1e-6); });
    });
  }

  it("BERT's mask (float32 min) zeroes padded keys; an all-padded row attends uniformly; NaN rows stay NaN", () => {
    for (const backend of ['cpu', 'native']) {
      tf.setBackend(backend);
      const out = tf.tidy(() => {
        const s = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, NaN, 0, 0, 0], [3, 1, 1, 4]);
        const min = -3.4028234663852886e38;
        const bias = tf.tensor4d([0, 0, min, min, min, min, min, min, 0, 0, 0, 0], [3, 1, 1, 4]);
        return maskedSoftmax(s, bias, 0.5).dataSync();
      });
      const e = Math.exp(0.5);
      expect(out[0]).toBeCloseTo(1 / (1 + e), 6);
      expect(out[1]).toBeCloseTo(e / (1 + e), 6);
      expect([out[2], out[3]]).toEqual([0, 0]);
      for (let j = 4; j < 8; j++) expect(out[j]).toBeCloseTo(0.25, 6); // all keys masked: as HF
      for (let j = 8; j < 12; j++) expect(Number.isNaN(out[j])).toBe(true);
    }
  });

  it('runs on the addon on native; no bias is zero bias; validates its arguments', () => {
    tf.setBackend('native');
    const s = tf.tensor3d(randomArray(24, 5), [2, 3, 4]);
    const calls = countAddonCalls('maskedSoftmax', () => {
      const [a, b] = tf.tidy(() => [maskedSoftmax(s, undefined, 2).dataSync(), tf.softmax(tf.mul(s, 2)).dataSync()]);
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 6));
    });
    expect(calls).toBe(1);
    expect(countAddonCalls('maskedSoftmaxGrad', () => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.square(maskedSoftmax(t))))(s).dataSync()))).toBe(1);
    expect(() => maskedSoftmax(s, tf.zeros([2, 5]))).toThrow(/bias must be \[2, 4\] or \[2, 1, \.\.\., 4\].*received \[2,5\]/);
    expect(() => maskedSoftmax(tf.zeros([4]))).toThrow(/scores must have rank >= 2/);
    expect(() => maskedSoftmax(s, undefined, Infinity)).toThrow(/scale must be a finite number, received Infinity/);
    s.dispose();
  });
});
