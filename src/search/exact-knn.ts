/**
 * Exact (brute-force) k-nearest-neighbour search: every query against every gallery row, in
 * blocks of queries (bounded memory, see eval/score-blocks.ts), a size-k heap per query. Exact
 * search is the reference an approximate index is measured against, and at 70,000 items it is
 * one GEMM of 70,000 x 70,000 x D plus the heaps: minutes, not hours, on two cores.
 *
 * Without a gallery it is leave-one-out: each query is searched among the other rows, never
 * itself. Ties are broken by the lower gallery index.
 */
import { topK } from '../eval/knn.js';
import { toPoints, type PointsInput } from '../eval/points.js';
import { checkChunk, forEachScoreBlock, type ScoreMetric } from '../eval/score-blocks.js';

export interface NearestNeighborsOptions {
  /** Neighbours per query. */
  k: number;
  /** Gallery to search (default: the queries themselves, leave-one-out). */
  gallery?: PointsInput;
  /** 'cosine' (default) or 'euclidean'. */
  metric?: ScoreMetric;
  /** Query rows per block of scores. Default 256. */
  chunk?: number;
  /** Called after each block with (queries done, total). */
  onProgress?: (done: number, total: number) => void;
}

export interface Neighbors {
  /** Neighbours per query. */
  k: number;
  /** [queries, k] row-major gallery indices, closest first. */
  indices: Int32Array;
  /**
   * [queries, k] closeness of each neighbour: cosine similarity, or Euclidean distance (not
   * squared) for metric 'euclidean'.
   */
  scores: Float32Array;
}

/**
 * The k nearest gallery rows of every query.
 *
 * @example
 * const { indices } = nearestNeighbors(embeddings, { k: 5 }); // leave-one-out, cosine
 */
export function nearestNeighbors(queries: PointsInput, options: NearestNeighborsOptions): Neighbors {
  const caller = 'nearestNeighbors';
  const { k, metric = 'cosine', chunk = 256, onProgress } = options;
  if (metric !== 'cosine' && metric !== 'euclidean') throw new Error(`${caller}: metric must be 'cosine' or 'euclidean', received ${JSON.stringify(metric)}`);
  const q = toPoints(caller, 'queries', queries);
  const leaveOneOut = options.gallery === undefined;
  const g = leaveOneOut ? q : toPoints(caller, 'gallery', options.gallery!);
  if (g.dim !== q.dim) throw new Error(`${caller}: gallery has dim ${g.dim}, queries have dim ${q.dim}`);
  const candidates = g.rows - (leaveOneOut ? 1 : 0);
  if (!Number.isInteger(k) || k < 1 || k > candidates) {
    throw new Error(`${caller}: k must be an integer in [1, ${candidates}] (the gallery rows${leaveOneOut ? ' other than the query' : ''}), received ${k}`);
  }
  const n = g.rows, indices = new Int32Array(q.rows * k), scores = new Float32Array(q.rows * k);
  forEachScoreBlock(q, g, { metric, chunk: checkChunk(caller, chunk), onProgress }, (start, rows, block) => {
    for (let r = 0; r < rows; r++) {
      const row = block.subarray(r * n, (r + 1) * n);
      if (leaveOneOut) row[start + r] = -Infinity; // never the query itself
      const top = topK(row, k), at = (start + r) * k;
      for (let i = 0; i < k; i++) {
        indices[at + i] = top[i];
        scores[at + i] = metric === 'cosine' ? row[top[i]] : Math.sqrt(-row[top[i]]);
      }
    }
  });
  return { k, indices, scores };
}
