/**
 * Adjusted Rand index (Hubert & Arabie 1985, "Comparing partitions", J. Classification 2:193-218,
 * doi:10.1007/BF01908075), exactly as scikit-learn 1.2 `adjusted_rand_score`: from the pair
 * confusion matrix of the two labelings (`pair_confusion_matrix`),
 *
 *   tp = Σ_ij n_ij² - N,  fp = Σ_j b_j² - Σ_ij n_ij²,  fn = Σ_i a_i² - Σ_ij n_ij²,
 *   tn = N² - tp - fp - fn - N   (ordered pairs of distinct items),
 *   ARI = 2 (tp·tn - fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)),
 *
 * and 1.0 when fn = fp = 0 (the labelings agree on every pair: identical up to a permutation,
 * including both constant and both all-singletons), as sklearn's special case does. 1 is a
 * perfect match, 0 the expectation of random labelings, negative values worse than chance.
 * The products are formed in BigInt (sklearn uses Python integers) so large N does not round.
 */
import { contingency } from './contingency.js';

export function adjustedRandIndex(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  const { n, rowSums, colSums, cellCounts } = contingency('adjustedRandIndex', labelsTrue, labelsPred);
  const sumSquares = (v: Float64Array) => v.reduce((s, x) => s + BigInt(x) * BigInt(x), 0n);
  const N = BigInt(n), cells = sumSquares(cellCounts);
  const tp = cells - N, fp = sumSquares(colSums) - cells, fn = sumSquares(rowSums) - cells;
  const tn = N * N - fp - fn - cells;
  if (fn === 0n && fp === 0n) return 1.0;
  return (2 * Number(tp * tn - fn * fp)) / Number((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}
