import { describe, expect, it } from 'vitest';
import { embeddingMap, sampleRows } from '../../src/report/embedding-map.js';
import { Rng } from '../../src/util/random.js';
import { blobs } from './synthetic-report.js';

/** Leave-one-out k-nearest-neighbour accuracy of 2-D points (majority vote, Euclidean). */
function knnAccuracy2d(x: Float32Array, y: Float32Array, labels: ArrayLike<number>, k = 5): number {
  let correct = 0;
  for (let i = 0; i < x.length; i++) {
    const order = Array.from({ length: x.length }, (_, j) => j)
      .filter((j) => j !== i)
      .sort((a, b) => Math.hypot(x[a] - x[i], y[a] - y[i]) - Math.hypot(x[b] - x[i], y[b] - y[i]));
    const votes = new Map<number, number>();
    for (const j of order.slice(0, k)) votes.set(labels[j], (votes.get(labels[j]) ?? 0) + 1);
    const best = [...votes.entries()].sort((a, b) => b[1] - a[1])[0][0];
    if (best === labels[i]) correct++;
  }
  return correct / x.length;
}

describe('embeddingMap', () => {
  const pts = blobs(50, 16, 11);

  it('separates well-separated blobs: 2-D kNN accuracy near 1, finite coordinates', () => {
    const map = embeddingMap(pts, { seed: 3, nEpochs: 150 });
    expect(map.x.length).toBe(200);
    expect(Array.from(map.indices)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    for (let i = 0; i < 200; i++) expect(Number.isFinite(map.x[i]) && Number.isFinite(map.y[i])).toBe(true);
    expect(knnAccuracy2d(map.x, map.y, pts.labels)).toBeGreaterThanOrEqual(0.98);
  });

  it('is deterministic for a seed and differs for another seed', () => {
    const a = embeddingMap(pts, { seed: 5, nEpochs: 50 });
    const b = embeddingMap(pts, { seed: 5, nEpochs: 50 });
    const c = embeddingMap(pts, { seed: 6, nEpochs: 50 });
    expect(Array.from(b.x)).toEqual(Array.from(a.x));
    expect(Array.from(b.y)).toEqual(Array.from(a.y));
    expect(Array.from(c.x)).not.toEqual(Array.from(a.x));
  });

  it('subsamples to maxPoints and returns the rows used (increasing, distinct, seeded)', () => {
    const big = blobs(75, 8, 2); // 300 rows
    const a = embeddingMap(big, { maxPoints: 100, seed: 1, nEpochs: 30 });
    const b = embeddingMap(big, { maxPoints: 100, seed: 1, nEpochs: 30 });
    expect(a.indices.length).toBe(100);
    expect(a.x.length).toBe(100);
    expect(a.y.length).toBe(100);
    for (let i = 1; i < 100; i++) expect(a.indices[i]).toBeGreaterThan(a.indices[i - 1]);
    expect(a.indices[0]).toBeGreaterThanOrEqual(0);
    expect(a.indices[99]).toBeLessThan(300);
    expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
    // every class is represented in a uniform sample of a third
    expect(new Set(Array.from(a.indices, (i) => big.labels[i])).size).toBe(4);
  });

  it('sampleRows: every row equally likely (each of 10 rows picked ~3/10 of the time)', () => {
    const rng = new Rng(9), counts = new Array(10).fill(0), trials = 20000;
    for (let t = 0; t < trials; t++) for (const i of sampleRows(10, 3, rng)) counts[i]++;
    for (const c of counts) expect(c / trials).toBeCloseTo(0.3, 1);
    expect(Array.from(sampleRows(4, 10, rng))).toEqual([0, 1, 2, 3]);
  });

  it('reports progress per layout epoch: (0, total) first, (total, total) last', () => {
    const calls: [number, number][] = [];
    embeddingMap(pts, { nEpochs: 20, onProgress: (done, total) => calls.push([done, total]) });
    expect(calls[0]).toEqual([0, 20]);
    expect(calls.at(-1)).toEqual([20, 20]);
    expect(calls.length).toBe(21);
  });

  it('takes number[][] and the euclidean metric; clamps nNeighbors to rows - 1', () => {
    const rows = Array.from({ length: 12 }, (_, i) => [i % 2 === 0 ? 0 : 10, (i * 7) % 5, 1]);
    const map = embeddingMap(rows, { metric: 'euclidean', nNeighbors: 50, nEpochs: 20 });
    expect(map.x.length).toBe(12);
  });

  it('rejects bad options and inputs with errors naming the argument', () => {
    expect(() => embeddingMap(pts, { method: 'tsne' as 'umap' })).toThrow(`embeddingMap: options.method must be 'umap', received "tsne"`);
    expect(() => embeddingMap(pts, { nNeighbors: 1 })).toThrow('embeddingMap: options.nNeighbors must be an integer >= 2, received 1');
    expect(() => embeddingMap(pts, { minDist: 2 })).toThrow('embeddingMap: options.minDist must be a number in [0, 1], received 2');
    expect(() => embeddingMap(pts, { maxPoints: 2 })).toThrow('embeddingMap: options.maxPoints must be an integer >= 3, received 2');
    expect(() => embeddingMap(pts, { seed: 0.5 })).toThrow('embeddingMap: options.seed must be an integer, received 0.5');
    expect(() => embeddingMap(pts, { metric: 'l1' as 'cosine' })).toThrow(`embeddingMap: options.metric must be 'cosine' or 'euclidean', received "l1"`);
    expect(() => embeddingMap([[1, 2], [3, 4]])).toThrow('embeddingMap: points must hold at least 3 rows for a map, received 2');
    expect(() => embeddingMap({ values: Float32Array.from([1, NaN, 0, 0, 1, 1]), dim: 2 })).toThrow('embeddingMap: points must hold finite numbers, received NaN in row 0');
  });
});
