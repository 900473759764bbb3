import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { BUCKETS_PER_ITEM, relevantRanks, retrievalMetrics, sortByScore, type RetrievalMetrics } from '../../src/eval/retrieval.js';
import { nearestNeighbors } from '../../src/search/exact-knn.js';
import { randomArray } from '../backend/parity.js';

type Metric = 'cosine' | 'euclidean';

/** Closeness in float64, the slow obvious way: cosine similarity or minus the Euclidean distance. */
function score(a: ArrayLike<number>, b: ArrayLike<number>, metric: Metric): number {
  let dot = 0, na = 0, nb = 0, d2 = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
    d2 += (a[i] - b[i]) ** 2;
  }
  return metric === 'cosine' ? dot / Math.sqrt(na * nb) : -Math.sqrt(d2);
}

/** Every metric from its definition on a full sorted ranking of each query. */
function reference(q: number[][], ql: number[], g: number[][] | null, gl: number[] | null, ks: number[], metric: Metric) {
  const gallery = g ?? q, galleryLabels = gl ?? ql;
  const per: Record<string, number>[] = [];
  let skipped = 0;
  q.forEach((x, i) => {
    const order = gallery.map((y, j) => ({ s: score(x, y, metric), j })).filter(({ j }) => g !== null || j !== i);
    order.sort((a, b) => b.s - a.s || a.j - b.j);
    const rel: number[] = order.map(({ j }) => (galleryLabels[j] === ql[i] ? 1 : 0));
    const R = rel.reduce((a, b) => a + b, 0);
    if (R === 0) {
      skipped++;
      return;
    }
    const hits = (k: number) => rel.slice(0, k).reduce((a, b) => a + b, 0);
    const m: Record<string, number> = {};
    let ap = 0, mapR = 0;
    rel.forEach((r, pos) => {
      if (!r) return;
      ap += hits(pos + 1) / (pos + 1);
      if (pos < R) mapR += hits(pos + 1) / (pos + 1);
    });
    m.ap = ap / R;
    m.mapR = mapR / R;
    m.rPrec = hits(R) / R;
    m.rr = 1 / (rel.indexOf(1) + 1);
    for (const k of ks) {
      const p = hits(k) / k, r = hits(k) / R;
      m[`p${k}`] = p;
      m[`r${k}`] = r;
      m[`f${k}`] = p + r > 0 ? (2 * p * r) / (p + r) : 0;
      m[`h${k}`] = hits(k) > 0 ? 1 : 0;
      let dcg = 0, ideal = 0;
      for (let pos = 0; pos < k; pos++) dcg += rel[pos] / Math.log2(pos + 2);
      for (let pos = 0; pos < Math.min(k, R); pos++) ideal += 1 / Math.log2(pos + 2);
      m[`n${k}`] = dcg / ideal;
    }
    per.push(m);
  });
  const mean = (key: string) => per.reduce((a, m) => a + m[key], 0) / per.length;
  return { mean, skipped, queries: per.length };
}

function expectMatches(got: RetrievalMetrics, want: ReturnType<typeof reference>, ks: number[]) {
  expect(got.queries).toBe(want.queries);
  expect(got.skippedQueries).toBe(want.skipped);
  expect(got.meanAveragePrecision).toBeCloseTo(want.mean('ap'), 10);
  expect(got.mapAtR).toBeCloseTo(want.mean('mapR'), 10);
  expect(got.rPrecision).toBeCloseTo(want.mean('rPrec'), 10);
  expect(got.meanReciprocalRank).toBeCloseTo(want.mean('rr'), 10);
  for (const k of ks) {
    expect(got.precisionAtK[k]).toBeCloseTo(want.mean(`p${k}`), 10);
    expect(got.recallAtK[k]).toBeCloseTo(want.mean(`r${k}`), 10);
    expect(got.f1AtK[k]).toBeCloseTo(want.mean(`f${k}`), 10);
    expect(got.hitRateAtK[k]).toBeCloseTo(want.mean(`h${k}`), 10);
    expect(got.ndcgAtK[k]).toBeCloseTo(want.mean(`n${k}`), 10);
  }
}

const rows = (v: Float32Array, dim: number) => Array.from({ length: v.length / dim }, (_, r) => Array.from(v.subarray(r * dim, (r + 1) * dim)));
const labelsOf = (n: number, classes: number, seed: number) => Array.from(randomArray(n, seed, 0, classes), Math.floor);

