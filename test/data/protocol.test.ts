import { describe, expect, it } from 'vitest';
import { monitorItems, protocolItems, seededSample } from '../../src/data/protocol.js';
import { labelledSubset, stratifiedSplit } from '../../src/data/split.js';
import { Rng } from '../../src/util/random.js';

// 700 items of 5 classes; every 9th item has no label (-1).
const N = 700;
const labels = Int32Array.from({ length: N }, (_, i) => (i % 9 === 4 ? -1 : (i * 7) % 5));
const arr = (a: Int32Array) => Array.from(a);
const ascending = (a: Int32Array) => arr(a).every((v, i) => i === 0 || a[i - 1] < v);

describe('protocolItems', () => {
  it('without limit is the stratified split', () => {
    const split = stratifiedSplit(labels);
    const p = protocolItems(N, labels);
    expect(arr(p.pool)).toEqual(arr(split.train));
    expect(arr(p.train)).toEqual(arr(split.train));
    expect(arr(p.test)).toEqual(arr(split.test));
    // limitTest without limit changes nothing.
    expect(arr(protocolItems(N, labels, { limitTest: true, seed: 3 }).test)).toEqual(arr(split.test));
  });

  it('limit is the literal seeded sample of the training split', () => {
    const split = stratifiedSplit(labels);
    for (const [limit, seed] of [[50, 0], [123, 7], [1, 2]]) {
      const p = protocolItems(N, labels, { limit, seed });
      const literal = new Rng(seed).shuffle(Int32Array.from(split.train)).subarray(0, limit).sort();
      expect(arr(p.pool)).toEqual(arr(literal));
      expect(arr(p.train)).toEqual(arr(literal));
      expect(ascending(p.pool)).toBe(true);
      expect(arr(p.test)).toEqual(arr(split.test)); // training never samples the held-out items
    }
    // A limit of at least the split's size is the whole split.
    expect(arr(protocolItems(N, labels, { limit: 10_000 }).pool)).toEqual(arr(split.train));
    expect(arr(seededSample(split.train, split.train.length, 4))).toEqual(arr(split.train));
    // Another seed, another sample.
    expect(arr(protocolItems(N, labels, { limit: 50, seed: 1 }).pool)).not.toEqual(arr(protocolItems(N, labels, { limit: 50, seed: 0 }).pool));
  });

  it('limitTest samples round(limit / 6) held-out items with the same seed', () => {
    const split = stratifiedSplit(labels);
    for (const [limit, seed] of [[60, 0], [100, 5], [3, 1], [2, 9]]) {
      const p = protocolItems(N, labels, { limit, seed, limitTest: true });
      const n = Math.max(1, Math.round(limit / 6));
      expect(p.test.length).toBe(n);
      expect(arr(p.test)).toEqual(arr(new Rng(seed).shuffle(Int32Array.from(split.test)).subarray(0, n).sort()));
    }
    expect(protocolItems(N, labels, { limit: 100, limitTest: true }).test.length).toBe(17); // round(16.67)
    expect(protocolItems(N, labels, { limit: 2, limitTest: true }).test.length).toBe(1); // round(0.33) -> at least 1
  });

  it('labelsPerClass is labelledSubset of the labelled pool; unlabelled items never in it', () => {
    for (const [limit, k, seed, labelsSeed] of [[undefined, 4, 0, undefined], [200, 3, 2, undefined], [200, 3, 2, 11]] as const) {
      const p = protocolItems(N, labels, { limit, labelsPerClass: k, seed, labelsSeed });
      const pool = limit === undefined ? stratifiedSplit(labels).train : seededSample(stratifiedSplit(labels).train, limit, seed);
      expect(arr(p.pool)).toEqual(arr(pool));
      const literal = labelledSubset(pool.filter((i) => labels[i] >= 0), labels, k, labelsSeed ?? seed);
      expect(arr(p.train)).toEqual(arr(literal));
      expect(p.train.length).toBe(5 * k);
      expect(arr(p.train).every((i) => labels[i] >= 0)).toBe(true);
      for (let c = 0; c < 5; c++) expect(arr(p.train).filter((i) => labels[i] === c)).toHaveLength(k);
    }
    // labelsSeed moves only the labelled subset, not the limit sample.
    const a = protocolItems(N, labels, { limit: 200, labelsPerClass: 3, seed: 2 });
    const b = protocolItems(N, labels, { limit: 200, labelsPerClass: 3, seed: 2, labelsSeed: 11 });
    expect(arr(b.pool)).toEqual(arr(a.pool));
    expect(arr(b.train)).not.toEqual(arr(a.train));
    // A pool of unlabelled items only: nothing labelled.
    const none = Int32Array.from({ length: 30 }, () => -1);
    expect(protocolItems(30, none, { labelsPerClass: 2 }).train.length).toBe(0);
  });

  it('splits an unlabelled source (labels undefined) as one class', () => {
    const p = protocolItems(70, undefined);
    const split = stratifiedSplit(new Int32Array(70));
    expect(arr(p.pool)).toEqual(arr(split.train));
    expect(p.test.length).toBe(10); // round(70 / 7)
    const q = protocolItems(70, undefined, { limit: 12, seed: 4, limitTest: true });
    expect(arr(q.pool)).toEqual(arr(new Rng(4).shuffle(Int32Array.from(split.train)).subarray(0, 12).sort()));
    expect(q.test.length).toBe(2);
    expect(() => protocolItems(70, undefined, { labelsPerClass: 2 })).toThrow('protocol: labelsPerClass needs labelled items, the source has no labels');
  });

  it('refuses bad options, naming them', () => {
    expect(() => protocolItems(N, labels, { limit: 0 })).toThrow('protocol: limit must be an integer >= 1, received 0');
    expect(() => protocolItems(N, labels, { limit: 2.5 })).toThrow('protocol: limit must be an integer >= 1, received 2.5');
    expect(() => protocolItems(N, labels, { labelsPerClass: 0 })).toThrow('protocol: labelsPerClass must be an integer >= 1, received 0');
    expect(() => protocolItems(N, labels, { seed: 0.5 })).toThrow('protocol: seed must be an integer, received 0.5');
    expect(() => protocolItems(N, labels, { labelsPerClass: 2, labelsSeed: 0.5 })).toThrow('protocol: labelsSeed must be an integer, received 0.5');
  });
});

