import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { embed, embedItems, rawRows } from '../../src/embed/embed.js';
import { imageSource } from '../../src/data/image-source.js';
import { grayscaleDataset } from '../../src/data/image-dataset.js';
import type { NamedTensors, ViewInput } from '../../src/data/batch.js';
import type { Source } from '../../src/data/source.js';
import { fitStandardizer, standardizedSource } from '../../src/data/standardize.js';
import { cnnBackbone } from '../../src/models/backbones/cnn.js';
import { mlpBackbone } from '../../src/models/backbones/mlp.js';
import { Encoder } from '../../src/models/encoder.js';
import { Rng } from '../../src/util/random.js';

const SIDE = 12, PIX = SIDE * SIDE;
const rng = new Rng(21);
const data = grayscaleDataset('tiny', Uint8Array.from({ length: 70 * PIX }, () => rng.int(256)), Array.from({ length: 70 }, (_, i) => i % 3), SIDE, ['a', 'b', 'c']);
const images = imageSource(data);

const DIM = 6;
const rowValues = Array.from({ length: 45 }, (_, i) => Float32Array.from({ length: DIM }, (_, j) => Math.fround(Math.sin(i * 7 + j) * 3 + j)));
const rows: Source<Float32Array> = {
  name: 'rows', size: rowValues.length, spec: { kind: 'vector', dim: DIM }, labels: Int32Array.from(rowValues, (_, i) => i % 2), classNames: ['p', 'q'],
  item: (i) => rowValues[i], id: (i) => String(i),
};

/** Close in relative terms (sums of products in another order). */
function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])));
}

describe('embed', () => {
  it('embeds an image source in batches, in order, as one big pass; row 3 by hand; progress; no leaks', () => {
    const w = tf.randomNormal([PIX, 5], 0, 1, 'float32', 1);
    const encode = (x: ViewInput) => { const t = x as tf.Tensor; return tf.matMul(tf.reshape(t, [t.shape[0], PIX]), w) as tf.Tensor2D; };
    const before = tf.memory().numTensors;
    const seen: [number, number][] = [];
    const e = embed(images, encode, { batchSize: 32, onProgress: (d, t) => seen.push([d, t]) });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual([[32, 70], [64, 70], [70, 70]]);
    expect(e.dim).toBe(5);
    expect(e.values.length).toBe(70 * 5);
    close(e.values, embed(images, encode, { batchSize: 1000 }).values);
    const px = Array.from(data.images.subarray(3 * PIX, 4 * PIX), (v) => Math.fround(v / 255));
    const wv = w.arraySync() as number[][];
    for (let j = 0; j < 5; j++) expect(e.values[3 * 5 + j]).toBeCloseTo(px.reduce((s, v, k) => s + v * wv[k][j], 0), 3);
    w.dispose();
  });

  it('embeds a vector source the same way; an object with embed(x) (a method) works too', () => {
    const w = tf.tensor2d(Array.from({ length: DIM * 3 }, (_, k) => ((k * 5) % 7) - 3), [DIM, 3]);
    const encode = (x: ViewInput) => tf.matMul(x as tf.Tensor2D, w) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const e = embed(rows, { embed: encode }, { batchSize: 8 });
    expect(tf.memory().numTensors).toBe(before);
    expect(e.dim).toBe(3);
    close(e.values, embed(rows, encode, { batchSize: 45 }).values);
    const wv = w.arraySync();
    for (const i of [0, 17, 44]) {
      for (let j = 0; j < 3; j++) expect(e.values[i * 3 + j]).toBeCloseTo(rowValues[i].reduce((s, v, k) => s + v * wv[k][j], 0), 4);
    }
    // A model as the encoder, in inference mode.
    const model = mlpBackbone({ inputShape: [DIM], hidden: [16], outputDim: 8, seed: 1 });
    const m = embed(rows, (x) => model.apply(x as tf.Tensor, { training: false }) as tf.Tensor2D, { batchSize: 10 });
    const all = tf.tidy(() => (model.apply(tf.tensor2d(rowValues.flatMap((r) => Array.from(r)), [45, DIM]), { training: false }) as tf.Tensor).dataSync());
    close(m.values, all);
    model.dispose();
    w.dispose();
    const empty = embed({ ...rows, size: 0 }, encode);
    expect([empty.values.length, empty.dim]).toEqual([0, 0]);
  });

  it('passes named tensors of a custom collate to the encoder', () => {
    const collate = (items: readonly Float32Array[]): NamedTensors => ({
      first: tf.tensor2d(items.map((r) => [r[0]]), [items.length, 1]),
      rest: tf.tensor2d(items.map((r) => Array.from(r.subarray(1))), [items.length, DIM - 1]),
    });
    const encode = (x: ViewInput) => {
      const { first, rest } = x as NamedTensors;
      return tf.concat([tf.mul(first, 2), tf.sum(rest, 1, true)], 1) as tf.Tensor2D;
    };
    const before = tf.memory().numTensors;
    const e = embed(rows, encode, { collate, batchSize: 16 });
    expect(tf.memory().numTensors).toBe(before);
    expect(e.dim).toBe(2);
    for (const i of [0, 20, 44]) {
      expect(e.values[i * 2]).toBe(Math.fround(2 * rowValues[i][0]));
      expect(e.values[i * 2 + 1]).toBeCloseTo(rowValues[i].subarray(1).reduce((s, v) => s + v, 0), 4);
    }
  });

  it('refuses an encoder output of another shape, and bad options, leaking nothing', () => {
    const before = tf.memory().numTensors;
    expect(() => embed(rows, (x) => tf.sum(x as tf.Tensor, 1) as never, { batchSize: 10 })).toThrow('embed: the encoder must return [10, D], returned [10]');
    expect(() => embed(rows, (x) => tf.slice(x as tf.Tensor2D, [0, 0], [2, -1]), { batchSize: 10 })).toThrow('embed: the encoder must return [10, D], returned [2,6]');
    expect(tf.memory().numTensors).toBe(before);
    expect(() => embed(rows, (x) => x as tf.Tensor2D, { batchSize: 0 })).toThrow('embed: batchSize must be an integer >= 1, received 0');
    expect(() => embed(rows, 3 as never)).toThrow('embed: encoder must be a function of a view input or an object with embed(x), received 3');
    expect(() => embed({ ...rows, spec: { kind: 'text' } } as never, (x) => x as tf.Tensor2D)).toThrow("defaultCollate: items of kind 'text' need a collate of their own (e.g. a tokenizer's), received none");
  });
});

