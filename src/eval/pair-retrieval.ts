/**
 * Retrieval on given pairs (the figures of sentence-transformers' InformationRetrievalEvaluator
 * for one relevant document per query): query i is anchor i, the gallery is every positive, and
 * positive i is the one relevant row. For each query the rank of its positive among all
 * positives by cosine similarity (1 = first; a tie counts against it: rank = 1 + the rows scoring
 * at least as high, the positive excluded) gives
 *
 * - recall@k: the share of queries whose positive is among the first k (with one relevant row,
 *   recall@1 = precision@1 = MAP@R);
 * - MRR: the mean of 1 / rank (mean reciprocal rank, at no cut-off);
 * - mean and median rank.
 */
import { toPoints, type PointsInput } from './points.js';
import { forEachScoreBlock } from './score-blocks.js';

export interface PairRetrieval {
  /** Queries (pairs). */
  n: number;
  recallAtK: Record<number, number>;
  mrr: number;
  meanRank: number;
  medianRank: number;
}

/**
 * The figures above for anchors `queries` [n, D] and their positives `gallery` [n, D] (row i of
 * each is pair i), at the cut-offs `k` (default 1, 10; each at most n).
 */
export function pairRetrieval(queries: PointsInput, gallery: PointsInput, options: { k?: number[]; onProgress?: (done: number, total: number) => void } = {}): PairRetrieval {
  const caller = 'pairRetrieval';
  const q = toPoints(caller, 'queries', queries), g = toPoints(caller, 'gallery', gallery);
  if (q.rows !== g.rows) throw new Error(`${caller}: expected one positive per anchor (${q.rows}), received ${g.rows} gallery rows`);
  if (q.dim !== g.dim) throw new Error(`${caller}: gallery has dim ${g.dim}, queries have dim ${q.dim}`);
  if (q.rows < 2) throw new Error(`${caller}: expected at least 2 pairs, received ${q.rows}`);
  const ks = options.k ?? [1, 10].filter((c) => c <= q.rows);
  for (const c of ks) if (!Number.isInteger(c) || c < 1 || c > q.rows) throw new Error(`${caller}: cut-offs must be integers in [1, ${q.rows}], received ${c}`);
  const n = q.rows, ranks = new Int32Array(n);
  forEachScoreBlock(q, g, { metric: 'cosine', ...(options.onProgress ? { onProgress: options.onProgress } : {}) }, (start, rows, scores) => {
    for (let r = 0; r < rows; r++) {
      const i = start + r, row = scores.subarray(r * n, (r + 1) * n), own = row[i];
      let rank = 1;
      for (let j = 0; j < n; j++) if (j !== i && row[j] >= own) rank++;
      ranks[i] = rank;
    }
  });
  const recallAtK: Record<number, number> = {};
  for (const c of ks) recallAtK[c] = ranks.reduce((a, r) => a + (r <= c ? 1 : 0), 0) / n;
  const sorted = Int32Array.from(ranks).sort();
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return {
    n, recallAtK, mrr: ranks.reduce((a, r) => a + 1 / r, 0) / n, meanRank: ranks.reduce((a, r) => a + r, 0) / n, medianRank: median,
  };
}
