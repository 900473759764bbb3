import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../../src/backend/register.js';
import { extendedAttentionMask, MASK_VALUE, multiHeadSelfAttention, type AttentionWeights } from '../../../src/models/transformer/attention.js';
import { centralDiff, maxAbsDiff, refAttention, seededValues, toMat, type RefAttention } from './transformer-encoder.reference.js';

const [B, L, H, heads] = [3, 5, 8, 2];
const MASK = [
  [1, 1, 1, 1, 1],
  [1, 1, 1, 0, 0],
  [1, 0, 0, 0, 0],
];
const NAMES = ['query', 'key', 'value', 'output'] as const;

function setup(seed: number) {
  const xv = seededValues(B * L * H, seed, -2, 2);
  const wv = NAMES.map((_, i) => ({ kernel: seededValues(H * H, seed + 10 + i, -0.6, 0.6), bias: seededValues(H, seed + 20 + i, -0.3, 0.3) }));
  const ref: RefAttention = Object.fromEntries(NAMES.map((n, i) => [n, { kernel: toMat(wv[i].kernel, H, H), bias: Array.from(wv[i].bias) }])) as unknown as RefAttention;
  const X = Array.from({ length: B }, (_, b) => toMat(xv.subarray(b * L * H, (b + 1) * L * H), L, H));
  return { xv, wv, ref, X };
}

