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
 * Distances come in [chunk, N] blocks (`distance-blocks.ts`: float32 GEMM for Float32Array input,
 * exact float64 otherwise), and each row's per-cluster sums are accumulated in float64, so memory
 * is O(chunk · N + N · clusters), never N².
 */
import type { PointsInput } from '../points.js';
import { toClusteredPoints } from './clustered-points.js';
import { checkDistanceOptions, forEachDistanceBlock, type DistanceBlockOptions } from './distance-blocks.js';

export type SilhouetteOptions = DistanceBlockOptions;

function samples(caller: string, points: PointsInput, labels: ArrayLike<number>, options: SilhouetteOptions): Float64Array {
  const { points: p, ids, sizes } = toClusteredPoints(caller, points, labels);
  const checked = checkDistanceOptions(caller, options, p.rows);
  const k = sizes.length, out = new Float64Array(p.rows), sums = new Float64Array(k);
  forEachDistanceBlock(p, checked, {}, ({ values, start, rows, cols }) => {
    for (let r = 0; r < rows; r++) {
      sums.fill(0);
      const row = values.subarray(r * cols, (r + 1) * cols);
      for (let j = 0; j < cols; j++) sums[ids[j]] += row[j];
      const own = ids[start + r];
      if (sizes[own] === 1) continue; // s = 0
      const a = sums[own] / (sizes[own] - 1);
      let b = Infinity;
      for (let c = 0; c < k; c++) if (c !== own) b = Math.min(b, sums[c] / sizes[c]);
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
