import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { DataLoader } from '../../src/data/loader.js';
import { collateImages, collateVectors, defaultCollate } from '../../src/data/collate.js';
import { disposeBatch, isTensor, makeBatch, viewRows, type Batch, type NamedTensors } from '../../src/data/batch.js';
import { subsetSource, type Source } from '../../src/data/source.js';
import { imageAt, imageLoader, imageSource } from '../../src/data/image-source.js';
import { grayscaleDataset } from '../../src/data/image-dataset.js';
import { identityViews, type ViewTransform } from '../../src/augment/view-transform.js';
import { simclrViews } from '../../src/augment/presets/simclr.js';
import type { Image } from '../../src/augment/image/image.js';
import type { Method } from '../../src/methods/method.js';
import { Trainer } from '../../src/train/trainer.js';
import { Rng } from '../../src/util/random.js';

const SIDE = 12;
/** 40 seeded random 12x12 grayscale images of 4 classes. */
function images(n = 40) {
  const rng = new Rng(3);
  const px = Uint8Array.from({ length: n * SIDE * SIDE }, () => rng.int(256));
  return grayscaleDataset('tiny', px, Array.from({ length: n }, (_, i) => i % 4), SIDE, ['a', 'b', 'c', 'd']);
}

/** n rows of dim values: row i is [i, i + 0.5, ...] (distinct, exact in float32). */
function vectorSource(n = 20, dim = 5, labels?: Int32Array): Source<Float32Array> {
  return {
    name: 'rows', size: n, spec: { kind: 'vector', dim }, ...(labels ? { labels, classNames: ['x', 'y'] } : {}),
    item: (i) => Float32Array.from({ length: dim }, (_, j) => i + j / 2),
    id: (i) => `row-${i}`,
  };
}

/** A view transform of rows with one seeded draw per view: row + v * 100 + draw. */
const shiftViews: ViewTransform<Float32Array> = {
  views: 2,
  view: (row, v, rng) => {
    const d = rng.next();
    return Float32Array.from(row, (x) => x + v * 100 + d);
  },
};

const arrays = (b: Batch) => b.views.map((v) => Array.from((v as tf.Tensor).dataSync()));

