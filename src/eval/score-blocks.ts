/**
 * Query-gallery scores in blocks of query rows, the one place where kNN search, the weighted kNN
 * classifier and the retrieval metrics meet the embeddings: a [rows, n] block of scores at a time
 * (one float32 GEMM on the active tfjs backend, `DistanceGemm` in distance-gemm.ts), so memory
 * stays bounded for any number of queries (70,000 x 70,000 scores would be 19.6 GB; a block of
 * 256 rows is 72 MB).
 *
 * A score is larger for closer items: the cosine similarity of the L2-normalised rows, or the
 * negative squared Euclidean distance -||q - g||^2, clamped at 0 (which ranks exactly as the
 * distance does).
 */
import type { Points } from './points.js';
import { DistanceGemm, type PairwiseMetric } from './distance-gemm.js';

/** How closeness is measured: cosine similarity or Euclidean distance. */
export type ScoreMetric = PairwiseMetric;

export interface ScoreBlockOptions {
  metric: ScoreMetric;
  /** Query rows per block. Default 256. */
  chunk?: number;
  /** Called after each block with (queries done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** The valid `chunk`: an integer >= 1 (the caller names itself in the error). */
export function checkChunk(caller: string, chunk: number): number {
  if (!Number.isInteger(chunk) || chunk < 1) throw new Error(`${caller}: chunk must be an integer >= 1, received ${chunk}`);
  return chunk;
}

/**
 * Calls `block(start, rows, scores)` for consecutive blocks of queries: scores is [rows, n]
 * row-major (row r is query start + r against every gallery row), valid only during the call.
 * Queries and gallery must have the same dim (checked by the caller).
 */
export function forEachScoreBlock(
  queries: Points, gallery: Points, options: ScoreBlockOptions,
  block: (start: number, rows: number, scores: Float32Array) => void,
): void {
  const { metric, chunk = 256, onProgress } = options;
  const m = queries.rows, gemm = new DistanceGemm(queries, gallery, metric, 'score');
  try {
    for (let start = 0; start < m; start += chunk) {
      const rows = Math.min(chunk, m - start);
      gemm.read(start, rows, {}, (scores) => block(start, rows, scores));
      onProgress?.(start + rows, m);
    }
  } finally {
    gemm.dispose();
  }
}
