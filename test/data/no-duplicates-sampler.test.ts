/** NoDuplicatesSampler: no text twice in a batch, every batch whole, seeded, deferral keeps items. */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { identityViews } from '../../src/augment/view-transform.js';
import { viewRows } from '../../src/data/batch.js';
import { collateVectors } from '../../src/data/collate.js';
import { DataLoader } from '../../src/data/loader.js';
import type { Source } from '../../src/data/source.js';
import type { Method } from '../../src/methods/method.js';
import { Trainer } from '../../src/train/trainer.js';
import { NoDuplicatesSampler } from '../../src/data/no-duplicates-sampler.js';
import { Rng } from '../../src/util/random.js';

describe('NoDuplicatesSampler', () => {
  it('makes whole batches with no text twice, uses each item at most once per epoch, and is seeded', () => {
    const rng = new Rng(3);
    // 200 (anchor, positive) pairs over a vocabulary of 60 texts: many shared texts.
    const keys = Array.from({ length: 200 }, () => [`t${rng.int(60)}`, `t${rng.int(60)}`]);
    const s = new NoDuplicatesSampler(keys, { batchSize: 8, seed: 1 });
    const order = s.epochOrder(0);
    expect(order.length % 8).toBe(0);
    expect(order.length).toBeGreaterThanOrEqual(8 * 15);
    expect(new Set(order).size).toBe(order.length);
    for (let b = 0; b < order.length; b += 8) {
      const texts = Array.from(order.subarray(b, b + 8)).flatMap((i) => keys[i]);
      // an item's own two texts may be equal; across items no text repeats
      const perItem = Array.from(order.subarray(b, b + 8)).map((i) => new Set(keys[i]));
      const all = perItem.flatMap((set) => [...set]);
      expect(new Set(all).size).toBe(all.length);
      expect(texts.length).toBe(16);
    }
    expect(Array.from(s.epochOrder(0))).toEqual(Array.from(order));
    expect(Array.from(s.epochOrder(1))).not.toEqual(Array.from(order));
  });

  it('without duplicates it is a plain shuffle of whole batches; refuses bad options', () => {
    const keys = Array.from({ length: 50 }, (_, i) => `x${i}`);
    const order = new NoDuplicatesSampler(keys, { batchSize: 10 }).epochOrder(2);
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(() => new NoDuplicatesSampler(keys, { batchSize: 1 })).toThrow('NoDuplicatesSampler: batchSize must be an integer >= 2, received 1');
    expect(() => new NoDuplicatesSampler(keys.slice(0, 3), { batchSize: 4 })).toThrow('NoDuplicatesSampler: the data must hold at least one batch of 4 items, received 3');
    // every item the same text: no batch of 2 without a duplicate
    expect(new NoDuplicatesSampler(['a', 'a', 'a'], { batchSize: 2 }).epochOrder(0)).toHaveLength(0);
  });
});

describe('the Trainer with a sampler that gives fewer batches than the data holds', () => {
  it('trains the batches it is given, each without a duplicate text', async () => {
    const texts = ['a', 'a', 'a', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']; // 12 items, 4 share one text
    const rows: Source<Float32Array> = { name: 'r', size: texts.length, spec: { kind: 'vector', dim: 1 }, item: (i) => Float32Array.of(i), id: (i) => String(i) };
    const w = tf.variable(tf.zeros([1]));
    const seen: number[][] = [];
    const stub: Method = {
      name: 'stub', trainableVariables: () => [w], embed: (x) => tf.zeros([viewRows(x), 1]), getWeights: () => [w], setWeights: () => {}, dispose: () => w.dispose(),
      loss: () => tf.sum(w) as tf.Scalar,
      trainStep: (batch) => { seen.push(Array.from((batch.views[0] as tf.Tensor).dataSync())); return 1; },
    };
    const sampler = new NoDuplicatesSampler(texts, { batchSize: 4, seed: 2 });
    const expected = sampler.epochOrder(0).length / 4;
    const history = await new Trainer({ epochs: 1, batchSize: 4, sampler }).fit(stub, new DataLoader({ source: rows, views: identityViews<Float32Array>(2), collate: collateVectors }));
    expect(expected).toBeLessThan(3); // three batches of 4 would need the four 'a' items apart: at most 9 distinct texts
    expect(seen).toHaveLength(expected);
    expect(history[0].loss).toBe(1);
    for (const batch of seen) expect(new Set(batch.map((i) => texts[i])).size).toBe(4);
    stub.dispose();
  });
});
