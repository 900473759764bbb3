/**
 * Expected mutual information of two labelings under the permutation (hypergeometric) model, the
 * chance correction of AMI (Vinh, Epps & Bailey 2010, "Information theoretic measures for
 * clusterings comparison", JMLR 11:2837-2854, eq. 24a), computed as scikit-learn 1.2's
 * `_expected_mutual_info_fast.expected_mutual_information`:
 *
 *   EMI = Σ_i Σ_j Σ_{n_ij = max(1, a_i + b_j - N)}^{min(a_i, b_j)}
 *           (n_ij / N) · log(N n_ij / (a_i b_j)) ·
 *           a_i! b_j! (N - a_i)! (N - b_j)! / (N! n_ij! (a_i - n_ij)! (b_j - n_ij)! (N - a_i - b_j + n_ij)!)
 *
 * with the factorials in log space (ln k! = ln Γ(k + 1), `logGamma`), and 0 when either labeling
 * has one class. Cost Σ_ij min(a_i, b_j) <= R·N terms.
 */
import { logGamma } from '../../util/log-gamma.js';
import type { Contingency } from './contingency.js';

export function expectedMutualInfo({ n, rowSums: a, colSums: b }: Contingency): number {
  if (a.length === 1 || b.length === 1) return 0;
  const logN = Math.log(n), glnN = logGamma(n + 1);
  const part = (s: Float64Array) => ({
    log: s.map(Math.log),
    gln: s.map((x) => logGamma(x + 1) + logGamma(n - x + 1)), // ln x! + ln (N - x)!
  });
  const A = part(a), B = part(b);
  let emi = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      const end = Math.min(a[i], b[j]);
      for (let nij = Math.max(1, a[i] - n + b[j]); nij <= end; nij++) {
        const term2 = logN + Math.log(nij) - A.log[i] - B.log[j];
        const gln = A.gln[i] + B.gln[j] - logGamma(nij + 1) - glnN
          - logGamma(a[i] - nij + 1) - logGamma(b[j] - nij + 1) - logGamma(n - a[i] - b[j] + nij + 1);
        emi += (nij / n) * term2 * Math.exp(gln);
      }
    }
  }
  return emi;
}
