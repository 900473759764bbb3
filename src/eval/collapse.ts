/**
 * Collapse monitor: the standard deviation of L2-normalised outputs over a batch, averaged over
 * the output dimensions (lightly's `std_of_l2_normalized`, used in its benchmarks to watch
 * SimSiam/BYOL-style training). A collapsed encoder maps every input to the same direction and
 * scores 0; outputs spread evenly over the unit sphere of dimension d score about 1 / sqrt(d).
 * The deviation is the unbiased one (N - 1), as torch.std.
 */
import { type Scalar, type Tensor2D, mean, moments, mul, scalar, sqrt, tidy } from '@tensorflow/tfjs-core';
import { normalizeRows } from '../distances/cosine.js';
import { toPoints, type PointsInput } from './points.js';

/** The collapse measure of a batch of outputs z [N, d] (N >= 2), as a scalar tensor. */
export function outputStd(z: Tensor2D): Scalar {
  const n = z.shape[0];
  if (z.rank !== 2 || n < 2) throw new Error(`outputStd: z must be [N >= 2, d], received [${z.shape}]`);
  return tidy(() => {
    const { variance } = moments(normalizeRows(z), 0); // biased, over the batch: [d]
    return mean(sqrt(mul(variance, scalar(n / (n - 1))))) as Scalar;
  });
}

/** The collapse measure of embeddings given as arrays (plain or typed), in float64. */
export function collapseStd(points: PointsInput): number {
  const { values, rows, dim } = toPoints('collapseStd', 'points', points);
  if (rows < 2) throw new Error(`collapseStd: points must hold at least 2 rows, received ${rows}`);
  const sum = new Float64Array(dim), sumSq = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += values[r * dim + j] ** 2;
    const inv = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (let j = 0; j < dim; j++) {
      const v = values[r * dim + j] * inv;
      sum[j] += v;
      sumSq[j] += v * v;
    }
  }
  let total = 0;
  for (let j = 0; j < dim; j++) total += Math.sqrt(Math.max(0, (sumSq[j] - (sum[j] * sum[j]) / rows) / (rows - 1)));
  return total / dim;
}
