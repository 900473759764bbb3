/**
 * Entropy, mutual information and its normalised (NMI) and chance-adjusted (AMI) forms for two
 * labelings, in nats, with scikit-learn 1.2 semantics (`sklearn/metrics/cluster/_supervised.py`:
 * `entropy`, `mutual_info_score`, `normalized_mutual_info_score`, `adjusted_mutual_info_score`;
 * Vinh, Epps & Bailey 2010, JMLR 11:2837-2854):
 *
 *   H(U)   = -Σ_i (a_i/N) ln(a_i/N)                       (0 for one class)
 *   MI     = Σ_ij (n_ij/N) ln(N n_ij / (a_i b_j))         (0 when either side has one class)
 *   NMI    = MI / mean(H(U), H(V))
 *   AMI    = (MI - EMI) / (mean(H(U), H(V)) - EMI)
 *
 * where mean is sklearn's `average_method`: 'arithmetic' (default), 'geometric', 'min' or 'max'.
 * Special cases mirrored from sklearn: NMI and AMI are 1.0 when both labelings are constant (one
 * class each: "no clustering since the data is not split", a perfect match); NMI is 0 when MI is 0;
 * AMI's denominator is kept at least machine epsilon in magnitude, sign preserved. Unlike sklearn,
 * empty labelings are an error rather than a score of 1.
 */
import { contingency, type Contingency } from './contingency.js';
import { expectedMutualInfo } from './expected-mutual-info.js';

export type AverageMethod = 'arithmetic' | 'geometric' | 'min' | 'max';

export interface MutualInfoOptions {
  /** How H(labelsTrue) and H(labelsPred) are averaged in the normaliser. Default 'arithmetic'. */
  averageMethod?: AverageMethod;
}

const EPS = 2 ** -52; // np.finfo(np.float64).eps

/** Entropy (nats) of a labeling given its class sizes, as sklearn's `entropy`. */
export function entropyOfCounts(counts: Float64Array): number {
  if (counts.length === 1) return 0;
  const total = counts.reduce((s, c) => s + c, 0), logTotal = Math.log(total);
  let h = 0;
  for (const c of counts) h -= (c / total) * (Math.log(c) - logTotal);
  return h;
}

/** Mutual information (nats) of a contingency table, term by term as sklearn's `mutual_info_score`. */
export function mutualInfoOfTable({ n, rowSums, colSums, cellRows, cellCols, cellCounts }: Contingency): number {
  if (rowSums.length === 1 || colSums.length === 1) return 0;
  const logN = Math.log(n);
  let mi = 0;
  for (let c = 0; c < cellCounts.length; c++) {
    const nij = cellCounts[c], p = nij / n;
    const logOuter = -Math.log(rowSums[cellRows[c]] * colSums[cellCols[c]]) + logN + logN;
    const term = p * (Math.log(nij) - logN) + p * logOuter;
    if (Math.abs(term) >= EPS) mi += term;
  }
  return Math.max(mi, 0);
}

/** sklearn's `_generalized_average`. */
function generalizedAverage(caller: string, u: number, v: number, method: unknown): number {
  switch (method) {
    case 'arithmetic': return (u + v) / 2;
    case 'geometric': return Math.sqrt(u * v);
    case 'min': return Math.min(u, v);
    case 'max': return Math.max(u, v);
    default: throw new Error(`${caller}: averageMethod must be 'arithmetic', 'geometric', 'min' or 'max', received ${JSON.stringify(method)}`);
  }
}

/** Both constant: sklearn's "no clustering since the data is not split" perfect match. */
const bothConstant = (t: Contingency) => t.rowSums.length === 1 && t.colSums.length === 1;

/** Mutual information (nats) between two labelings. */
export function mutualInfo(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  return mutualInfoOfTable(contingency('mutualInfo', labelsTrue, labelsPred));
}

/** Normalised mutual information in [0, 1]; 1 for identical labelings up to a permutation. */
export function normalizedMutualInfo(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>, options: MutualInfoOptions = {}): number {
  const caller = 'normalizedMutualInfo', { averageMethod = 'arithmetic' } = options;
  generalizedAverage(caller, 0, 0, averageMethod);
  const t = contingency(caller, labelsTrue, labelsPred);
  if (bothConstant(t)) return 1.0;
  const mi = mutualInfoOfTable(t);
  if (mi === 0) return 0.0;
  return mi / generalizedAverage(caller, entropyOfCounts(t.rowSums), entropyOfCounts(t.colSums), averageMethod);
}

/** Adjusted mutual information: 1 for a perfect match, about 0 for random labelings. */
export function adjustedMutualInfo(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>, options: MutualInfoOptions = {}): number {
  const caller = 'adjustedMutualInfo', { averageMethod = 'arithmetic' } = options;
  generalizedAverage(caller, 0, 0, averageMethod);
  const t = contingency(caller, labelsTrue, labelsPred);
  if (bothConstant(t)) return 1.0;
  const mi = mutualInfoOfTable(t), emi = expectedMutualInfo(t);
  const normalizer = generalizedAverage(caller, entropyOfCounts(t.rowSums), entropyOfCounts(t.colSums), averageMethod);
  let denominator = normalizer - emi;
  denominator = denominator < 0 ? Math.min(denominator, -EPS) : Math.max(denominator, EPS);
  return (mi - emi) / denominator;
}
