/**
 * Calinski-Harabasz index, the variance ratio criterion (Caliński & Harabasz 1974, "A dendrite
 * method for cluster analysis", Communications in Statistics 3(1):1-27), as scikit-learn 1.2's
 * `calinski_harabasz_score`:
 *
 *   CH = [B / (k - 1)] / [W / (N - k)],
 *   B = Σ_c n_c ||μ_c - μ||²  (between-cluster dispersion),  W = Σ_c Σ_{x in c} ||x - μ_c||²,
 *
 * and 1.0 when W = 0 (sklearn's special case). Higher is better. Requires 2 <= k <= N - 1.
 */
import type { PointsInput } from '../points.js';
import { squaredDistance } from '../points.js';
import { clusterMeans, toClusteredPoints } from './clustered-points.js';

export function calinskiHarabaszIndex(points: PointsInput, labels: ArrayLike<number>): number {
  const cp = toClusteredPoints('calinskiHarabaszIndex', points, labels);
  const { points: { values, dim, rows }, ids, sizes } = cp;
  const k = sizes.length, means = clusterMeans(cp);
  const mean = new Float64Array(dim);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) mean[j] += values[r * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= rows;
  let between = 0, within = 0;
  for (let c = 0; c < k; c++) between += sizes[c] * squaredDistance(means, c, mean, 0, dim);
  for (let r = 0; r < rows; r++) within += squaredDistance(values, r, means, ids[r], dim);
  return within === 0 ? 1.0 : (between * (rows - k)) / (within * (k - 1));
}