describe('multiHeadSelfAttention', () => {
  it("extendedAttentionMask is (1 - mask) * float32 min, [B, 1, 1, L]", () => {
    tf.setBackend('native');
    const m = tf.tidy(() => extendedAttentionMask(tf.tensor2d([[1, 0]], [1, 2], 'int32')));
    expect(m.shape).toEqual([1, 1, 1, 2]);
    const v = m.dataSync();
    expect(v[0] === 0 && v[1] === Math.fround(MASK_VALUE)).toBe(true);
    m.dispose();
  });

  for (const backend of ['native', 'cpu']) {
    it(`equals the float64 reference with padding masks, forward and gradients (${backend})`, () => {
      tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const { xv, wv, ref, X } = setup(1);
      const rv = seededValues(B * L * H, 99);
      const R = Array.from(rv);
      const x = tf.tensor3d(xv, [B, L, H]);
      const mask = tf.tensor2d(MASK, [B, L], 'int32');
      const flat = wv.flatMap((w) => [tf.tensor2d(w.kernel, [H, H]), tf.tensor1d(w.bias)]);
      const asWeights = (ts: tf.Tensor[]): AttentionWeights => Object.fromEntries(NAMES.map((n, i) => [n, { kernel: ts[2 * i], bias: ts[2 * i + 1] }])) as unknown as AttentionWeights;
      const f = (...ts: tf.Tensor[]) => tf.tidy(() => multiHeadSelfAttention(ts[0], extendedAttentionMask(mask), asWeights(ts.slice(1)), heads));
      const y = f(x, ...flat);
      expect(y.shape).toEqual([B, L, H]);
      const expected = X.map((xb, b) => refAttention(xb, MASK[b], ref, heads));
      expect(maxAbsDiff(y.dataSync(), expected.flat(2))).toBeLessThanOrEqual(1e-5);
      // gradients w.r.t. x and every weight against central differences of the reference
      const r = tf.tensor3d(rv, [B, L, H]);
      const grads = tf.tidy(() => tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.mul(f(...ts), r)))([x, ...flat]).map((t) => t.dataSync()));
      const loss = () => X.map((xb, b) => refAttention(xb, MASK[b], ref, heads)).flat(2).reduce((s, v, i) => s + v * R[i], 0);
      for (const i of [0, 17, 44, 63, 80, 119]) {
        const b = Math.floor(i / (L * H)), l = Math.floor((i % (L * H)) / H);
        expect(Math.abs(grads[0][i] - centralDiff(X[b][l], i % H, loss)), `dx[${i}]`).toBeLessThanOrEqual(2e-5);
      }
      NAMES.forEach((n, k) => {
        for (const i of [0, 9, 27, 63]) expect(Math.abs(grads[1 + 2 * k][i] - centralDiff(ref[n].kernel[Math.floor(i / H)], i % H, loss)), `${n}.kernel[${i}]`).toBeLessThanOrEqual(2e-5);
        for (const i of [0, 5]) expect(Math.abs(grads[2 + 2 * k][i] - centralDiff(ref[n].bias, i, loss)), `${n}.bias[${i}]`).toBeLessThanOrEqual(2e-5);
      });
      tf.dispose([x, mask, r, y, ...flat]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('a padded key gets no weight: changing x at padded positions leaves the outputs of the others unchanged', () => {
    tf.setBackend('native');
    const { xv, wv } = setup(2);
    const w = Object.fromEntries(NAMES.map((n, i) => [n, { kernel: tf.tensor2d(wv[i].kernel, [H, H]), bias: tf.tensor1d(wv[i].bias) }])) as unknown as AttentionWeights;
    const mask = tf.tensor2d(MASK.slice(0, 2), [2, L], 'int32');
    const run = (v: Float32Array) => tf.tidy(() => multiHeadSelfAttention(tf.tensor3d(v, [2, L, H]), extendedAttentionMask(mask), w, heads).dataSync());
    const v0 = xv.slice(0, 2 * L * H);
    const v1 = v0.slice();
    for (let l = 3; l < L; l++) for (let j = 0; j < H; j++) v1[L * H + l * H + j] += 5; // row 1, padded positions 3, 4
    const [a, b] = [run(v0), run(v1)];
    expect(Array.from(b.subarray(0, L * H + 3 * H))).toEqual(Array.from(a.subarray(0, L * H + 3 * H)));
    expect(maxAbsDiff(b.subarray(L * H + 3 * H), a.subarray(L * H + 3 * H))).toBeGreaterThan(1e-3); // padded queries themselves change
    tf.dispose([mask, ...Object.values(w).flatMap((d) => [d.kernel, d.bias])]);
  });

  it('a row without any kept key attends uniformly (forward, as the float32-minimum mask of HF gives)', () => {
    tf.setBackend('native');
    const { xv, wv, ref, X } = setup(3);
    const none = [[0, 0, 0, 0, 0]];
    const w = Object.fromEntries(NAMES.map((n, i) => [n, { kernel: tf.tensor2d(wv[i].kernel, [H, H]), bias: tf.tensor1d(wv[i].bias) }])) as unknown as AttentionWeights;
    const y = tf.tidy(() => multiHeadSelfAttention(tf.tensor3d(xv.subarray(0, L * H), [1, L, H]), extendedAttentionMask(tf.tensor2d(none, [1, L], 'int32')), w, heads).dataSync());
    expect(maxAbsDiff(y, refAttention(X[0], none[0], ref, heads).flat())).toBeLessThanOrEqual(1e-5);
    tf.dispose(Object.values(w).flatMap((d) => [d.kernel, d.bias]));
  });

  it('refuses heads that do not divide the width and a mask of another shape', () => {
    tf.setBackend('native');
    tf.tidy(() => {
      const x = tf.zeros([1, 2, 6]);
      const d = { kernel: tf.zeros([6, 6]), bias: tf.zeros([6]) };
      const w = { query: d, key: d, value: d, output: d };
      expect(() => multiHeadSelfAttention(x, tf.zeros([1, 1, 1, 2]), w, 4)).toThrow(/numHeads must be an integer >= 1 dividing hidden 6, received 4/);
      expect(() => multiHeadSelfAttention(x, tf.zeros([1, 1, 1, 3]), w, 2)).toThrow(/additiveMask must be \[1, 1, 1, 2\], received \[1,1,1,3\]/);
    });
  });
});