describe('retrievalMetrics', () => {
  it('a hand-worked leave-one-out example', () => {
    // Points on a line, Euclidean. From 0: ranking 1 (a), 3 (b), 6 (a). From 1: 0 (a), 3 (b), 6 (a)...
    const x = [[0], [1], [3], [6]], labels = [7, 7, 9, 7];
    const m = retrievalMetrics({ queries: x, queryLabels: labels, k: [1, 2], distance: 'euclidean' });
    // Query 0: rel ranks 1, 3 (R = 2): AP = (1 + 2/3) / 2, MAP@R = 1/2, R-prec = 1/2, RR 1.
    // Query 1: ranking 0 (rel), 3 (irr), 6 (rel): same as query 0.
    // Query 3 (label 7, at 6): ranking 3 (b, dist 3), 1 (a, 5), 0 (a, 6): rel ranks 2, 3.
    //   AP = (1/2 + 2/3) / 2, MAP@R = (1/2) / 2, R-prec 1/2, RR 1/2. Query 2 (label 9) has no relevant item.
    expect(m.queries).toBe(3);
    expect(m.skippedQueries).toBe(1);
    expect(m.meanAveragePrecision).toBeCloseTo(((1 + 2 / 3) / 2 * 2 + (1 / 2 + 2 / 3) / 2) / 3, 12);
    expect(m.mapAtR).toBeCloseTo((0.5 + 0.5 + 0.25) / 3, 12);
    expect(m.rPrecision).toBeCloseTo(0.5, 12);
    expect(m.meanReciprocalRank).toBeCloseTo((1 + 1 + 0.5) / 3, 12);
    expect(m.precisionAtK[1]).toBeCloseTo(2 / 3, 12);
    expect(m.hitRateAtK[2]).toBeCloseTo(1, 12);
    expect(m.recallAtK[2]).toBeCloseTo((0.5 + 0.5 + 0.5) / 3, 12);
    expect(m.perClass.map((c) => [c.label, c.queries])).toEqual([[7, 3], [9, 0]]);
    expect(Number.isNaN(m.perClass[1].mapAtR)).toBe(true);
  });

  for (const metric of ['cosine', 'euclidean'] as const) {
    it(`leave-one-out matches the literal ranking (${metric}), blocks not dividing n`, () => {
      const dim = 6, n = 157, ks = [1, 3, 10, 40];
      const x = randomArray(n * dim, 11), labels = labelsOf(n, 5, 12);
      const before = tf.memory().numTensors;
      const got = retrievalMetrics({ queries: { values: x, dim }, queryLabels: labels, k: ks, distance: metric, chunk: 37 });
      expect(tf.memory().numTensors).toBe(before);
      expectMatches(got, reference(rows(x, dim), labels, null, null, ks, metric), ks);
    });

    it(`query/gallery matches the literal ranking (${metric}), labels missing from the gallery skipped`, () => {
      const dim = 4, ks = [1, 5, 25];
      const q = randomArray(60 * dim, 21), g = randomArray(90 * dim, 22);
      const ql = labelsOf(60, 6, 23), gl = labelsOf(90, 5, 24); // label 5 only among the queries
      const got = retrievalMetrics({ queries: rows(q, dim), queryLabels: ql, gallery: { values: g, dim }, galleryLabels: gl, k: ks, distance: metric, chunk: 16 });
      const want = reference(rows(q, dim), ql, rows(g, dim), gl, ks, metric);
      expect(want.skipped).toBeGreaterThan(0);
      expectMatches(got, want, ks);
    });
  }

  it('ties are ranked by the lower gallery index (integer points, exact scores)', () => {
    const pts = [[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1], [1, 1], [2, 0], [0, 2]], labels = [0, 1, 0, 1, 0, 1, 1, 0];
    const ks = [1, 2, 4];
    const got = retrievalMetrics({ queries: pts, queryLabels: labels, k: ks, distance: 'euclidean' });
    expectMatches(got, reference(pts, labels, null, null, ks, 'euclidean'), ks);
  });

  it('per-class metrics average to the overall ones, weighted by queries', () => {
    const dim = 5, n = 120, x = randomArray(n * dim, 31), labels = labelsOf(n, 4, 32).map((c) => 10 + 3 * c);
    const m = retrievalMetrics({ queries: { values: x, dim }, queryLabels: labels, k: [5] });
    expect(m.perClass.map((c) => c.label)).toEqual([10, 13, 16, 19]);
    const weighted = m.perClass.reduce((a, c) => a + c.mapAtR * c.queries, 0) / m.queries;
    expect(weighted).toBeCloseTo(m.mapAtR, 12);
    expect(m.perClass.reduce((a, c) => a + c.queries, 0)).toBe(n);
  });

  it('perfectly separated classes score 1 everywhere', () => {
    const pts: number[][] = [], labels: number[] = [];
    for (let c = 0; c < 3; c++) for (let i = 0; i < 6; i++) {
      pts.push([100 * c + i * 0.01, 1]);
      labels.push(c);
    }
    const m = retrievalMetrics({ queries: pts, queryLabels: labels, k: [1, 5], distance: 'euclidean' });
    for (const v of [m.meanAveragePrecision, m.mapAtR, m.rPrecision, m.meanReciprocalRank, m.precisionAtK[5], m.recallAtK[5], m.ndcgAtK[5], m.f1AtK[5]]) {
      expect(v).toBeCloseTo(1, 12);
    }
  });

  it('validates its arguments', () => {
    const x = [[0, 1], [1, 0], [1, 1]];
    expect(() => retrievalMetrics({ queries: x, queryLabels: [0, 1] })).toThrow(/queryLabels must have one label per query \(3\), received 2/);
    expect(() => retrievalMetrics({ queries: x, queryLabels: [0, 0, 1], k: [3] })).toThrow(/k must be a non-empty array of integers in \[1, 2\].*received \[3\]/);
    expect(() => retrievalMetrics({ queries: x, queryLabels: [0, 0, 1], k: [] })).toThrow(/k must be a non-empty array/);
    expect(() => retrievalMetrics({ queries: x, queryLabels: [0, 0, 1], k: [1], distance: 'manhattan' as never })).toThrow(/distance must be 'cosine' or 'euclidean', received "manhattan"/);
    expect(() => retrievalMetrics({ queries: x, queryLabels: [0, 0, 1], gallery: [[1, 2, 3]], galleryLabels: [0] })).toThrow(/gallery has dim 3, queries have dim 2/);
    expect(() => retrievalMetrics({ queries: x, queryLabels: [0, 0, 1], gallery: x })).toThrow(/galleryLabels is required with a gallery/);
    expect(() => retrievalMetrics({ queries: [[0, NaN]], queryLabels: [0] })).toThrow(/queries must hold finite numbers, received NaN in row 0/);
    expect(() => retrievalMetrics({ queries: [], queryLabels: [] })).toThrow(/queries must hold at least 1 point, received 0/);
    expect(() => retrievalMetrics({ queries: x, queryLabels: [0, 1, 2], k: [1] })).toThrow(/no query has a relevant item/);
    expect(() => retrievalMetrics({ queries: x, queryLabels: [0, 0, 1], k: [1], chunk: 0 })).toThrow(/chunk must be an integer >= 1, received 0/);
  });
});

