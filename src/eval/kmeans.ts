/**
 * k-means clustering (Lloyd 1982, "Least squares quantization in PCM", IEEE Trans. Inf. Theory
 * 28(2):129-137) with greedy k-means++ seeding (Arthur & Vassilvitskii 2007, "k-means++: the
 * advantages of careful seeding", SODA), following scikit-learn 1.2's `KMeans(algorithm='lloyd')`:
 *
 * - seeding (`_kmeans_plusplus`): the first centre is a uniform random point; each next centre is
 *   the best of 2 + floor(ln k) candidates drawn with probability D(x)² / Σ D² (D the distance to
 *   the nearest chosen centre), best meaning the smallest potential Σ_x min(D(x)², d(x, cand)²);
 * - Lloyd iterations: assign each point to its nearest centre, move each centre to its points'
 *   mean; an empty cluster takes the point farthest from its own centre (sklearn's
 *   `_relocate_empty_clusters_dense`); stop when the labels do not change ("strict convergence")
 *   or when Σ_c ||c_new - c_old||² <= tolerance · mean_j Var(x_j) (sklearn's `_tolerance`), then
 *   assign once more to the final centres if not strictly converged;
 * - `nInit` runs from successive draws of one seeded `Rng`; the lowest inertia Σ ||x - c(x)||² wins.
 *
 * The assignment step of Float32Array input is one float32 GEMM per chunk of rows on the active
 * tfjs backend (||x||² + ||c||² - 2 x·c); Float64Array and number[][] input use exact float64
 * loops. Seeding, centres and inertia are float64 in both cases.
 */
import { matMul, slice, tensor2d, tidy, type Tensor2D } from '@tensorflow/tfjs-core';
import { Rng } from '../util/random.js';
import { squaredDistance, squaredNorm, toPoints, type Points, type PointsInput } from './points.js';

export interface KMeansOptions {
  /** Number of clusters, an integer in [1, N]. */
  k: number;
  /** Seed of the k-means++ draws. Default 0. */
  seed?: number;
  /** Most Lloyd iterations per run. Default 300 (sklearn). */
  maxIterations?: number;
  /** Convergence threshold on the squared centre shift, relative to the mean variance. Default 1e-4 (sklearn). */
  tolerance?: number;
  /** Seeded runs; the lowest inertia wins. Default 1. */
  nInit?: number;
}

export interface KMeansResult {
  /** Row-major [k, dim] centres. */
  centroids: Float64Array;
  /** Cluster of each point, 0..k-1. */
  labels: Int32Array;
  /** Σ_x ||x - centroid(x)||². */
  inertia: number;
  /** Lloyd iterations of the winning run. */
  iterations: number;
}

function checkInteger(name: string, value: number, min: number, max = Infinity): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`kMeans: ${name} must be an integer in [${min}, ${max === Infinity ? 'Infinity' : max}], received ${value}`);
  }
}

/** Nearest centre of every point, and its squared distance. */
interface Assigner {
  assign(centers: Float64Array, k: number, labels: Int32Array, best: Float64Array): void;
  dispose(): void;
}

function exactAssigner({ values, dim, rows }: Points): Assigner {
  return {
    assign(centers, k, labels, best) {
      for (let i = 0; i < rows; i++) {
        let arg = 0, min = Infinity;
        for (let c = 0; c < k; c++) {
          const d = squaredDistance(values, i, centers, c, dim);
          if (d < min) { min = d; arg = c; }
        }
        labels[i] = arg;
        best[i] = min;
      }
    },
    dispose() {},
  };
}

/** Float32 GEMM per chunk of rows: d² = ||x||² + ||c||² - 2 x·c, clamped at 0. */
function gemmAssigner({ values, dim, rows }: Points): Assigner {
  const norms = new Float64Array(rows);
  for (let i = 0; i < rows; i++) norms[i] = squaredNorm(values, i, dim);
  const all = tensor2d(values as Float32Array, [rows, dim]); // [N, D]
  return {
    assign(centers, k, labels, best) {
      const cNorms = Float64Array.from({ length: k }, (_, c) => squaredNorm(centers, c, dim));
      const chunk = Math.max(1, Math.floor(2 ** 22 / k));
      const cT = tensor2d(Float32Array.from(centers), [k, dim]); // [k, D]
      try {
        for (let start = 0; start < rows; start += chunk) {
          const n = Math.min(chunk, rows - start);
          const dotT = tidy(() => matMul(slice(all, [start, 0], [n, dim]) as Tensor2D, cT, false, true)); // [n, k]
          try {
            const dots = dotT.dataSync();
            for (let r = 0; r < n; r++) {
              let arg = 0, min = Infinity;
              for (let c = 0; c < k; c++) {
                const d = Math.max(0, norms[start + r] + cNorms[c] - 2 * dots[r * k + c]);
                if (d < min) { min = d; arg = c; }
              }
              labels[start + r] = arg;
              best[start + r] = min;
            }
          } finally {
            dotT.dispose();
          }
        }
      } finally {
        cT.dispose();
      }
    },
    dispose: () => all.dispose(),
  };
}

