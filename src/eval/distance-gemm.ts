/**
 * The one float32 GEMM behind every block of pairwise distances or scores: between a left set of
 * points (the queries) and a right set (the gallery; the same points again for self-distances).
 * kNN search, the weighted kNN classifier and the retrieval metrics read it through
 * `forEachScoreBlock` (score-blocks.ts), silhouette and Dunn through `forEachDistanceBlock`
 * (clustering/distance-blocks.ts) or directly.
 *
 * Both sets are prepared once, as float32 rows augmented with their norms (the right set as a
 * tensor on the active tfjs backend, the left set in JavaScript, a block's rows becoming a tensor
 * per block), so a block is one GEMM with its clamp fused, plus at most one elementwise op:
 * - euclidean: [-2x, ||x||², 1]·[y, 1, ||y||²] = ||x - y||², clamped at 0 by a fused relu, both
 *   sets first centred (in float64) on the right set's mean, which leaves distances unchanged and
 *   keeps the norms, hence float32 rounding, small; then sqrt for distances, or negated for scores;
 * - cosine distance: [-x̂, 1]·[ŷ, 1] = 1 - x̂·ŷ, clamped at 0 by a fused relu (not at 2: it may
 *   exceed 2 by float32 rounding); cosine score: x̂·ŷ, the plain product, no clamp.
 * x̂ is the row L2-normalised (norm summed in float64; a zero row stays zero).
 */
import { fused, neg, slice, sqrt, tensor2d, tidy, type Tensor2D } from '@tensorflow/tfjs-core';
import { l2Normalize, squaredNorm, type Points } from './points.js';

/** Distance between points: Euclidean, or cosine (1 - cosine similarity). */
export type PairwiseMetric = 'euclidean' | 'cosine';

/**
 * What a block holds: 'distance' (euclidean ||x - y||, cosine 1 - x̂·ŷ; >= 0), 'squared-distance'
 * (euclidean ||x - y||²; cosine as 'distance'), or 'score', larger = closer (cosine x̂·ŷ,
 * euclidean -||x - y||², <= 0).
 */
export type GemmOutput = 'distance' | 'squared-distance' | 'score';

export interface GemmBlockLayout {
  /** First column, a right row (default 0): the block is [rows, right rows - colStart]. */
  colStart?: number;
  /** The block transposed, [right rows - colStart, rows]. Default false. */
  transposed?: boolean;
}

/** Rows minus `mean`, float64. */
function centred({ values, dim }: Points, mean: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] - mean[i % dim];
  return out;
}

/** The column mean of the rows, float64. */
function meanRow({ values, dim, rows }: Points): Float64Array {
  const mean = new Float64Array(dim);
  for (let i = 0; i < values.length; i++) mean[i % dim] += values[i] / rows;
  return mean;
}

/** The augmented float32 rows of both sets (see the file comment), [rows, width] each. */
function augmentedRows(
  leftPoints: Points, rightPoints: Points, metric: PairwiseMetric, output: GemmOutput,
): { left: Float32Array; right: Float32Array; width: number } {
  const { dim } = rightPoints;
  if (metric === 'cosine' && output === 'score') return { left: l2Normalize(leftPoints), right: l2Normalize(rightPoints), width: dim };
  const cosine = metric === 'cosine', width = dim + (cosine ? 1 : 2);
  const mean = cosine ? null : meanRow(rightPoints);
  const rowsOf = (p: Points) => (mean ? centred(p, mean) : l2Normalize(p, Float64Array));
  const x = rowsOf(leftPoints), y = leftPoints === rightPoints ? x : rowsOf(rightPoints);
  const left = new Float32Array(leftPoints.rows * width), right = new Float32Array(rightPoints.rows * width);
  for (let i = 0; i < leftPoints.rows; i++) {
    const o = i * width;
    for (let j = 0; j < dim; j++) left[o + j] = (cosine ? -1 : -2) * x[i * dim + j];
    if (cosine) {
      left[o + dim] = 1;
    } else {
      left[o + dim] = squaredNorm(x, i, dim);
      left[o + dim + 1] = 1;
    }
  }
  for (let i = 0; i < rightPoints.rows; i++) {
    const o = i * width;
    for (let j = 0; j < dim; j++) right[o + j] = y[i * dim + j];
    if (cosine) {
      right[o + dim] = 1;
    } else {
      right[o + dim] = 1;
      right[o + dim + 1] = squaredNorm(y, i, dim);
    }
  }
  return { left, right, width };
}

/**
 * Blocks of distances or scores between rows of `left` and rows of `right` (same dim, checked by
 * the caller; pass the same `Points` twice for self-distances) as tensors on the tfjs backend. The
 * augmented matrices are made once, on construction; `dispose` frees them. A self-distance on the
 * diagonal is whatever the GEMM gives (about sqrt(float32 eps) · ||x|| for euclidean, not 0).
 */
export class DistanceGemm {
  /** The augmented left rows, kept in JavaScript: a block's rows become a tensor only in `tensor`. */
  private readonly left: Float32Array;
  private readonly right: Tensor2D;
  private readonly width: number;
  private readonly rightRows: number;

  constructor(left: Points, right: Points, private readonly metric: PairwiseMetric, private readonly output: GemmOutput = 'distance') {
    const augmented = augmentedRows(left, right, metric, output);
    this.width = augmented.width;
    this.rightRows = right.rows;
    this.left = augmented.left; // [M, W]
    this.right = tensor2d(augmented.right, [right.rows, this.width]); // [N, W]
  }

  /** Left rows [start, start + rows) against right rows [colStart, N), [rows, N - colStart]. Call inside `tidy`. */
  tensor(start: number, rows: number, { colStart = 0, transposed = false }: GemmBlockLayout = {}): Tensor2D {
    const cols = this.rightRows - colStart, w = this.width;
    const a = tensor2d(this.left.subarray(start * w, (start + rows) * w), [rows, w]); // [rows, W]
    const b = colStart === 0 ? this.right : slice(this.right, [colStart, 0], [cols, w]); // [cols, W]
    const activation = this.metric === 'cosine' && this.output === 'score' ? 'linear' : 'relu';
    // The clamp fused into the GEMM: one output tensor when no elementwise op follows, so blocks of
    // varying size (upper triangle) leave no intermediate buffers of distinct lengths in the
    // native backend's buffer pool.
    const product = (transposed
      ? fused.matMul({ a: b, b: a, transposeB: true, activation }) // [cols, rows]
      : fused.matMul({ a, b, transposeB: true, activation })) as Tensor2D; // [rows, cols]
    if (this.metric === 'cosine' || this.output === 'squared-distance') return product;
    return this.output === 'score' ? neg(product) : sqrt(product);
  }

  /**
   * Computes a block (`tensor`), hands its values, row-major, to `use` (valid only during the
   * call: the tensor is disposed after), and leaves no tensor behind.
   */
  read(start: number, rows: number, layout: GemmBlockLayout, use: (values: Float32Array) => void): void {
    // (tidy returns the tensor, not its values: the values are read after, then it is disposed.)
    const t = tidy(() => this.tensor(start, rows, layout));
    try {
      use(t.dataSync() as Float32Array);
    } finally {
      t.dispose();
    }
  }

  dispose(): void {
    this.right.dispose();
  }
}
