/**
 * A 2-D map of embeddings for the report: UMAP (McInnes et al. 2018, arXiv:1802.03426) through
 * `umap-js`, the PAIR-code port: a well-kept, dependency-light, pure-JavaScript package that runs
 * in Node and in the browser alike (no native build, no Python), with a seedable `random` and a
 * per-epoch step API for progress.
 *
 * UMAP in JavaScript is slow (5000 x 256 took 14-21 s on this machine's 2 shared cores: 4-6 s to
 * build the neighbour graph by NN-descent, then 400 layout epochs), so inputs above `maxPoints` rows
 * are subsampled uniformly with the seed; `indices` tells which rows the coordinates belong to. Deterministic for a seed: the
 * subsample and every random draw of umap-js come from `Rng(seed)`.
 *
 * With the default metric 'cosine', rows are L2-normalised first, so umap-js's Euclidean distance
 * orders neighbours like cosine similarity (|a - b|^2 = 2 - 2 cos for unit vectors), the measure
 * the kNN metrics use.
 */
import { UMAP } from 'umap-js';
import { l2Normalize } from '../eval/points.js';
import { toPoints, type PointsInput } from '../eval/points.js';
import { Rng } from '../util/random.js';

export interface EmbeddingMapOptions {
  /** Only 'umap' for now. */
  method?: 'umap';
  /** Seed of the subsample and of UMAP's random draws. Default 0. */
  seed?: number;
  /** UMAP's neighbourhood size (local vs global structure), clamped to rows - 1. Default 15. */
  nNeighbors?: number;
  /** UMAP's minimum distance between embedded points, in [0, spread = 1]. Default 0.1. */
  minDist?: number;
  /** Layout epochs. Default umap-js's rule: 500 up to 2500 rows, 400 up to 5000, 200 above. */
  nEpochs?: number;
  /** Rows above this are subsampled (seeded, uniform). Default 5000. */
  maxPoints?: number;
  /** 'cosine' (rows L2-normalised first) or 'euclidean' (rows as they are). Default 'cosine'. */
  metric?: 'cosine' | 'euclidean';
  /** Called after each layout epoch (and with 0 once the neighbour graph is built). */
  onProgress?: (done: number, total: number) => void;
}

export interface EmbeddingMap {
  /** [n] first coordinate of each used row. */
  x: Float32Array;
  /** [n] second coordinate. */
  y: Float32Array;
  /** [n] the input row of each point, increasing (all rows 0..rows-1 when not subsampled). */
  indices: Int32Array;
}

const fail = (message: string): never => {
  throw new Error(`embeddingMap: ${message}`);
};

/** `count` distinct row indices out of `rows`, chosen uniformly with `rng`, increasing. */
export function sampleRows(rows: number, count: number, rng: Rng): Int32Array {
  if (count >= rows) return Int32Array.from({ length: rows }, (_, i) => i);
  const all = Int32Array.from({ length: rows }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    // partial Fisher-Yates: position i takes a uniform pick from the rest
    const j = i + rng.int(rows - i);
    const t = all[i]; all[i] = all[j]; all[j] = t;
  }
  return all.subarray(0, count).sort();
}

/** 2-D coordinates of `points` ([rows, dim]); see the file comment. Synchronous (CPU-bound). */
export function embeddingMap(points: PointsInput, options: EmbeddingMapOptions = {}): EmbeddingMap {
  const { method = 'umap', seed = 0, nNeighbors = 15, minDist = 0.1, nEpochs, maxPoints = 5000, metric = 'cosine', onProgress } = options;
  if (method !== 'umap') fail(`options.method must be 'umap', received ${JSON.stringify(method)}`);
  if (!Number.isInteger(seed)) fail(`options.seed must be an integer, received ${seed}`);
  if (!Number.isInteger(nNeighbors) || nNeighbors < 2) fail(`options.nNeighbors must be an integer >= 2, received ${nNeighbors}`);
  if (typeof minDist !== 'number' || !(minDist >= 0 && minDist <= 1)) fail(`options.minDist must be a number in [0, 1], received ${minDist}`);
  if (nEpochs !== undefined && (!Number.isInteger(nEpochs) || nEpochs < 1)) fail(`options.nEpochs must be an integer >= 1, received ${nEpochs}`);
  if (!Number.isInteger(maxPoints) || maxPoints < 3) fail(`options.maxPoints must be an integer >= 3, received ${maxPoints}`);
  if (metric !== 'cosine' && metric !== 'euclidean') fail(`options.metric must be 'cosine' or 'euclidean', received ${JSON.stringify(metric)}`);
  if (onProgress !== undefined && typeof onProgress !== 'function') fail(`options.onProgress must be a function, received ${typeof onProgress}`);
  const { values, dim, rows } = toPoints('embeddingMap', 'points', points);
  if (rows < 3) fail(`points must hold at least 3 rows for a map, received ${rows}`);

  const rng = new Rng(seed);
  const indices = sampleRows(rows, maxPoints, rng);
  const n = indices.length;
  const rowsUsed = new Float32Array(n * dim); // [n, dim]
  for (let i = 0; i < n; i++) rowsUsed.set(values.subarray(indices[i] * dim, (indices[i] + 1) * dim), i * dim);
  const flat = metric === 'cosine' ? l2Normalize({ values: rowsUsed, dim }) : rowsUsed;
  const X: number[][] = Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * dim, (i + 1) * dim)));

  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(nNeighbors, n - 1), minDist, nEpochs, random: () => rng.next() });
  const total = umap.initializeFit(X);
  onProgress?.(0, total);
  for (let epoch = 1; epoch <= total; epoch++) {
    umap.step();
    onProgress?.(epoch, total);
  }
  const embedding = umap.getEmbedding();
  const x = new Float32Array(n), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = embedding[i][0];
    y[i] = embedding[i][1];
  }
  return { x, y, indices: Int32Array.from(indices) };
}
