import { describe, expect, it } from 'vitest';
import { Scarf } from '../../src/augment/table/scarf.js';
import { Rng } from '../../src/util/random.js';

const DIM = 10;
// 40 training rows; feature j of row r is 10 r + j (every value of a feature distinct).
const rows = Array.from({ length: 40 }, (_, r) => Float32Array.from({ length: DIM }, (_, j) => 10 * r + j));
// A row not among them: every feature differs from every training value of that feature.
const row = Float32Array.from({ length: DIM }, (_, j) => -1 - j);

const changed = (a: Float32Array, b: Float32Array) => Array.from(a.keys()).filter((j) => a[j] !== b[j]);

describe('Scarf', () => {
  it('view 0 is the row itself; view 1 replaces round(0.6 dim) features by marginal draws', () => {
    const scarf = new Scarf({ rows });
    expect([scarf.views, scarf.corruption, scarf.dim, scarf.corruptAnchor]).toEqual([2, 0.6, DIM, false]);
    const rng = new Rng(1);
    expect(scarf.view(row, 0, rng)).toBe(row);
    expect(rng.next()).toBe(new Rng(1).next()); // the anchor draws nothing
    for (let seed = 0; seed < 20; seed++) {
      const before = Float32Array.from(row);
      const v = scarf.view(row, 1, new Rng(seed));
      expect(Array.from(row)).toEqual(Array.from(before)); // never writes its input
      const c = changed(row, v);
      expect(c).toHaveLength(Math.round(0.6 * DIM));
      // Each replaced value is the value of that feature in some training row.
      for (const j of c) expect(rows.some((r) => r[j] === v[j])).toBe(true);
    }
    // round(): 0.25 of 10 features is 3 (2.5 rounds up), of 6 it is 2 (1.5 -> 2).
    expect(changed(row, new Scarf({ rows, corruption: 0.25 }).view(row, 1, new Rng(2)))).toHaveLength(3);
    const six = rows.map((r) => r.subarray(0, 6));
    expect(changed(row.subarray(0, 6), new Scarf({ rows: six, corruption: 0.25 }).view(row.subarray(0, 6), 1, new Rng(2)))).toHaveLength(2);
  });

  it('draws as the paper says, literally: k distinct features, each from a random training row', () => {
    const scarf = new Scarf({ rows, corruption: 0.4 });
    const got = scarf.corrupt(row, new Rng(77));
    const rng = new Rng(77);
    const want = Float32Array.from(row);
    const order = Array.from({ length: DIM }, (_, j) => j);
    for (let t = 0; t < 4; t++) {
      const s = t + rng.int(DIM - t);
      [order[t], order[s]] = [order[s], order[t]];
      want[order[t]] = rows[rng.int(rows.length)][order[t]];
    }
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('is seeded: the same seed the same view, another seed another', () => {
    const scarf = new Scarf({ rows });
    const a = scarf.view(row, 1, new Rng(5)), b = scarf.view(row, 1, new Rng(5)), c = scarf.view(row, 1, new Rng(6));
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });

  it('corruption 0 keeps the row, 1 replaces every feature; more views and a corrupted anchor', () => {
    const none = new Scarf({ rows, corruption: 0 }).view(row, 1, new Rng(3));
    expect(none).not.toBe(row);
    expect(Array.from(none)).toEqual(Array.from(row));
    const all = new Scarf({ rows, corruption: 1 }).view(row, 1, new Rng(3));
    expect(changed(row, all)).toHaveLength(DIM);
    const three = new Scarf({ rows, views: 3, corruptAnchor: true });
    expect(three.views).toBe(3);
    const rng = new Rng(4);
    for (let v = 0; v < 3; v++) expect(changed(row, three.view(row, v, rng))).toHaveLength(6);
  });

  it('refuses bad options, naming them', () => {
    expect(() => new Scarf({ rows: [] })).toThrow('Scarf: rows must be a non-empty array of training rows, received an empty array');
    expect(() => new Scarf(undefined as never)).toThrow('Scarf: rows must be a non-empty array of training rows, received undefined');
    expect(() => new Scarf({ rows: [[1, 2], [3]] })).toThrow('Scarf: every row must have 2 values, row 1 has 1');
    expect(() => new Scarf({ rows, corruption: 1.5 })).toThrow('Scarf: corruption must be in [0, 1], received 1.5');
    expect(() => new Scarf({ rows, corruption: -0.1 })).toThrow('Scarf: corruption must be in [0, 1], received -0.1');
    expect(() => new Scarf({ rows, corruption: NaN })).toThrow('Scarf: corruption must be in [0, 1], received NaN');
    expect(() => new Scarf({ rows, views: 0 })).toThrow('Scarf: views must be an integer >= 1, received 0');
    expect(() => new Scarf({ rows }).view(Float32Array.from([1, 2]), 1, new Rng(0))).toThrow('Scarf: a row must have 10 values, received 2');
  });
});