describe('embedItems', () => {
  it('with an Encoder equals embed with its model, for images given as float [0, 1]', () => {
    const model = cnnBackbone({ inputShape: [SIDE, SIDE, 1], widths: [4, 8], pooling: 'global-average', seed: 1 });
    const encoder = new Encoder({ model, input: images.spec });
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const a = embedItems(images, encoder, { batchSize: 32, onProgress: (d) => seen.push(d) });
    const b = embed(images, (x) => model.apply(x as tf.Tensor, { training: false }) as tf.Tensor2D, { batchSize: 32 });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual([32, 64, 70]);
    expect(a.dim).toBe(8);
    expect(a.values).toEqual(b.values);
    // Uint8 pixels through the encoder's own scaling give the same rows.
    const u8 = embedItems({ ...images, item: (i: number) => ({ data: data.images.subarray(i * PIX, (i + 1) * PIX), height: SIDE, width: SIDE, channels: 1 }) } as never, encoder, { batchSize: 32 });
    expect(u8.values).toEqual(a.values);
    expect(() => embedItems(images, encoder, { batchSize: 0 })).toThrow('embedItems: batchSize must be an integer >= 1, received 0');
    encoder.dispose();
  });

  it('with a vector Encoder standardises as standardizedSource does', () => {
    const s = fitStandardizer(rows);
    const model = mlpBackbone({ inputShape: [DIM], hidden: [16], outputDim: 8, seed: 1 });
    const encoder = new Encoder({ model, input: rows.spec, preprocessing: { kind: 'vector', version: 1, mean: s.mean, std: s.std } });
    const a = embedItems(rows, encoder, { batchSize: 20 });
    const b = embed(standardizedSource(rows, s), (x) => model.apply(x as tf.Tensor, { training: false }) as tf.Tensor2D, { batchSize: 20 });
    expect(a.values).toEqual(b.values);
    encoder.dispose();
  });
});

describe('rawRows', () => {
  it('gives the pixels in [0, 1] of images and the rows of vectors', () => {
    const r = rawRows(images);
    expect(r.dim).toBe(PIX);
    expect(r.values.length).toBe(70 * PIX);
    for (const k of [0, 5 * PIX + 17, 69 * PIX + PIX - 1]) expect(r.values[k]).toBe(Math.fround(data.images[k] / 255));
    const v = rawRows(rows);
    expect(v.dim).toBe(DIM);
    expect(Array.from(v.values.subarray(7 * DIM, 8 * DIM))).toEqual(Array.from(rowValues[7]));
  });

  it('refuses text and items of another length', () => {
    expect(() => rawRows({ ...rows, spec: { kind: 'text' } } as never)).toThrow("rawRows: items of kind 'text' are not rows of numbers");
    expect(() => rawRows({ ...rows, item: (i: number) => (i === 3 ? new Float32Array(2) : rowValues[i]) })).toThrow('rawRows: item 3 has 2 values, expected 6');
  });
});
