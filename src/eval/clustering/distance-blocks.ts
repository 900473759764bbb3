/**
 * All pairwise distances of a point set, delivered block by block so memory stays bounded for any
 * N (the role of scikit-learn's `pairwise_distances_chunked` in `silhouette_samples`): block b
 * holds the distances of rows [start, start + rows) to columns [colStart, N), row-major, at most
 * `chunk` x N numbers at a time. With `upperTriangle`, colStart = start, so each unordered pair
 * is seen once (in the block of its smaller index) and the work halves. The diagonal is exactly 0.
 *
 * Metrics: 'euclidean' ||x - y||, 'cosine' 1 - x·y / (||x|| ||y||) clipped to [0, 2] (a zero row
 * is at distance 1 from every other point, as sklearn's `cosine_distances`; the float32 path clamps
 * at 0 only, so a cosine distance may exceed 2 by float32 rounding).
 *
 * Two paths, chosen by the input's type:
 * - Float32Array points: one float32 GEMM per block on the active tfjs backend (`DistanceGemm`,
 *   distance-gemm.ts: rows augmented with their norms, points centred first), then sqrt on the
 *   backend too. Fast, but float32: near-duplicate points lose digits.
 * - Float64Array or number[][] points: exact float64 loops (differences, not the norm expansion),
 *   for results that match scikit-learn to 1e-9 (test/eval/clustering.test.ts). O(N² D) in JavaScript: pass a Float32Array for
 *   large N.
 */
import { l2Normalize, squaredDistance, type Points } from '../points.js';
import { DistanceGemm, type PairwiseMetric } from '../distance-gemm.js';

export type { PairwiseMetric } from '../distance-gemm.js';

export interface DistanceBlockOptions {
  /** Distance between points. Default 'euclidean'. */
  metric?: PairwiseMetric;
  /** Rows per block (a [chunk, N] block at a time). Default: about 8M distances per block. */
  chunk?: number;
  /** Called after each block with the rows done and the total rows. */
  onProgress?: (done: number, total: number) => void;
}

export interface DistanceBlock {
  /** Row-major [rows, cols] distances: values[r * cols + c] = d(start + r, colStart + c). */
  values: Float32Array | Float64Array;
  start: number;
  rows: number;
  colStart: number;
  cols: number;
}

const BLOCK_ELEMENTS = 2 ** 23;

/** Checks the options once (errors name the caller); fills the defaults for N points. */
export function checkDistanceOptions(caller: string, options: DistanceBlockOptions, n: number): Required<DistanceBlockOptions> {
  const { metric = 'euclidean', chunk = Math.max(1, Math.min(n, Math.floor(BLOCK_ELEMENTS / n))), onProgress = () => {} } = options;
  if (metric !== 'euclidean' && metric !== 'cosine') throw new Error(`${caller}: metric must be 'euclidean' or 'cosine', received ${JSON.stringify(metric)}`);
  if (!Number.isInteger(chunk) || chunk < 1) throw new Error(`${caller}: chunk must be an integer >= 1, received ${chunk}`);
  if (typeof onProgress !== 'function') throw new Error(`${caller}: onProgress must be a function, received ${typeof onProgress}`);
  return { metric, chunk, onProgress };
}

const cosineFromDot = (dot: number) => Math.min(2, Math.max(0, 1 - dot));

export interface BlockLayout {
  /** Only columns from the block's first row on (each unordered pair once). Default false. */
  upperTriangle?: boolean;
  /** Euclidean distances squared (cheaper; cosine is unaffected). Default false. */
  squared?: boolean;
}

/** Calls `visit` on every block, in increasing `start`. */
export function forEachDistanceBlock(
  points: Points, options: Required<DistanceBlockOptions>, { upperTriangle = false, squared = false }: BlockLayout, visit: (block: DistanceBlock) => void,
): void {
  const make = points.values instanceof Float32Array ? gemmFiller : exactFiller;
  const fill = make(points, options.metric, squared && options.metric === 'euclidean');
  const n = points.rows;
  try {
    for (let start = 0; start < n; start += options.chunk) {
      const rows = Math.min(options.chunk, n - start), colStart = upperTriangle ? start : 0;
      fill.block(start, rows, colStart, (values) => {
        for (let r = 0; r < rows; r++) if (start + r >= colStart) values[r * (n - colStart) + start + r - colStart] = 0;
        visit({ values, start, rows, colStart, cols: n - colStart });
      });
      options.onProgress(start + rows, n);
    }
  } finally {
    fill.dispose();
  }
}

interface Filler {
  /** Computes the block and hands its values to `use` (valid only during the call). */
  block(start: number, rows: number, colStart: number, use: (values: Float32Array | Float64Array) => void): void;
  dispose(): void;
}

/** Exact float64 loops. */
function exactFiller(points: Points, metric: PairwiseMetric, squared: boolean): Filler {
  const { dim, rows: n } = points;
  const x = metric === 'cosine' ? l2Normalize(points, Float64Array) : points.values;
  const pair = metric === 'cosine'
    ? (i: number, j: number) => {
      let dot = 0;
      for (let t = 0; t < dim; t++) dot += x[i * dim + t] * x[j * dim + t];
      return cosineFromDot(dot);
    }
    : squared ? (i: number, j: number) => squaredDistance(x, i, x, j, dim)
      : (i: number, j: number) => Math.sqrt(squaredDistance(x, i, x, j, dim));
  let buffer = new Float64Array(0);
  return {
    block(start, rows, colStart, use) {
      const cols = n - colStart;
      if (buffer.length < rows * cols) buffer = new Float64Array(rows * cols);
      const values = buffer.subarray(0, rows * cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[r * cols + c] = pair(start + r, colStart + c);
      use(values);
    },
    dispose() {},
  };
}

/** Blocks from `DistanceGemm`, read back to JavaScript. */
function gemmFiller(points: Points, metric: PairwiseMetric, squared: boolean): Filler {
  const gemm = new DistanceGemm(points, points, metric, squared ? 'squared-distance' : 'distance');
  return {
    block: (start, rows, colStart, use) => gemm.read(start, rows, { colStart }, use),
    dispose: () => gemm.dispose(),
  };
}
