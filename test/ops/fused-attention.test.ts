import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { attentionContext } from '../../src/ops/fused-attention.js';
import { headContext, headScores } from '../../src/ops/attention-heads.js';
import { maskedSoftmax } from '../../src/ops/masked-softmax.js';
import { MASK_VALUE } from '../../src/models/transformer/attention.js';
import { setFusedAttentionPath } from '../../src/backend/kernels/FusedAttention.js';
import { addon } from '../../src/backend/addon.js';
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

describe('attentionContext: the AVX-512 short-sequence kernel (head width 32 / 64, at most 128 keys) against the generic path', () => {
  afterEach(() => {
    setFusedAttentionPath('auto');
  });
  /** The native output with the given path; data from `seed`, keys past Lk - pad of odd batch elements masked. */
  const run = (path: 'auto' | 'generic', [B, Lq, Lk, H, G]: number[], pad: number, seed: number, withBias = true) => {
    setFusedAttentionPath(path);
    const specs = [{ shape: [B, Lq, H] }, { shape: [B, Lk, H] }, { shape: [B, Lk, H] }];
    const data = specs.map((sp, i) => randomArray(sp.shape.reduce((a, b) => a * b, 1), seed + i, -3, 3));
    return runOn('native', specs, data, (q, k, v) => attentionContext(q, k, v, withBias ? mask(B, Lk, pad) : undefined, G, 1 / Math.sqrt(H / G))).values[0];
  };
  // every key count 1..17 (one partial vector), the tile row counts (6 rows up to 4 key vectors, 4
  // up to 6, 3 up to 8), query rows past a 12-row block, a single query
  const shapes = [
    ...Array.from({ length: 17 }, (_, i) => [2, 5, i + 1, 64, 2]),
    [3, 13, 33, 96, 3], [2, 25, 64, 128, 2], [2, 12, 65, 64, 1], [2, 7, 80, 128, 4], [1, 30, 96, 64, 2], [2, 11, 97, 128, 2],
    [2, 64, 112, 64, 2], [2, 130, 127, 128, 2], [2, 24, 128, 256, 4], [1, 1, 128, 64, 1], [4, 64, 64, 384, 12], [2, 16, 64, 768, 12],
  ];
  for (const shape of shapes) {
    it(`B ${shape[0]} Lq ${shape[1]} Lk ${shape[2]} H ${shape[3]} heads ${shape[4]}`, () => {
      for (const withBias of [true, false]) {
        const want = run('generic', shape, Math.floor(shape[2] / 3), 11, withBias);
        const got = run('auto', shape, Math.floor(shape[2] / 3), 11, withBias);
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `at ${i}`).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(want[i]));
      }
    });
  }

  it('with the other GEMM micro-kernels active (no AVX-512 short kernel: the generic path), equals the cpu reference kernel', () => {
    const a = addon!;
    const original = a.kernelName();
    try {
      for (const kernel of ['avx2', 'generic']) {
        if (!a.setKernel(kernel)) continue; // not supported by this CPU
        const [B, L, H, G] = [2, 64, 384, 12];
        const specs = [{ shape: [B, L, H] }, { shape: [B, L, H] }, { shape: [B, L, H] }];
        expectParity(specs, (q, k, v) => attentionContext(q, k, v, mask(B, L, 5), G, 1 / Math.sqrt(H / G)), { rtol: 1e-4, atol: 1e-5 });
      }
    } finally {
      a.setKernel(original);
    }
  });

  it('equals the cpu reference kernel on the MiniLM and BERT-base head widths', () => {
    for (const [B, L, H, G] of [[2, 64, 384, 12], [2, 40, 768, 12], [1, 128, 128, 2]]) {
      const specs = [{ shape: [B, L, H] }, { shape: [B, L, H] }, { shape: [B, L, H] }];
      expectParity(specs, (q, k, v) => attentionContext(q, k, v, mask(B, L, 5), G, 1 / Math.sqrt(H / G)), { rtol: 1e-4, atol: 1e-5 });
    }
  });

  it('takes the addon call with the short path allowed only where the shape fits', () => {
    tf.setBackend('native');
    const allowed = (L: number, H: number, G: number) => {
      const a = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
      const orig = a.attentionFused;
      let flag: unknown;
      a.attentionFused = (...args: unknown[]) => { flag = args[11]; return orig(...args); };
      try {
        tf.tidy(() => { const x = tf.ones([1, L, H]); attentionContext(x, x, x, undefined, G, 0.1).dataSync(); });
      } finally {
        a.attentionFused = orig;
      }
      return flag;
    };
    expect(allowed(64, 384, 12)).toBe(true);
    expect(allowed(128, 128, 2)).toBe(true);
    expect(allowed(129, 64, 2)).toBe(false);
    expect(allowed(64, 96, 2)).toBe(false); // head width 48
    setFusedAttentionPath('generic');
    expect(allowed(64, 384, 12)).toBe(false);
    expect(() => setFusedAttentionPath('fast' as 'auto')).toThrow(/path must be 'auto' or 'generic', received fast/);
  });

  it('a NaN or +inf score, or every key at -inf, makes the row NaN; other rows are unaffected', () => {
    tf.setBackend('native');
    const [B, L, H, G] = [2, 20, 64, 2];
    const qv = randomArray(B * L * H, 5), kv = randomArray(B * L * H, 6), vv = randomArray(B * L * H, 7);
    qv[3 * H + 1] = NaN; // b 0, row 3, head 0
    qv[(L + 4) * H + 40] = Infinity; // b 1, row 4, head 1
    const bias = new Float32Array(B * L);
    bias.fill(-Infinity, L, 2 * L); // b 1: every key at -inf
    const out = tf.tidy(() => attentionContext(tf.tensor(qv, [B, L, H]), tf.tensor(kv, [B, L, H]), tf.tensor(vv, [B, L, H]), tf.tensor(bias, [B, L]), G, 0.2).dataSync());
    for (let i = 0; i < L; i++) {
      for (let c = 0; c < H; c++) {
        const x = out[i * H + c];
        expect(Number.isNaN(x), `b 0 row ${i} column ${c}`).toBe(i === 3 && c < 32);
        expect(Number.isNaN(out[(L + i) * H + c]), `b 1 row ${i} column ${c}`).toBe(true);
      }
    }
  });
});

