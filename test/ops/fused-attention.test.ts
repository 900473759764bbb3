import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { attentionContext } from '../../src/ops/fused-attention.js';
import { headContext, headScores } from '../../src/ops/attention-heads.js';
import { maskedSoftmax } from '../../src/ops/masked-softmax.js';
import { MASK_VALUE } from '../../src/models/transformer/attention.js';
import { countAddonCalls, expectParity, randomArray, runOn } from '../backend/parity.js';

const composed = (G: number, scale: number) => (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, bias?: tf.Tensor) =>
  headContext(maskedSoftmax(headScores(q, k, G), bias, scale), v);

/** An additive mask [B, 1, 1, Lk]: the last `pad` keys of odd batch elements masked. */
function mask(B: number, Lk: number, pad: number): tf.Tensor {
  const m = new Float32Array(B * Lk);
  for (let b = 1; b < B; b += 2) for (let j = Lk - pad; j < Lk; j++) m[b * Lk + j] = MASK_VALUE;
  return tf.tensor(m, [B, 1, 1, Lk]);
}

describe('attentionContext (fused inference attention)', () => {
  for (const [B, Lq, Lk, H, G] of [[2, 3, 5, 6, 2], [1, 1, 1, 1, 1], [3, 17, 9, 60, 5], [4, 64, 64, 384, 12], [2, 20, 70, 64, 2]]) {
    const specs = [{ shape: [B, Lq, H] }, { shape: [B, Lk, H] }, { shape: [B, Lk, H] }];
    const scale = 1 / Math.sqrt(H / G);
    it(`native kernel equals the cpu reference kernel and the composed ops, B ${B} Lq ${Lq} Lk ${Lk} H ${H} heads ${G}`, () => {
      const pad = Math.floor(Lk / 3);
      expectParity(specs, (q, k, v) => attentionContext(q, k, v, mask(B, Lk, pad), G, scale), { rtol: 1e-4, atol: 1e-5 });
      expectParity(specs, (q, k, v) => attentionContext(q, k, v, undefined, G, scale), { rtol: 1e-4, atol: 1e-5 });
      const data = specs.map((s, i) => randomArray(s.shape.reduce((a, b) => a * b, 1), 40 + i, -2, 2));
      const fused = runOn('native', specs, data, (q, k, v) => attentionContext(q, k, v, mask(B, Lk, pad), G, scale)).values[0];
      const want = runOn('native', specs, data, (q, k, v) => composed(G, scale)(q, k, v, mask(B, Lk, pad))).values[0];
      for (let i = 0; i < want.length; i++) expect(Math.abs(fused[i] - want[i])).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(want[i]));
    });
  }

  it('runs the fused kernel only when no gradient is recorded; gradients flow through the composed ops', () => {
    tf.setBackend('native');
    const [B, L, H, G] = [2, 6, 8, 2];
    const q = tf.randomNormal([B, L, H]), k = tf.randomNormal([B, L, H]), v = tf.randomNormal([B, L, H]);
    expect(countAddonCalls('attentionFused', () => tf.tidy(() => attentionContext(q, k, v, undefined, G, 0.5).dataSync()))).toBe(1);
    const grad = () => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(attentionContext(a, b, c, undefined, G, 0.5)))([q, k, v]).map((t) => t.dataSync()));
    expect(countAddonCalls('attentionFused', grad)).toBe(0);
    tf.dispose([q, k, v]);
    const specs = [{ shape: [B, L, H] }, { shape: [B, L, H] }, { shape: [B, L, H] }, { shape: [B, L, H] }];
    expectParity(specs, (a, b, c, w) => tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(attentionContext(x, y, z, mask(B, L, 2), G, 0.5), w)))([a, b, c]), { rtol: 1e-3, atol: 1e-4 });
  });

  it('a row of NaN scores comes out NaN, as maskedSoftmax', () => {
    for (const backend of ['cpu', 'native']) {
      tf.setBackend(backend);
      const out = tf.tidy(() => {
        const q = tf.tensor([NaN, 1, 1, 1], [1, 2, 2]), k = tf.ones([1, 2, 2]), v = tf.ones([1, 2, 2]);
        return Array.from(attentionContext(q, k, v, undefined, 1, 1).dataSync());
      });
      expect(out.slice(0, 2).every(Number.isNaN), backend).toBe(true);
      expect(out.slice(2), backend).toEqual([1, 1]);
    }
  });

  it('rejects bad shapes with a clear error', () => {
    tf.setBackend('native');
    tf.tidy(() => {
      const x = tf.zeros([2, 3, 4]);
      expect(() => attentionContext(x, tf.zeros([2, 3, 5]), x, undefined, 2, 1)).toThrow(/k must be \[2, seqLen, 4\]/);
      expect(() => attentionContext(x, x, x, undefined, 3, 1)).toThrow(/numHeads must be an integer >= 1 dividing hidden 4, received 3/);
      expect(() => attentionContext(x, x, x, tf.zeros([2, 4]), 2, 1)).toThrow(/bias must be float32 \[2, 3\]/);
    });
  });
});
