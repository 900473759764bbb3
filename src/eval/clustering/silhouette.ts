/**
 * Silhouette coefficients (Rousseeuw 1987, "Silhouettes: a graphical aid to the interpretation
 * and validation of cluster analysis", J. Comput. Appl. Math. 20:53-65), with scikit-learn 1.2's
 * `silhouette_samples` / `silhouette_score` semantics: for point i in cluster A,
 *
 *   a(i) = Σ_{j in A, j != i} d(i, j) / (|A| - 1),   b(i) = min_{B != A} Σ_{j in B} d(i, j) / |B|,
 *   s(i) = (b(i) - a(i)) / max(a(i), b(i)),
 *
 * s(i) = 0 when i is alone in its cluster (sklearn's 0/0 -> nan -> `nan_to_num`) or when
 * a(i) = b(i) = 0; the score is the mean of s(i). Defined for 2 <= clusters <= N - 1 (else an error,
 * as sklearn's `check_number_of_labels`).
 *
 * Only the per-cluster sums Σ_{j in B} d(i, j) of each row are needed, computed `chunk` rows at a
 * time, so memory is O(chunk · N), never N²:
 * - Float64Array / number[][] points: exact float64 distance blocks (`distance-blocks.ts`), summed
 *   per cluster in float64;
 * - Float32Array points: the transposed distance block [N, chunk] is a float32 GEMM on the tfjs
 *   backend and is summed per cluster there (UnsortedSegmentSum), so only [clusters, chunk] sums
 *   come back (the self-distance the GEMM gives on the diagonal, ~1e-3 rather than 0, is
 *   gathered and subtracted); the [chunk, N] blocks are never read back to JavaScript.
 */
import { gather, reshape, tensor1d, tidy, unsortedSegmentSum } from '@tensorflow/tfjs-core';
import type { PointsInput } from '../points.js';
import { toClusteredPoints, type ClusteredPoints } from './clustered-points.js';
import { DistanceGemm } from '../distance-gemm.js';
import { checkDistanceOptions, forEachDistanceBlock, type DistanceBlockOptions } from './distance-blocks.js';

export type SilhouetteOptions = DistanceBlockOptions;

/** Calls `visit(sum, start, rows)` per chunk, where sum(r, c) = Σ_{j in cluster c} d(start + r, j). */
type SumVisitor = (sum: (r: number, c: number) => number, start: number, rows: number) => void;

function exactSums({ points, ids, sizes }: ClusteredPoints, options: Required<DistanceBlockOptions>, visit: SumVisitor): void {
  const k = sizes.length;
  let sums = new Float64Array(0);
  forEachDistanceBlock(points, options, {}, ({ values, start, rows, cols }) => {
    if (sums.length < rows * k) sums = new Float64Array(rows * k);
    sums.fill(0);
    for (let r = 0; r < rows; r++) {
      const o = r * cols, s = r * k;
      for (let j = 0; j < cols; j++) sums[s + ids[j]] += values[o + j];
    }
    visit((r, c) => sums[r * k + c], start, rows);
  });
}

function gemmSums({ points, ids, sizes }: ClusteredPoints, options: Required<DistanceBlockOptions>, visit: SumVisitor): void {
  const k = sizes.length, n = points.rows, gemm = new DistanceGemm(points, points, options.metric), idsT = tensor1d(ids, 'int32');
  try {
    for (let start = 0; start < n; start += options.chunk) {
      const rows = Math.min(options.chunk, n - start);
      const diagonal = Int32Array.from({ length: rows }, (_, r) => (start + r) * rows + r); // flat index of d(start + r, start + r)
      const [sumsT, diagT] = tidy(() => {
        const block = gemm.tensor(start, rows, { transposed: true }); // [N, rows]
        return [unsortedSegmentSum(block, idsT, k), gather(reshape(block, [n * rows]), tensor1d(diagonal, 'int32'))]; // [k, rows], [rows]
      });
      try {
        const sums = sumsT.dataSync(), diag = diagT.dataSync();
        visit((r, c) => sums[c * rows + r] - (c === ids[start + r] ? diag[r] : 0), start, rows);
      } finally {
        sumsT.dispose();
        diagT.dispose();
      }
      options.onProgress(start + rows, n);
    }
  } finally {
    gemm.dispose();
    idsT.dispose();
  }
}

function samples(caller: string, points: PointsInput, labels: ArrayLike<number>, options: SilhouetteOptions): Float64Array {
  const cp = toClusteredPoints(caller, points, labels), { ids, sizes } = cp;
  const checked = checkDistanceOptions(caller, options, cp.points.rows);
  const k = sizes.length, out = new Float64Array(cp.points.rows);
  const sumsOf = cp.points.values instanceof Float32Array ? gemmSums : exactSums;
  sumsOf(cp, checked, (sum, start, rows) => {
    for (let r = 0; r < rows; r++) {
      const own = ids[start + r];
      if (sizes[own] === 1) continue; // s = 0
      const a = sum(r, own) / (sizes[own] - 1);
      let b = Infinity;
      for (let c = 0; c < k; c++) if (c !== own) b = Math.min(b, sum(r, c) / sizes[c]);
      const m = Math.max(a, b);
      out[start + r] = m > 0 ? (b - a) / m : 0;
    }
  });
  return out;
}

/** s(i) for every point. */
export function silhouetteSamples(points: PointsInput, labels: ArrayLike<number>, options: SilhouetteOptions = {}): Float64Array {
  return samples('silhouetteSamples', points, labels, options);
}

/** Mean silhouette coefficient in [-1, 1]; higher is better. */
export function silhouetteScore(points: PointsInput, labels: ArrayLike<number>, options: SilhouetteOptions = {}): number {
  const s = samples('silhouetteScore', points, labels, options);
  return s.reduce((t, v) => t + v, 0) / s.length;
}
