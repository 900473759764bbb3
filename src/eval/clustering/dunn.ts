/**
 * Dunn index (Dunn 1974, "Well-separated clusters and optimal fuzzy partitions", J. Cybernetics
 * 4(1):95-104), the classic form: the smallest distance between points of different clusters
 * over the largest cluster diameter (largest distance between two points of one cluster),
 *
 *   D = min_{c != c'} min_{x in c, y in c'} d(x, y) / max_c max_{x, y in c} d(x, y).
 *
 * Higher is better. Not in scikit-learn; the golden values come from a literal numpy loop
 * (test/eval/golden/make-clustering-golden.py). Every unordered pair is visited once, in
 * [chunk, N] blocks of the upper triangle (`distance-blocks.ts`), so memory is O(chunk · N).
 * Edge cases: 0 when two points of different clusters coincide; Infinity when every cluster has
 * diameter 0 (only duplicates) and the clusters are apart. Defined for 2 <= clusters <= N - 1.
 */
import type { PointsInput } from '../points.js';
import { toClusteredPoints } from './clustered-points.js';
import { checkDistanceOptions, forEachDistanceBlock, type DistanceBlockOptions } from './distance-blocks.js';

export type DunnOptions = DistanceBlockOptions;

export function dunnIndex(points: PointsInput, labels: ArrayLike<number>, options: DunnOptions = {}): number {
  const caller = 'dunnIndex';
  const { points: p, ids } = toClusteredPoints(caller, points, labels);
  let separation = Infinity, diameter = 0;
  const checked = checkDistanceOptions(caller, options, p.rows), squared = checked.metric === 'euclidean';
  // Euclidean: squared distances in the blocks (min and max commute with the square root).
  forEachDistanceBlock(p, checked, { upperTriangle: true, squared }, ({ values, start, rows, colStart, cols }) => {
    for (let r = 0; r < rows; r++) {
      const i = start + r, own = ids[i];
      for (let c = i + 1 - colStart; c < cols; c++) {
        const d = values[r * cols + c];
        if (ids[colStart + c] === own) { if (d > diameter) diameter = d; } else if (d < separation) separation = d;
      }
    }
  });
  if (separation === 0) return 0;
  return squared ? Math.sqrt(separation) / Math.sqrt(diameter) : separation / diameter;
}