describe('DataLoader', () => {
  it('makes [N, H, W, C] image views and [N, D] row views, indices kept, labels only when asked', () => {
    const before = tf.memory().numTensors;
    const data = images();
    const b = imageLoader(data, simclrViews({ size: [SIDE, SIDE] })).batch([3, 1, 7], 5);
    expect(b.size).toBe(3);
    expect(b.views).toHaveLength(2);
    for (const v of b.views) expect((v as tf.Tensor).shape).toEqual([3, SIDE, SIDE, 1]);
    expect(Array.from(b.indices!)).toEqual([3, 1, 7]);
    expect(b.labels).toBeUndefined();
    disposeBatch(b);

    const withLabels = imageLoader(data, simclrViews({ size: [SIDE, SIDE] })).batch([3, 1, 7], 5, { labels: true });
    expect(Array.from(withLabels.labels!)).toEqual([3, 1, 3]);
    disposeBatch(withLabels);

    const rows = new DataLoader({ source: vectorSource(), views: shiftViews, collate: collateVectors });
    expect([rows.size, rows.views, rows.spec]).toEqual([20, 2, { kind: 'vector', dim: 5 }]);
    expect(rows.labels).toBeUndefined();
    const r = rows.batch([2, 0], 1);
    expect(r.views.map((v) => (v as tf.Tensor).shape)).toEqual([[2, 5], [2, 5]]);
    disposeBatch(r);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses labels of a source without them, and leaks nothing doing so', () => {
    const loader = new DataLoader({ source: vectorSource(), views: shiftViews, collate: collateVectors });
    const before = tf.memory().numTensors;
    expect(() => loader.batch([0, 1], 0, { labels: true })).toThrow("DataLoader: the batch's labels were asked for, but the source 'rows' has no labels");
    expect(tf.memory().numTensors).toBe(before);
    expect(() => loader.batch([], 0)).toThrow('DataLoader: a batch needs at least one item, received 0 indices');
  });

  it('draws view 0 of every item, then view 1, from one Rng(seed) per batch', () => {
    const loader = new DataLoader({ source: vectorSource(), views: shiftViews, collate: collateVectors });
    const b = loader.batch([4, 9, 2], 11);
    // The literal order: one generator, view 0 of items 4, 9, 2, then view 1 of the same.
    const rng = new Rng(11);
    const expected: number[][] = [[], []];
    for (let v = 0; v < 2; v++) {
      for (const k of [4, 9, 2]) {
        const d = rng.next();
        for (let j = 0; j < 5; j++) expected[v].push(Math.fround(Math.fround(k + j / 2) + v * 100 + d));
      }
    }
    expect(arrays(b)).toEqual(expected);
    disposeBatch(b);
  });

  it('is seeded: the same seed gives the same tensors, another seed other ones', () => {
    const loader = imageLoader(images(), simclrViews({ size: [SIDE, SIDE] }));
    const a = loader.batch([0, 5, 9, 13], 42), b = loader.batch([0, 5, 9, 13], 42), c = loader.batch([0, 5, 9, 13], 43);
    expect(arrays(b)).toEqual(arrays(a));
    expect(arrays(c)[0]).not.toEqual(arrays(a)[0]);
    expect(arrays(a)[1]).not.toEqual(arrays(a)[0]); // two different views
    [a, b, c].forEach(disposeBatch);
  });

  it("equals MultiView.apply bit for bit (the image pipeline's legacy arrays)", () => {
    const data = images();
    const mv = simclrViews({ size: [SIDE, SIDE] });
    const indices = [7, 0, 33, 12, 5];
    for (const seed of [0, 17]) {
      const legacy = mv.apply(data, indices, seed);
      const b = new DataLoader({ source: imageSource(data), views: mv, collate: collateImages }).batch(indices, seed);
      expect([legacy.n, legacy.height, legacy.width, legacy.channels]).toEqual([5, SIDE, SIDE, 1]);
      b.views.forEach((v, i) => {
        const got = (v as tf.Tensor).dataSync() as Float32Array;
        expect(got.length).toBe(legacy.views[i].length);
        expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(legacy.views[i].buffer))).toBe(true);
      });
      disposeBatch(b);
    }
  });

  it('carries named tensors of a custom source, views and collate to a method loss via makeBatch', async () => {
    // Items are pairs of numbers; a view keeps the pair and adds v; collate makes { a: [N, 1], b: [N, 2] }.
    type Pair = { x: number; y: number };
    const source: Source<Pair> = {
      name: 'pairs', size: 8, spec: { kind: 'vector', dim: 2 }, labels: Int32Array.from({ length: 8 }, (_, i) => i % 2), classNames: ['even', 'odd'],
      item: (i) => ({ x: i, y: -i }), id: (i) => `p${i}`,
    };
    const views: ViewTransform<Pair> = { views: 2, view: (p, v) => ({ x: p.x + v, y: p.y }) };
    const collate = (ps: readonly Pair[]): NamedTensors => ({
      a: tf.tensor2d(ps.map((p) => [p.x]), [ps.length, 1]),
      b: tf.tensor2d(ps.map((p) => [p.x, p.y]), [ps.length, 2]),
    });
    const loader = new DataLoader({ source, views, collate });
    const direct = loader.batch([1, 2, 3], 0, { labels: true });
    expect(isTensor(direct.views[0])).toBe(false);
    expect(viewRows(direct.views[1])).toBe(3);
    expect(((direct.views[1] as NamedTensors).a).arraySync()).toEqual([[2], [3], [4]]);
    expect(Array.from(direct.labels!)).toEqual([1, 0, 1]);
    disposeBatch(direct);

    const w = tf.variable(tf.scalar(1));
    const seen: { a: number[]; b: number[][]; labels: number[] }[] = [];
    const stub: Method = {
      name: 'stub', usesLabels: true,
      trainableVariables: () => [w], getWeights: () => [w], setWeights: () => {}, dispose: () => w.dispose(),
      embed: (x) => tf.zeros([viewRows(x), 2]),
      loss: (batch) => {
        const v0 = batch.views[0] as NamedTensors, v1 = batch.views[1] as NamedTensors;
        seen.push({ a: Array.from(v1.a.dataSync()), b: v0.b.arraySync() as number[][], labels: Array.from(batch.labels!) });
        return tf.mul(w, tf.sum(tf.sub(v1.a, tf.slice(v0.b, [0, 0], [-1, 1])))) as tf.Scalar; // sum of (x + 1 - x) = N
      },
      trainStep(batch, optimizer) {
        const l = optimizer.minimize(() => this.loss(batch), true)!;
        const value = l.dataSync()[0];
        l.dispose();
        return value;
      },
    };
    const before = tf.memory().numTensors;
    const history = await new Trainer({ epochs: 1, batchSize: 4, seed: 3 }).fit(stub, loader);
    expect(tf.memory().numTensors).toBe(before);
    expect(history[0].loss).toBeCloseTo(4, 2); // 4 items, each (x + 1) - x, times w = 1 (then 1 - 1e-3 after adam's first step)
    expect(seen).toHaveLength(2);
    for (const s of seen) {
      expect(s.a).toEqual(s.b.map(([x]) => x + 1));
      expect(s.b.map(([x, y]) => x + y)).toEqual([0, 0, 0, 0]);
      expect(s.labels).toEqual(s.b.map(([x]) => x % 2));
    }
    stub.dispose();

    // makeBatch checks rows of every named tensor and the labels' count.
    const a = tf.zeros([3, 1]), b = tf.zeros([2, 2]);
    expect(() => makeBatch([{ a }, { a, b }])).toThrow('makeBatch: every view must have 3 rows, view 1 has 2');
    expect(() => makeBatch([a], [0, 1])).toThrow('makeBatch: expected 3 labels (one per item), received 2');
    expect(() => makeBatch([])).toThrow('makeBatch: at least one view is needed, received 0');
    tf.dispose([a, b]);
  });

  it('disposeBatch frees every tensor of plain and named views', () => {
    const before = tf.memory().numTensors;
    const batch = makeBatch([tf.ones([2, 3]), { ids: tf.ones([2, 4], 'int32'), mask: tf.ones([2, 4], 'int32') }], [0, 1]);
    expect(tf.memory().numTensors).toBe(before + 3);
    disposeBatch(batch);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('validates its options', () => {
    const source = vectorSource();
    expect(() => new DataLoader({ source: undefined as never, views: shiftViews, collate: collateVectors })).toThrow('DataLoader: source must be a Source (with item(i)), received undefined');
    expect(() => new DataLoader({ source, views: { views: 0, view: (x: Float32Array) => x }, collate: collateVectors }))
      .toThrow('DataLoader: views must be a ViewTransform (views >= 1, view(item, v, rng)), received [object Object]');
    expect(() => new DataLoader({ source, views: shiftViews, collate: 'x' as never })).toThrow('DataLoader: collate must be a function, received x');
  });
});