describe('monitorItems', () => {
  it('keeps only labelled items, all of them up to the sizes', () => {
    const { train, test } = protocolItems(N, labels);
    const m = monitorItems(train, test, labels)!;
    expect(arr(m.bank)).toEqual(arr(train.filter((i) => labels[i] >= 0)));
    expect(arr(m.queries)).toEqual(arr(test.filter((i) => labels[i] >= 0)));
  });

  it('samples fixed seeded subsets (Rng(12345)) of the given sizes', () => {
    const { train, test } = protocolItems(N, labels);
    const m = monitorItems(train, test, labels, { bank: 100, queries: 20 })!;
    const lt = train.filter((i) => labels[i] >= 0), lq = test.filter((i) => labels[i] >= 0);
    expect(arr(m.bank)).toEqual(arr(new Rng(12345).shuffle(Int32Array.from(lt)).subarray(0, 100).sort()));
    expect(arr(m.queries)).toEqual(arr(new Rng(12345).shuffle(Int32Array.from(lq)).subarray(0, 20).sort()));
    expect(arr(m.bank).every((i) => labels[i] >= 0)).toBe(true);
    // The same whatever the run's seed: the monitor's figures compare across runs.
    expect(arr(monitorItems(train, test, labels, { bank: 100, queries: 20 })!.bank)).toEqual(arr(m.bank));
  });

  it('is null without labels, or without a labelled bank or query', () => {
    const { train, test } = protocolItems(N, labels);
    expect(monitorItems(train, test, undefined)).toBeNull();
    const none = Int32Array.from({ length: N }, () => -1);
    expect(monitorItems(train, test, none)).toBeNull();
    const trainOnly = Int32Array.from(labels, (l, i) => (test.includes(i) ? -1 : l));
    expect(monitorItems(train, test, trainOnly)).toBeNull();
  });
});
