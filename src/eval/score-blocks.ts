/**
 * Query-gallery scores in blocks of query rows, the one place where kNN search, the weighted kNN
 * classifier and the retrieval metrics meet the embeddings: a [rows, n] block of scores at a time
 * (one float32 GEMM on the active tfjs backend), so memory stays bounded for any number of
 * queries (70,000 x 70,000 scores would be 19.6 GB; a block of 256 rows is 72 MB).
 *
 * A score is larger for closer items: the cosine similarity of the L2-normalised rows, or the
 * negative squared Euclidean distance -(||q||^2 + ||g||^2 - 2 q.g) (which ranks exactly as the
 * distance does).
 */
import { matMul, tensor2d, tidy } from '@tensorflow/tfjs-core';
import { squaredNorm, type Matrix, type Points } from './points.js';

/** How closeness is measured: cosine similarity or Euclidean distance. */
export type ScoreMetric = 'cosine' | 'euclidean';

export interface ScoreBlockOptions {
  metric: ScoreMetric;
  /** Query rows per block. Default 256. */
  chunk?: number;
  /** Called after each block with (queries done, total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Copies rows into unit length (zero rows stay zero), as float32 or, with `Out = Float64Array`,
 * float64; norms are summed in float64.
 */
export function l2Normalize<T extends Float32Array | Float64Array = Float32Array>(
  { values, dim }: Matrix, Out: { new (length: number): T } = Float32Array as unknown as { new (length: number): T },
): T {
  const out = new Out(values.length);
  for (let r = 0; r < values.length / dim; r++) {
    const norm = Math.sqrt(squaredNorm(values, r, dim));
    for (let j = 0; j < dim; j++) out[r * dim + j] = norm > 0 ? values[r * dim + j] / norm : 0;
  }
  return out;
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
  const cosine = metric === 'cosine', dim = gallery.dim, n = gallery.rows, m = queries.rows;
  const f32 = (p: Points) => (cosine ? l2Normalize(p) : Float32Array.from(p.values));
  const g = f32(gallery), q = f32(queries);
  const norms = (x: Float32Array, rows: number) => Float32Array.from({ length: rows }, (_, r) => squaredNorm(x, r, dim));
  const gNorm = cosine ? null : norms(g, n), qNorm = cosine ? null : norms(q, m);
  const gT = tensor2d(g, [n, dim]);
  try {
    for (let start = 0; start < m; start += chunk) {
      const rows = Math.min(chunk, m - start);
      // (tidy returns the tensor, not its values: tidy walks a returned array element by element.)
      const t = tidy(() => matMul(tensor2d(q.subarray(start * dim, (start + rows) * dim), [rows, dim]), gT, false, true));
      const scores = t.dataSync() as Float32Array; // [rows, n]
      t.dispose();
      if (gNorm && qNorm) {
        for (let r = 0; r < rows; r++) {
          const qn = qNorm[start + r], row = r * n;
          for (let j = 0; j < n; j++) scores[row + j] = Math.min(2 * scores[row + j] - qn - gNorm[j], 0);
        }
      }
      block(start, rows, scores);
      onProgress?.(start + rows, m);
    }
  } finally {
    gT.dispose();
  }
}