describe('relevantRanks', () => {
  it('matches a full sort on scores with many ties, -0 and +0, the query excluded', () => {
    for (let trial = 0; trial < 30; trial++) {
      const n = 50 + trial * 7, levels = 1 + (trial % 6); // few distinct scores: ties everywhere
      const row = Float32Array.from(randomArray(n, 100 + trial, 0, levels), (v) => Math.floor(v) / 4 - 0.5);
      if (trial % 3 === 0) row[1] = -0;
      const self = trial % 2 ? 3 : -1;
      const relevantIdx = Array.from({ length: n }, (_, j) => j).filter((j) => j !== self && (j * 7 + trial) % 5 === 0);
      const relevant = new Uint8Array(n);
      relevantIdx.forEach((j) => (relevant[j] = 1));
      const ranks = new Int32Array(n), scratch = new Int32Array((BUCKETS_PER_ITEM + 1) * n + 2);
      relevantRanks(row, Int32Array.from(relevantIdx), relevant, self, ranks, scratch);
      const order = Array.from({ length: n }, (_, j) => j).filter((j) => j !== self).sort((a, b) => row[b] - row[a] || a - b);
      const want = order.map((j, pos) => (relevant[j] ? pos + 1 : 0)).filter((r) => r > 0);
      expect(Array.from(ranks.subarray(0, relevantIdx.length))).toEqual(want);
    }
  });

  it('sortByScore orders by decreasing score, lower index first, across signs', () => {
    const row = Float32Array.from([0.5, -1, 0, -0, 3e-39, -3e-39, 0.5, Infinity, -Infinity, 2, -2]);
    const idx = Int32Array.from(row.keys());
    sortByScore(row, idx);
    expect(Array.from(idx)).toEqual([7, 9, 0, 6, 4, 2, 3, 5, 1, 10, 8]);
  });
});

describe('nearestNeighbors', () => {
  it('matches a literal search, leave-one-out and with a gallery, both metrics', () => {
    const dim = 3, q = randomArray(40 * dim, 41), g = randomArray(70 * dim, 42), k = 7;
    for (const metric of ['cosine', 'euclidean'] as const) {
      for (const gallery of [undefined, { values: g, dim }]) {
        const before = tf.memory().numTensors;
        const got = nearestNeighbors({ values: q, dim }, { k, gallery, metric, chunk: 9 });
        expect(tf.memory().numTensors).toBe(before);
        const G = rows(gallery ? g : q, dim);
        rows(q, dim).forEach((x, i) => {
          const order = G.map((y, j) => ({ s: score(x, y, metric), j })).filter(({ j }) => gallery || j !== i);
          order.sort((a, b) => b.s - a.s || a.j - b.j);
          expect(Array.from(got.indices.subarray(i * k, (i + 1) * k))).toEqual(order.slice(0, k).map((o) => o.j));
          order.slice(0, k).forEach((o, t) => expect(got.scores[i * k + t]).toBeCloseTo(metric === 'cosine' ? o.s : -o.s, 4));
        });
      }
    }
  });

  it('validates k against the gallery', () => {
    expect(() => nearestNeighbors([[0], [1]], { k: 2 })).toThrow(/k must be an integer in \[1, 1\] \(the gallery rows other than the query\), received 2/);
  });
});
