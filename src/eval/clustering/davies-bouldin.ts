/**
 * Davies-Bouldin index (Davies & Bouldin 1979, "A cluster separation measure", IEEE TPAMI
 * 1(2):224-227, doi:10.1109/TPAMI.1979.4766909), as scikit-learn 1.2's `davies_bouldin_score`:
 *
 *   s_c  = mean_{x in c} ||x - μ_c||            (average distance to the centroid)
 *   DB   = (1/k) Σ_c max_{c' != c} (s_c + s_c') / ||μ_c - μ_c'||
 *
 * Lower is better. sklearn's special cases: 0.0 when all s_c or all centroid distances are
 * within 1e-8 of 0 (`np.allclose(..., 0)`); a zero distance between two distinct centroids counts
 * as infinite (the pair is ignored). Requires 2 <= k <= N - 1.
 */
import type { PointsInput } from '../points.js';
import { squaredDistance } from '../points.js';
import { clusterMeans, toClusteredPoints } from './clustered-points.js';

const ALLCLOSE_ATOL = 1e-8; // np.allclose(x, 0): |x| <= atol + rtol * 0

export function daviesBouldinIndex(points: PointsInput, labels: ArrayLike<number>): number {
  const cp = toClusteredPoints('daviesBouldinIndex', points, labels);
  const { points: { values, dim, rows }, ids, sizes } = cp;
  const k = sizes.length, means = clusterMeans(cp);
  const spread = new Float64Array(k);
  for (let r = 0; r < rows; r++) spread[ids[r]] += Math.sqrt(squaredDistance(values, r, means, ids[r], dim));
  for (let c = 0; c < k; c++) spread[c] /= sizes[c];
  const between = new Float64Array(k * k);
  for (let c = 0; c < k; c++) for (let e = 0; e < k; e++) between[c * k + e] = Math.sqrt(squaredDistance(means, c, means, e, dim));
  const allNearZero = (v: Float64Array) => v.every((x) => Math.abs(x) <= ALLCLOSE_ATOL);
  if (allNearZero(spread) || allNearZero(between)) return 0.0;
  let total = 0;
  for (let c = 0; c < k; c++) {
    let worst = 0;
    for (let e = 0; e < k; e++) {
      const d = between[c * k + e];
      if (d !== 0) worst = Math.max(worst, (spread[c] + spread[e]) / d);
    }
    total += worst;
  }
  return total / k;
}
