import { describe, expect, it } from 'vitest';
import type { Source } from '../../src/data/source.js';
import { fitStandardizer, standardizedSource } from '../../src/data/standardize.js';
import { Rng } from '../../src/util/random.js';

/** n seeded rows of 4 features: feature 2 is constant (std 0), feature 3 on another scale. */
function table(n = 50): Source<Float32Array> & { rows: Float32Array[] } {
  const rng = new Rng(8);
  const rows = Array.from({ length: n }, () => Float32Array.from([rng.next() * 10 - 5, rng.next(), 0.1, 1000 + rng.next() * 300]));
  return {
    rows, name: 't', size: n, spec: { kind: 'vector', dim: 4, columns: ['a', 'b', 'c', 'd'] },
    labels: Int32Array.from({ length: n }, (_, i) => i % 3), classNames: ['x', 'y', 'z'],
    item: (i) => rows[i], id: (i) => `r${i}`,
  };
}

/** Mean and population std the slow obvious way, in float64. */
function literal(rows: ArrayLike<number>[]) {
  const dim = rows[0].length;
  const mean: number[] = [], std: number[] = [];
  for (let j = 0; j < dim; j++) {
    let s = 0;
    for (const r of rows) s += r[j];
    const m = s / rows.length;
    let q = 0;
    for (const r of rows) q += (r[j] - m) * (r[j] - m);
    mean.push(m);
    std.push(Math.sqrt(q / rows.length));
  }
  return { mean, std };
}

describe('standardisation', () => {
  it('fits mean and population std in float64 on the given rows only; std 0 becomes 1', () => {
    const t = table();
    const idx = Int32Array.from({ length: 30 }, (_, i) => i + 10);
    const s = fitStandardizer(t, idx);
    const want = literal(Array.from(idx, (i) => t.rows[i]));
    for (let j = 0; j < 4; j++) {
      expect(s.mean[j]).toBeCloseTo(want.mean[j], 12);
      if (j !== 2) expect(s.std[j]).toBeCloseTo(want.std[j], 12);
    }
    expect(want.std[2]).toBe(0);
    expect(s.std[2]).toBe(1); // a constant feature is centred, not scaled
    expect(s.mean[2]).toBe(Math.fround(0.1));
    // Default: every row.
    const all = fitStandardizer(t);
    const wantAll = literal(t.rows);
    for (let j = 0; j < 4; j++) expect(all.mean[j]).toBeCloseTo(wantAll.mean[j], 12);
  });

  it('standardises every row: float32 of (x - mean) / std, labels and ids kept', () => {
    const t = table();
    const s = fitStandardizer(t, [0, 1, 2, 3, 4, 5, 6, 7]);
    const z = standardizedSource(t, s);
    expect([z.size, z.name, z.spec]).toEqual([t.size, t.name, t.spec]);
    expect(z.labels).toBe(t.labels);
    expect(z.classNames).toBe(t.classNames);
    expect(z.id(7)).toBe('r7');
    for (const i of [0, 7, 49]) {
      const row = z.item(i);
      expect(row).toBeInstanceOf(Float32Array);
      for (let j = 0; j < 4; j++) expect(row[j]).toBe(Math.fround((t.rows[i][j] - s.mean[j]) / s.std[j]));
      expect(row[2]).toBe(0);
    }
    // The training rows come out with mean 0 and std 1 (but the constant feature: 0 and 0).
    const train = Array.from({ length: 8 }, (_, i) => z.item(i));
    const st = literal(train);
    for (const j of [0, 1, 3]) {
      expect(st.mean[j]).toBeCloseTo(0, 5);
      expect(st.std[j]).toBeCloseTo(1, 5);
    }
    expect(() => z.item(50)).toThrow('standardizedSource: index must be an integer in [0, 50), received 50');
  });

  it('refuses what it cannot standardise', () => {
    const t = table();
    const images: Source<unknown> = { name: 'im', size: 1, spec: { kind: 'image', height: 1, width: 1, channels: 1 }, item: () => null, id: () => '0' };
    expect(() => fitStandardizer(images as never)).toThrow("fitStandardizer: needs rows (a vector source), received items of kind 'image'");
    expect(() => fitStandardizer(t, [])).toThrow('fitStandardizer: needs at least one row, received 0');
    expect(() => standardizedSource(t, { mean: [0, 0], std: [1, 1] })).toThrow('standardizedSource: needs rows of 2 features, received rows of 4');
    expect(() => standardizedSource(images as never, { mean: [0], std: [1] })).toThrow("standardizedSource: needs rows of 1 features, received items of kind 'image'");
  });
});
