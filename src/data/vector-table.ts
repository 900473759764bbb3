/** A table of rows in memory (CSV/TSV tables, .npy and float32 matrices). */
import type { Source } from './source.js';

/** A table of float32 rows; `values` holds all of them, [size, dim] row-major (read it, never write it). */
export interface VectorTable extends Source<Float32Array> {
  readonly spec: { kind: 'vector'; dim: number; columns?: readonly string[] };
  readonly values: Float32Array;
}