/** Greedy k-means++ seeding (sklearn `_kmeans_plusplus`), float64. */
export function kMeansPlusPlus({ values, dim, rows }: Points, k: number, rng: Rng): Float64Array {
  const centers = new Float64Array(k * dim), trials = 2 + Math.floor(Math.log(k));
  const setCenter = (c: number, i: number) => centers.set(values.subarray(i * dim, (i + 1) * dim), c * dim);
  const distancesTo = (i: number, bound?: Float64Array) =>
    Float64Array.from({ length: rows }, (_, x) => Math.min(squaredDistance(values, x, values, i, dim), bound ? bound[x] : Infinity));
  const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
  const first = rng.int(rows);
  setCenter(0, first);
  let closest = distancesTo(first), potential = sum(closest);
  for (let c = 1; c < k; c++) {
    const cumulative = new Float64Array(rows);
    for (let i = 0, s = 0; i < rows; i++) cumulative[i] = s += closest[i];
    let bestPotential = Infinity, bestId = 0, bestDistances = closest;
    for (let t = 0; t < trials; t++) {
      const id = Math.min(searchSortedLeft(cumulative, rng.next() * potential), rows - 1);
      const d = distancesTo(id, closest), p = sum(d);
      if (p < bestPotential) { bestPotential = p; bestId = id; bestDistances = d; }
    }
    setCenter(c, bestId);
    closest = bestDistances;
    potential = bestPotential;
  }
  return centers;
}

/** First index i with sorted[i] >= v (numpy `searchsorted(side='left')`). */
function searchSortedLeft(sorted: Float64Array, v: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * New centres as the means of their points; empty clusters take the points farthest from their
 * centres, largest first (sklearn `_relocate_empty_clusters_dense`). Returns Σ_c ||shift_c||².
 */
function updateCenters({ values, dim, rows }: Points, centers: Float64Array, k: number, labels: Int32Array, best: Float64Array): number {
  const sums = new Float64Array(k * dim), counts = new Float64Array(k);
  for (let i = 0; i < rows; i++) {
    counts[labels[i]]++;
    for (let j = 0; j < dim; j++) sums[labels[i] * dim + j] += values[i * dim + j];
  }
  const empty = [...counts.keys()].filter((c) => counts[c] === 0);
  if (empty.length > 0) {
    const far = [...best.keys()].sort((a, b) => best[b] - best[a] || a - b);
    empty.forEach((c, e) => {
      const i = far[e], from = labels[i];
      for (let j = 0; j < dim; j++) {
        sums[from * dim + j] -= values[i * dim + j];
        sums[c * dim + j] = values[i * dim + j];
      }
      counts[from]--;
      counts[c] = 1;
    });
  }
  let shift = 0;
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < dim; j++) {
      const v = counts[c] > 0 ? sums[c * dim + j] / counts[c] : centers[c * dim + j];
      shift += (v - centers[c * dim + j]) ** 2;
      centers[c * dim + j] = v;
    }
  }
  return shift;
}

/** Lloyd iterations from `centers` (updated in place), sklearn `_kmeans_single_lloyd`. */
function lloyd(points: Points, assigner: Assigner, centers: Float64Array, k: number, maxIterations: number, tol: number): KMeansResult {
  const n = points.rows, labels = new Int32Array(n).fill(-1), previous = new Int32Array(n), best = new Float64Array(n);
  let iterations = 0, strict = false;
  for (let it = 0; it < maxIterations; it++) {
    iterations = it + 1;
    previous.set(labels);
    assigner.assign(centers, k, labels, best);
    const shift = updateCenters(points, centers, k, labels, best);
    if (labels.every((l, i) => l === previous[i])) { strict = true; break; }
    if (shift <= tol) break;
  }
  if (!strict) assigner.assign(centers, k, labels, best);
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += squaredDistance(points.values, i, centers, labels[i], points.dim);
  return { centroids: centers, labels, inertia, iterations };
}

/** sklearn `_tolerance`: tolerance · mean over features of the variance. */
function scaledTolerance({ values, dim, rows }: Points, tolerance: number): number {
  if (tolerance === 0) return 0;
  let total = 0;
  for (let j = 0; j < dim; j++) {
    let mean = 0, v = 0;
    for (let i = 0; i < rows; i++) mean += values[i * dim + j];
    mean /= rows;
    for (let i = 0; i < rows; i++) v += (values[i * dim + j] - mean) ** 2;
    total += v / rows;
  }
  return (total / dim) * tolerance;
}

/** Clusters `points` into k groups; deterministic for a seed. */
export function kMeans(points: PointsInput, options: KMeansOptions): KMeansResult {
  const p = toPoints('kMeans', 'points', points);
  const { k, seed = 0, maxIterations = 300, tolerance = 1e-4, nInit = 1 } = options ?? ({} as KMeansOptions);
  checkInteger('k', k, 1, p.rows);
  checkInteger('seed', seed, -(2 ** 53), 2 ** 53);
  checkInteger('maxIterations', maxIterations, 1);
  checkInteger('nInit', nInit, 1);
  if (typeof tolerance !== 'number' || !(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw new Error(`kMeans: tolerance must be a finite number >= 0, received ${tolerance}`);
  }
  const tol = scaledTolerance(p, tolerance), rng = new Rng(seed);
  const assigner = p.values instanceof Float32Array ? gemmAssigner(p) : exactAssigner(p);
  try {
    let best: KMeansResult | undefined;
    for (let run = 0; run < nInit; run++) {
      const result = lloyd(p, assigner, kMeansPlusPlus(p, k, rng), k, maxIterations, tol);
      if (!best || result.inertia < best.inertia) best = result;
    }
    return best!;
  } finally {
    assigner.dispose();
  }
}
