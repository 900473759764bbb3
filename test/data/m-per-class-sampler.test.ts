import { describe, expect, it } from 'vitest';
import { MPerClassSampler } from '../../src/data/m-per-class-sampler.js';

/** 10 classes of unequal sizes (30..120 items), interleaved. */
function labelsOf(sizes: number[]): number[] {
  const out: number[] = [];
  const left = sizes.slice();
  while (left.some((n) => n > 0)) left.forEach((n, c) => { if (n > 0) { out.push(c); left[c]--; } });
  return out;
}

describe('MPerClassSampler', () => {
  const sizes = [30, 40, 50, 60, 70, 80, 90, 100, 110, 120];
  const labels = labelsOf(sizes);

  it('every batch holds batchSize / m distinct classes with m items each', () => {
    const s = new MPerClassSampler(labels, { m: 4, batchSize: 32, seed: 3 });
    const order = s.epochOrder(0);
    expect(order.length).toBe(Math.floor(labels.length / 32) * 32);
    for (let b = 0; b < order.length / 32; b++) {
      const counts = new Map<number, number>();
      for (const i of order.subarray(b * 32, (b + 1) * 32)) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
      expect(counts.size).toBe(8);
      expect([...counts.values()].every((n) => n === 4)).toBe(true);
    }
  });

  it('uses the items of a class evenly: within an epoch, use counts differ by at most 1', () => {
    const s = new MPerClassSampler(labels, { m: 5, batchSize: 25, seed: 1 });
    const order = s.epochOrder(2);
    const uses = new Int32Array(labels.length);
    for (const i of order) uses[i]++;
    for (let c = 0; c < sizes.length; c++) {
      const u = [...uses].filter((_, i) => labels[i] === c);
      if (u.some((n) => n > 0)) expect(Math.max(...u) - Math.min(...u)).toBeLessThanOrEqual(1);
    }
  });

  it('is seeded: the same (seed, epoch) gives the same order, another epoch or seed another', () => {
    const a = new MPerClassSampler(labels, { batchSize: 16, seed: 7 });
    const b = new MPerClassSampler(labels, { batchSize: 16, seed: 7 });
    expect(Array.from(a.epochOrder(4))).toEqual(Array.from(b.epochOrder(4)));
    expect(Array.from(a.epochOrder(5))).not.toEqual(Array.from(a.epochOrder(4)));
    expect(Array.from(new MPerClassSampler(labels, { batchSize: 16, seed: 8 }).epochOrder(4))).not.toEqual(Array.from(a.epochOrder(4)));
  });

  it('repeats the items of a class smaller than m within a batch', () => {
    const small = [0, 0, 1, 1, 1, 1, 1, 1];
    const order = new MPerClassSampler(small, { m: 4, batchSize: 8 }).epochOrder(0);
    expect(order.length).toBe(8);
    expect(order.filter((i) => small[i] === 0).length).toBe(4);
  });

  it('validates its options', () => {
    expect(() => new MPerClassSampler(labels, { m: 0, batchSize: 8 })).toThrow(/m must be an integer >= 1, received 0/);
    expect(() => new MPerClassSampler(labels, { m: 4, batchSize: 10 })).toThrow(/batchSize must be a positive multiple of m = 4, received 10/);
    expect(() => new MPerClassSampler(labels, { m: 2, batchSize: 24 })).toThrow(/batchSize \/ m must be at most the number of classes \(10\), received 12/);
    expect(() => new MPerClassSampler([0, 1, -1], { m: 1, batchSize: 1 })).toThrow(/labels\[2\] must be an integer >= 0, received -1/);
    expect(() => new MPerClassSampler([0, 1], { m: 2, batchSize: 4 })).toThrow(/batchSize must be at most the number of items \(2\), received 4/);
    expect(() => new MPerClassSampler(labels, { batchSize: 8 }).epochOrder(-1)).toThrow(/epoch must be an integer >= 0, received -1/);
  });
});
