import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../../src/backend/register.js';
import { deriveSeed, DropoutStream } from '../../../src/models/transformer/dropout.js';
import { TransformerEncoderLayer, type TransformerEncoderLayerOptions } from '../../../src/models/transformer/encoder-layer.js';
import { maxAbsDiff, refEncoderLayer, seededValues, toMat, type RefLayer } from './transformer-encoder.reference.js';

const [B, L, H, I, heads] = [3, 5, 8, 16, 2];
const MASK = [
  [1, 1, 1, 1, 1],
  [1, 1, 1, 0, 0],
  [1, 1, 0, 0, 0],
];

function build(options: Partial<TransformerEncoderLayerOptions> = {}) {
  const layer = new TransformerEncoderLayer({ hiddenSize: H, numHeads: heads, intermediateSize: I, seed: 3, name: 'encoder.layer.0', ...options });
  const x = tf.tensor3d(seededValues(B * L * H, 1, -2, 2), [B, L, H]);
  const mask = tf.tensor2d(MASK, [B, L], 'int32');
  tf.dispose(layer.apply([x, mask]) as tf.Tensor); // build
  const values = layer.getWeights().map((w, i) => {
    const v = seededValues(w.size, 20 + i, -0.5, 0.5);
    if (layer.weights[i].originalName.endsWith('gamma')) for (let j = 0; j < v.length; j++) v[j] += 1;
    return tf.tensor(v, w.shape);
  });
  layer.setWeights(values);
  tf.dispose(values);
  return { layer, x, mask };
}

