/**
 * Weighted k-nearest-neighbour classifier on embeddings, the self-supervised benchmark protocol of
 * Wu et al. 2018 (arXiv:1805.01978) used by lightly's benchmarks: cosine similarity between
 * L2-normalised embeddings, the k most similar training items vote for their class with weight
 * exp(similarity / temperature), the class with the largest total wins. Defaults k = 200,
 * temperature = 0.1 (lightly `benchmarks/imagenet/...knn`, solo-learn's kNN callback).
 *
 * Similarities are computed in chunks of queries (`chunk` rows at a time: a [chunk, N] matrix, one
 * GEMM on the active tfjs backend; see score-blocks.ts), so memory stays bounded for any N.
 */
import type { Matrix } from './points.js';
import { toPoints } from './points.js';
import { checkChunk, forEachScoreBlock } from './score-blocks.js';

export interface KnnOptions {
  /** Neighbours that vote. Default 200. */
  k?: number;
  /** Temperature of the vote weights exp(sim / T), > 0. Default 0.1. */
  temperature?: number;
  /** Number of classes (default: 1 + the largest training label). */
  numClasses?: number;
  /** Queries per similarity chunk ([chunk, N] floats at a time). Default 256. */
  chunk?: number;
  /** Called after each chunk with (queries done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** Row-major [count, dim] float32 values (what embedDataset returns). */
export interface Embeddings {
  values: Float32Array;
  dim: number;
}

/**
 * Indices of the k largest values of row (ties: the lower index first), in decreasing order.
 * A size-k min-heap: O(n log k).
 */
export function topK(row: Float32Array, k: number): Int32Array {
  const n = row.length;
  k = Math.min(k, n);
  const heap = new Int32Array(k); // min-heap on (value, -index)
  let size = 0;
  const less = (a: number, b: number) => row[a] < row[b] || (row[a] === row[b] && a > b);
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < size && less(heap[l], heap[m])) m = l;
      if (r < size && less(heap[r], heap[m])) m = r;
      if (m === i) return;
      const t = heap[i]; heap[i] = heap[m]; heap[m] = t;
      i = m;
    }
  };
  let i = 0;
  for (; i < n && size < k; i++) {
    heap[size] = i;
    let c = size++;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (!less(heap[c], heap[p])) break;
      const t = heap[c]; heap[c] = heap[p]; heap[p] = t;
      c = p;
    }
  }
  // The heap is full. Items come in increasing index, so one enters only with a strictly larger
  // value than the heap's smallest (on a tie the smallest has the lower index and stays): one
  // comparison with a cached threshold for most items.
  let threshold = k > 0 ? row[heap[0]] : Infinity;
  for (; i < n; i++) {
    if (row[i] > threshold) {
      heap[0] = i;
      siftDown(0);
      threshold = row[heap[0]];
    }
  }
  const out = Array.from(heap.subarray(0, size));
  out.sort((a, b) => (row[b] - row[a]) || (a - b));
  return Int32Array.from(out);
}

/** Predicted class of every query row. */
export function weightedKnnPredict(
  train: Matrix, trainLabels: ArrayLike<number>, queries: Matrix, options: KnnOptions = {},
): Int32Array {
  const caller = 'weightedKnn';
  const { k = 200, temperature = 0.1, chunk = 256, onProgress } = options;
  if (!Number.isInteger(k) || k < 1) throw new Error(`${caller}: k must be an integer >= 1, received ${k}`);
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new Error(`${caller}: temperature must be a finite number > 0, received ${temperature}`);
  }
  const bank = toPoints(caller, 'train', train), q = toPoints(caller, 'queries', queries, true);
  if (q.dim !== bank.dim) throw new Error(`${caller}: queries have dim ${q.dim}, train has dim ${bank.dim}`);
  if (trainLabels.length !== bank.rows) throw new Error(`${caller}: trainLabels has ${trainLabels.length} labels for ${bank.rows} train rows`);
  let maxLabel = 0;
  for (let i = 0; i < bank.rows; i++) maxLabel = Math.max(maxLabel, trainLabels[i]);
  const numClasses = options.numClasses ?? maxLabel + 1;
  const n = bank.rows, pred = new Int32Array(q.rows), votes = new Float64Array(numClasses);
  forEachScoreBlock(q, bank, { metric: 'cosine', chunk: checkChunk(caller, chunk), onProgress }, (start, rows, sims) => {
    for (let r = 0; r < rows; r++) {
      const row = sims.subarray(r * n, (r + 1) * n);
      votes.fill(0);
      for (const j of topK(row, k)) votes[trainLabels[j]] += Math.exp(row[j] / temperature);
      let best = 0;
      for (let c = 1; c < numClasses; c++) if (votes[c] > votes[best]) best = c;
      pred[start + r] = best;
    }
  });
  return pred;
}

/** Top-1 accuracy (fraction) of the weighted kNN classifier on labelled queries. */
export function weightedKnnAccuracy(
  train: Matrix, trainLabels: ArrayLike<number>, queries: Matrix, queryLabels: ArrayLike<number>, options?: KnnOptions,
): number {
  const pred = weightedKnnPredict(train, trainLabels, queries, options);
  if (queryLabels.length !== pred.length) {
    throw new Error(`weightedKnn: queryLabels has ${queryLabels.length} labels for ${pred.length} queries`);
  }
  let hit = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === queryLabels[i]) hit++;
  return pred.length ? hit / pred.length : 0;
}