describe('collate', () => {
  it('stacks images NHWC and rows [N, D], values as given', () => {
    const data = images(3);
    const before = tf.memory().numTensors;
    const t = collateImages([imageAt(data, 2), imageAt(data, 0)]);
    expect(t.shape).toEqual([2, SIDE, SIDE, 1]);
    const v = t.dataSync();
    expect(v[0]).toBe(Math.fround(data.images[2 * SIDE * SIDE] / 255));
    expect(v[SIDE * SIDE + 5]).toBe(Math.fround(data.images[5] / 255));
    const r = collateVectors([[1, 2], Float32Array.from([3, 4])]);
    expect(r.arraySync()).toEqual([[1, 2], [3, 4]]);
    tf.dispose([t, r]);
    expect(tf.memory().numTensors).toBe(before);
    expect(defaultCollate({ kind: 'image', height: 1, width: 1, channels: 1 })).toBe(collateImages);
    expect(defaultCollate({ kind: 'vector', dim: 2 })).toBe(collateVectors);
  });

  it('names the item that does not fit, and leaks nothing', () => {
    const data = images(2);
    const small: Image = { data: new Float32Array(4 * 4 * 3), height: 4, width: 4, channels: 3 };
    const before = tf.memory().numTensors;
    expect(() => collateImages([imageAt(data, 0), imageAt(data, 1), small])).toThrow('collateImages: every image of a batch must be 12x12x1, image 2 is 4x4x3');
    expect(() => collateImages([])).toThrow('collateImages: expected at least one image, received 0');
    expect(() => collateVectors([[1, 2], [3, 4], [5]])).toThrow('collateVectors: every row of a batch must have 2 values, row 2 has 1');
    expect(() => collateVectors([])).toThrow('collateVectors: expected at least one row, received 0');
    expect(() => defaultCollate({ kind: 'text' })).toThrow("defaultCollate: items of kind 'text' need a collate of their own (e.g. a tokenizer's), received none");
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('subsetSource and identityViews', () => {
  it('subsetSource keeps items, labels, ids and names in the given order', () => {
    const source = vectorSource(10, 3, Int32Array.from({ length: 10 }, (_, i) => i % 2));
    const s = subsetSource(source, [7, 2, 7], 'picked');
    expect([s.name, s.size, s.spec]).toEqual(['picked', 3, source.spec]);
    expect(Array.from(s.labels!)).toEqual([1, 0, 1]);
    expect(s.classNames).toEqual(['x', 'y']);
    expect([0, 1, 2].map((i) => Array.from(s.item(i)))).toEqual([[7, 7.5, 8], [2, 2.5, 3], [7, 7.5, 8]]);
    expect([0, 1, 2].map((i) => s.id(i))).toEqual(['row-7', 'row-2', 'row-7']);
    expect(subsetSource(source, [1]).name).toBe('rows');
    const unlabelled = subsetSource(vectorSource(4), [0, 1]);
    expect('labels' in unlabelled).toBe(false);
    expect('classNames' in unlabelled).toBe(false);
    expect(() => subsetSource(source, [0, 10])).toThrow('subsetSource: indices[1] must be an integer in [0, 10), received 10');
    expect(() => subsetSource(source, [1.5])).toThrow('subsetSource: indices[0] must be an integer in [0, 10), received 1.5');
    expect(() => s.item(3)).toThrow('subsetSource: index must be an integer in [0, 3), received 3');
    expect(() => s.id(-1)).toThrow('subsetSource: index must be an integer in [0, 3), received -1');
  });

  it('identityViews gives the item itself as every view, and no draw', () => {
    const t = identityViews<Float32Array>(3);
    expect(t.views).toBe(3);
    const row = Float32Array.from([1, 2]);
    const rng = new Rng(0);
    expect(t.view(row, 2, rng)).toBe(row);
    expect(rng.next()).toBe(new Rng(0).next());
    expect(identityViews().views).toBe(1);
    expect(() => identityViews(0)).toThrow('identityViews: views must be an integer >= 1, received 0');
    expect(() => identityViews(1.5)).toThrow('identityViews: views must be an integer >= 1, received 1.5');
    const loader = new DataLoader({ source: vectorSource(), views: identityViews<Float32Array>(2), collate: collateVectors });
    const b = loader.batch([3], 0);
    expect(arrays(b)).toEqual([[3, 3.5, 4, 4.5, 5], [3, 3.5, 4, 4.5, 5]]);
    disposeBatch(b);
  });
});
