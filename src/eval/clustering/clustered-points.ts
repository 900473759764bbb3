/**
 * The input of the internal (label-only, no ground truth) cluster scores: checked points, dense
 * cluster ids and cluster sizes, with scikit-learn's `check_number_of_labels` rule that a score is
 * only defined for 2 <= clusters <= N - 1 (`sklearn/metrics/cluster/_unsupervised.py`).
 */
import { toLabels, toPoints, type Points, type PointsInput } from '../points.js';

export interface ClusteredPoints {
  points: Points;
  /** Dense cluster id of each point, 0..clusters-1. */
  ids: Int32Array;
  /** Points per cluster. */
  sizes: Float64Array;
}

export function toClusteredPoints(caller: string, input: PointsInput, labels: ArrayLike<number>): ClusteredPoints {
  const points = toPoints(caller, 'points', input);
  const { ids, values } = toLabels(caller, 'labels', labels, points.rows);
  const k = values.length;
  if (k < 2 || k > points.rows - 1) {
    throw new Error(`${caller}: labels must hold between 2 and ${points.rows - 1} (points - 1) distinct values, received ${k}`);
  }
  const sizes = new Float64Array(k);
  for (const c of ids) sizes[c]++;
  return { points, ids, sizes };
}

/** Mean of each cluster's points, row-major [clusters, dim] float64. */
export function clusterMeans({ points: { values, dim, rows }, ids, sizes }: ClusteredPoints): Float64Array {
  const means = new Float64Array(sizes.length * dim);
  for (let r = 0; r < rows; r++) {
    const o = ids[r] * dim;
    for (let j = 0; j < dim; j++) means[o + j] += values[r * dim + j];
  }
  for (let c = 0; c < sizes.length; c++) for (let j = 0; j < dim; j++) means[c * dim + j] /= sizes[c];
  return means;
}