function refOf(layer: TransformerEncoderLayer): RefLayer {
  const w = new Map(layer.weights.map((v) => [v.originalName.replace(/^.*\//, ''), { shape: v.shape as number[], values: v.read().dataSync() }]));
  const mat = (n: string) => toMat(w.get(n)!.values, w.get(n)!.shape[0], w.get(n)!.shape[1]);
  const vec = (n: string) => Array.from(w.get(n)!.values);
  const dense = (n: string) => ({ kernel: mat(`${n}.kernel`), bias: vec(`${n}.bias`) });
  const norm = (n: string) => ({ gamma: vec(`${n}.gamma`), beta: vec(`${n}.beta`) });
  return {
    attention: { query: dense('attention.self.query'), key: dense('attention.self.key'), value: dense('attention.self.value'), output: dense('attention.output.dense') },
    attnNorm: norm('attention.output.LayerNorm'),
    ffn: { intermediate: dense('intermediate.dense'), output: dense('output.dense') },
    outNorm: norm('output.LayerNorm'),
  };
}

describe('TransformerEncoderLayer', () => {
  it("holds BertLayer's 16 weights under BERT's names", () => {
    tf.setBackend('native');
    const { layer, x, mask } = build();
    expect(layer.weights.map((w) => `${w.originalName.replace(/^encoder\.layer\.0\//, '')} [${w.shape}]`)).toEqual([
      `attention.self.query.kernel [${H},${H}]`, `attention.self.query.bias [${H}]`,
      `attention.self.key.kernel [${H},${H}]`, `attention.self.key.bias [${H}]`,
      `attention.self.value.kernel [${H},${H}]`, `attention.self.value.bias [${H}]`,
      `attention.output.dense.kernel [${H},${H}]`, `attention.output.dense.bias [${H}]`,
      `attention.output.LayerNorm.gamma [${H}]`, `attention.output.LayerNorm.beta [${H}]`,
      `intermediate.dense.kernel [${H},${I}]`, `intermediate.dense.bias [${I}]`,
      `output.dense.kernel [${I},${H}]`, `output.dense.bias [${H}]`,
      `output.LayerNorm.gamma [${H}]`, `output.LayerNorm.beta [${H}]`,
    ]);
    tf.dispose([x, mask]);
    layer.dispose();
  });

  for (const norm of ['post', 'pre'] as const) {
    it(`${norm}-LN equals the float64 reference within 1e-5 (padding in the mask), and leaks nothing`, () => {
      tf.setBackend('native');
      const { layer, x, mask } = build({ norm });
      const before = tf.memory().numTensors;
      const y = tf.tidy(() => (layer.apply([x, mask]) as tf.Tensor).dataSync());
      expect(tf.memory().numTensors).toBe(before);
      const X = Array.from({ length: B }, (_, b) => toMat(x.dataSync().subarray(b * L * H, (b + 1) * L * H), L, H));
      const ref = X.map((xb, b) => refEncoderLayer(xb, MASK[b], refOf(layer), heads, 1e-12, norm)).flat(2);
      expect(maxAbsDiff(y, ref)).toBeLessThanOrEqual(1e-5);
      const other = refEncoderLayer(X[0], MASK[0], refOf(layer), heads, 1e-12, norm === 'post' ? 'pre' : 'post').flat();
      expect(maxAbsDiff(y.subarray(0, L * H), other)).toBeGreaterThan(1e-2);
      tf.dispose([x, mask]);
      layer.dispose();
    });
  }

  it('dropout: inference is deterministic, training draws a new seeded mask each call, the same seed repeats them', () => {
    tf.setBackend('native');
    const a = build({ hiddenDropout: 0.2, attentionDropout: 0.2 });
    const b = build({ hiddenDropout: 0.2, attentionDropout: 0.2 });
    const run = (o: ReturnType<typeof build>, training: boolean) => tf.tidy(() => (o.layer.apply([o.x, o.mask], { training }) as tf.Tensor).dataSync());
    const infer = run(a, false);
    expect(Array.from(run(a, false))).toEqual(Array.from(infer));
    const [t1, t2] = [run(a, true), run(a, true)];
    expect(maxAbsDiff(t1, infer)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(t1, t2)).toBeGreaterThan(1e-3);
    expect(Array.from(run(b, true))).toEqual(Array.from(t1));
    expect(Array.from(run(b, true))).toEqual(Array.from(t2));
    for (const o of [a, b]) {
      tf.dispose([o.x, o.mask]);
      o.layer.dispose();
    }
  });

  it('refuses heads that do not divide the width, unknown norms and masks of another shape', () => {
    tf.setBackend('native');
    expect(() => new TransformerEncoderLayer({ hiddenSize: 10, numHeads: 4, intermediateSize: 8 })).toThrow(/hiddenSize must be divisible by numHeads 4, received 10/);
    expect(() => new TransformerEncoderLayer({ hiddenSize: 8, numHeads: 2, intermediateSize: 8, norm: 'sandwich' as never })).toThrow(/norm must be 'post' or 'pre', received "sandwich"/);
    const { layer, x, mask } = build();
    expect(() => tf.tidy(() => layer.apply([x, tf.ones([B, L + 1], 'int32')]) as tf.Tensor)).toThrow(/attention_mask must be \[3, 5\].*received \[3,6\]/);
    tf.dispose([x, mask]);
    layer.dispose();
  });
});

describe('DropoutStream and deriveSeed', () => {
  it('drops a fraction rate of the elements, scales the rest by 1 / (1 - rate), keeps the mean; rate 0 returns x', () => {
    tf.setBackend('native');
    const s = new DropoutStream(5);
    const x = tf.ones([100000]);
    for (const rate of [0.1, 0.5]) {
      const y = tf.tidy(() => s.apply(x, rate).dataSync() as Float32Array);
      const zeros = y.filter((v) => v === 0).length;
      expect(Math.abs(zeros / y.length - rate)).toBeLessThan(0.01);
      expect(y.every((v) => v === 0 || Math.abs(v - 1 / (1 - rate)) < 1e-6)).toBe(true);
      expect(Math.abs(y.reduce((a, v) => a + v, 0) / y.length - 1)).toBeLessThan(0.02);
    }
    expect(s.apply(x, 0)).toBe(x);
    expect(s.drawn).toBe(2);
    expect(() => s.apply(x, 1)).toThrow(/rate must be in \[0, 1\), received 1/);
    x.dispose();
  });

  it('the same seed gives the same sequence of masks, another seed another; unseeded draws differ', () => {
    tf.setBackend('native');
    const x = tf.ones([64]);
    const masks = (s: DropoutStream) => [0, 1, 2].map(() => tf.tidy(() => Array.from(s.apply(x, 0.5).dataSync())));
    const [a, b, c] = [new DropoutStream(7), new DropoutStream(7), new DropoutStream(8)].map(masks);
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(a[1]);
    expect(a[0]).not.toEqual(c[0]);
    const u = new DropoutStream(undefined);
    expect(masks(u)[0]).not.toEqual(masks(u)[0]);
    x.dispose();
  });

  it('deriveSeed is deterministic, in [1, 2^31 - 1], and separates paths and seeds', () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 20; seed++) {
      for (let i = 0; i < 20; i++) {
        const s = deriveSeed(seed, i);
        expect(s).toBe(deriveSeed(seed, i));
        expect(s >= 1 && s <= 2147483647 && Number.isInteger(s)).toBe(true);
        seen.add(s);
      }
    }
    expect(seen.size).toBe(400);
    expect(deriveSeed(2 ** 40 + 1, 0)).not.toBe(deriveSeed(1, 0));
  });
});
