import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../../src/backend/register.js';
import { MaskedPooling, maskedPool } from '../../../src/models/transformer/pooling.js';
import { centralDiff, maxAbsDiff, refPool, seededValues, toMat } from './transformer-encoder.reference.js';

const [B, L, H] = [3, 4, 5];
const MASK = [
  [1, 1, 1, 1],
  [1, 1, 0, 0],
  [0, 0, 0, 0],
];

describe('maskedPool', () => {
  for (const mode of ['mean', 'cls', 'max'] as const) {
    it(`${mode}: equals the reference (sentence-transformers' pooling), forward and gradient`, () => {
      tf.setBackend('native');
      const before = tf.memory().numTensors;
      const hv = seededValues(B * L * H, 1, -2, 2), rv = seededValues(B * H, 2);
      rv.fill(0, 2 * H); // the row without tokens (max: a constant -1e9, which would swamp the float64 differences)
      const Hs = Array.from({ length: B }, (_, b) => toMat(hv.subarray(b * L * H, (b + 1) * L * H), L, H));
      const h = tf.tensor3d(hv, [B, L, H]), mask = tf.tensor2d(MASK, [B, L], 'int32'), r = tf.tensor2d(rv, [B, H]);
      const y = tf.tidy(() => maskedPool(h, mask, mode).dataSync());
      const expected = Hs.map((m, b) => refPool(m, MASK[b], mode)).flat();
      expect(maxAbsDiff(y, expected)).toBeLessThanOrEqual(1e-6);
      if (mode === 'mean') expect(Array.from(y.subarray(2 * H))).toEqual([0, 0, 0, 0, 0]); // no token: 0 / 1e-9
      if (mode === 'max') expect(Array.from(y.subarray(2 * H))).toEqual([-1e9, -1e9, -1e9, -1e9, -1e9].map(Math.fround));
      const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(maskedPool(t, mask, mode), r)))(h).dataSync());
      const R = Array.from(rv);
      const loss = () => Hs.map((m, b) => refPool(m, MASK[b], mode)).flat().reduce((s, v, i) => s + v * R[i], 0);
      for (let i = 0; i < B * L * H; i++) {
        const b = Math.floor(i / (L * H)), l = Math.floor((i % (L * H)) / H);
        expect(Math.abs(g[i] - centralDiff(Hs[b][l], i % H, loss, 1e-7)), `dh[${i}]`).toBeLessThanOrEqual(1e-5);
      }
      tf.dispose([h, mask, r]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('MaskedPooling layer: [B, L, H] + [B, L] -> [B, H], mode in its config, refuses other modes', () => {
    tf.setBackend('native');
    const layer = new MaskedPooling({ mode: 'max', name: 'pool' });
    expect(layer.computeOutputShape([[null, null, 7], [null, null]])).toEqual([null, 7]);
    expect(layer.getConfig()).toMatchObject({ mode: 'max', name: 'pool' });
    const y = tf.tidy(() => (layer.apply([tf.tensor3d([1, 2, 3, 4], [1, 2, 2]), tf.tensor2d([[1, 0]], [1, 2], 'int32')]) as tf.Tensor).dataSync());
    expect(Array.from(y)).toEqual([1, 2]);
    expect(() => new MaskedPooling({ mode: 'sum' as never })).toThrow(/mode must be one of mean, cls, max, received "sum"/);
  });
});
