/**
 * The contingency table of two labelings, the one input of every label-comparison metric
 * (ARI, NMI, AMI, homogeneity, completeness, V-measure), as in scikit-learn's
 * `sklearn.metrics.cluster.contingency_matrix` (sparse form): n_ij = |{items with class i and
 * cluster j}|, row sums a_i = Σ_j n_ij, column sums b_j = Σ_i n_ij, N = Σ_ij n_ij.
 *
 * Only the non-zero cells are kept (at most N of them), so N singletons cost O(N), not O(N²).
 */
import { toLabels } from '../points.js';

export interface Contingency {
  /** Number of items N. */
  n: number;
  /** a_i: items per class of labelsTrue (dense class ids, increasing original values). */
  rowSums: Float64Array;
  /** b_j: items per cluster of labelsPred. */
  colSums: Float64Array;
  /** Non-zero cells: row i, column j and count n_ij of cell c. */
  cellRows: Int32Array;
  cellCols: Int32Array;
  cellCounts: Float64Array;
}

/** Checks both labelings (finite numbers, same length, at least one) and counts their table. */
export function contingency(caller: string, labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): Contingency {
  const t = toLabels(caller, 'labelsTrue', labelsTrue);
  const p = toLabels(caller, 'labelsPred', labelsPred, t.ids.length, 'labelsTrue entry');
  const n = t.ids.length, R = t.values.length, K = p.values.length;
  const rowSums = new Float64Array(R), colSums = new Float64Array(K);
  const cells = new Map<number, number>(); // i * K + j -> n_ij (< N² <= 2^53)
  for (let s = 0; s < n; s++) {
    const i = t.ids[s], j = p.ids[s], key = i * K + j;
    rowSums[i]++;
    colSums[j]++;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  const cellRows = new Int32Array(cells.size), cellCols = new Int32Array(cells.size), cellCounts = new Float64Array(cells.size);
  let c = 0;
  for (const [key, count] of cells) {
    cellRows[c] = Math.floor(key / K);
    cellCols[c] = key % K;
    cellCounts[c++] = count;
  }
  return { n, rowSums, colSums, cellRows, cellCols, cellCounts };
}
