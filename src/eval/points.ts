/**
 * The inputs every metric takes, checked once: points as plain arrays (`number[][]`) or a typed
 * row-major matrix (`{ values, dim }`, e.g. what `embedDataset` returns), and labels as any array
 * of numbers (class ids need not start at 0 or be contiguous). Errors name the function, the
 * argument, what was expected and what was received.
 */

/** A row-major [rows, dim] matrix of float32 or float64 values. */
export interface Matrix {
  values: Float32Array | Float64Array;
  dim: number;
}

/** Points as `number[][]` (one array per point) or a typed row-major matrix. */
export type PointsInput = readonly (readonly number[])[] | Matrix;

/** Checked points: a typed row-major matrix and its row count. */
export interface Points extends Matrix {
  rows: number;
}

const fail = (caller: string, message: string): never => {
  throw new Error(`${caller}: ${message}`);
};

/**
 * Reads `input` as a matrix: plain arrays are copied into a Float64Array, typed matrices are used
 * as they are (not copied). Rejects empty input (unless `allowEmpty`), ragged rows, a zero or
 * fractional dim and any non-finite value.
 */
export function toPoints(caller: string, name: string, input: PointsInput, allowEmpty = false): Points {
  let points: Points;
  if (Array.isArray(input)) {
    const rows = input.length;
    const dim = rows > 0 ? (input[0]?.length ?? 0) : 0;
    if (rows > 0 && dim < 1) fail(caller, `${name} must hold points of at least 1 coordinate, received an empty row 0`);
    const values = new Float64Array(rows * dim);
    for (let r = 0; r < rows; r++) {
      const row = input[r];
      if (!Array.isArray(row) && !ArrayBuffer.isView(row)) fail(caller, `${name}[${r}] must be an array of numbers, received ${typeof row}`);
      if (row.length !== dim) fail(caller, `${name} must have rows of equal length ${dim}, received ${row.length} in row ${r}`);
      for (let j = 0; j < dim; j++) values[r * dim + j] = row[j];
    }
    points = { values, dim: Math.max(dim, 1), rows };
  } else {
    const m = input as Matrix;
    if (!m || !(m.values instanceof Float32Array || m.values instanceof Float64Array)) {
      fail(caller, `${name} must be number[][] or { values: Float32Array | Float64Array, dim }, received ${m === null ? 'null' : typeof m}`);
    }
    if (!Number.isInteger(m.dim) || m.dim < 1) fail(caller, `${name}.dim must be an integer >= 1, received ${m.dim}`);
    if (m.values.length % m.dim !== 0) fail(caller, `${name} must hold whole rows of dim ${m.dim}, received ${m.values.length} values`);
    points = { values: m.values, dim: m.dim, rows: m.values.length / m.dim };
  }
  if (points.rows === 0 && !allowEmpty) fail(caller, `${name} must hold at least 1 point, received 0`);
  const v = points.values;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) fail(caller, `${name} must hold finite numbers, received ${v[i]} in row ${Math.floor(i / points.dim)}`);
  }
  return points;
}

/** Labels mapped to dense ids 0..classes-1 (in increasing order of the original values). */
export interface DenseLabels {
  /** ids[i] is the dense class id of item i. */
  ids: Int32Array;
  /** values[c] is the original label of dense class c, increasing. */
  values: number[];
}

/**
 * Checks labels (finite numbers, `expected` of them when given, at least one) and maps them to
 * dense ids 0..C-1, so labels may be any numbers: [3, 7, 3] -> ids [0, 1, 0], values [3, 7].
 */
export function toLabels(caller: string, name: string, labels: ArrayLike<number>, expected?: number, per = 'point'): DenseLabels {
  if (!labels || typeof labels.length !== 'number') fail(caller, `${name} must be an array of numbers, received ${labels === null ? 'null' : typeof labels}`);
  const n = labels.length;
  if (expected !== undefined && n !== expected) fail(caller, `${name} must have one label per ${per} (${expected}), received ${n}`);
  if (n === 0) fail(caller, `${name} must hold at least 1 label, received 0`);
  const distinct = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(caller, `${name} must hold finite numbers, received ${v} at index ${i}`);
    distinct.set(v, 0);
  }
  const values = [...distinct.keys()].sort((a, b) => a - b);
  values.forEach((v, c) => distinct.set(v, c));
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = distinct.get(labels[i])!;
  return { ids, values };
}

/** Squared euclidean distance between row `r` of `a` and row `s` of `b` (both of width dim). */
export function squaredDistance(a: ArrayLike<number>, r: number, b: ArrayLike<number>, s: number, dim: number): number {
  let d = 0;
  for (let j = 0; j < dim; j++) {
    const t = a[r * dim + j] - b[s * dim + j];
    d += t * t;
  }
  return d;
}

/** Squared euclidean norm of row `r` of `a` (of width dim). */
export function squaredNorm(a: ArrayLike<number>, r: number, dim: number): number {
  let d = 0;
  for (let j = 0; j < dim; j++) d += a[r * dim + j] * a[r * dim + j];
  return d;
}

/**
 * Copies rows into unit length (zero rows stay zero), as float32 or, with `Out = Float64Array`,
 * float64; norms are summed in float64.
 */
export function l2Normalize<T extends Float32Array | Float64Array = Float32Array>(
  { values, dim }: Matrix, Out: { new (length: number): T } = Float32Array as unknown as { new (length: number): T },
): T {
  const out = new Out(values.length);
  for (let r = 0; r < values.length / dim; r++) {
    const norm = Math.sqrt(squaredNorm(values, r, dim));
    for (let j = 0; j < dim; j++) out[r * dim + j] = norm > 0 ? values[r * dim + j] / norm : 0;
  }
  return out;
}
