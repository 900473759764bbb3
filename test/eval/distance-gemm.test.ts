import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { DistanceGemm, type GemmOutput, type PairwiseMetric } from '../../src/eval/distance-gemm.js';
import type { Points } from '../../src/eval/points.js';
import { randomArray } from '../backend/parity.js';

/** The quantity written the slow obvious way, in float64, from the float32 inputs. */
function reference(left: Points, right: Points, metric: PairwiseMetric, output: GemmOutput): Float64Array {
  const { dim } = left, out = new Float64Array(left.rows * right.rows);
  const row = (p: Points, i: number) => Array.from(p.values.subarray(i * dim, (i + 1) * dim));
  for (let i = 0; i < left.rows; i++) {
    for (let j = 0; j < right.rows; j++) {
      const x = row(left, i), y = row(right, j);
      let v: number;
      if (metric === 'cosine') {
        const nx = Math.sqrt(x.reduce((s, t) => s + t * t, 0)), ny = Math.sqrt(y.reduce((s, t) => s + t * t, 0));
        const cos = nx > 0 && ny > 0 ? x.reduce((s, t, d) => s + t * y[d], 0) / (nx * ny) : 0;
        v = output === 'score' ? cos : 1 - cos;
      } else {
        const d2 = x.reduce((s, t, d) => s + (t - y[d]) ** 2, 0);
        v = output === 'score' ? -d2 : output === 'squared-distance' ? d2 : Math.sqrt(d2);
      }
      out[i * right.rows + j] = v;
    }
  }
  return out;
}

/** Points off the origin (so centring matters), with a zero row and an exact duplicate of another set's row. */
function points(rows: number, dim: number, seed: number, copyOf?: Points): Points {
  const values = randomArray(rows * dim, seed, 2, 5);
  values.fill(0, dim, 2 * dim); // row 1 is zero
  if (copyOf) values.set(copyOf.values.subarray(0, dim), 2 * dim); // row 2 is row 0 of copyOf
  return { values, dim, rows };
}

/** Every block of `chunk` left rows from `colStart` on, assembled into [rows, cols]. */
function blocks(gemm: DistanceGemm, rows: number, cols: number, chunk: number, colStart = 0, transposed = false): Float32Array {
  const out = new Float32Array(rows * (cols - colStart)), w = cols - colStart;
  for (let start = 0; start < rows; start += chunk) {
    const r = Math.min(chunk, rows - start);
    gemm.read(start, r, { colStart, transposed }, (values) => {
      expect(values.length).toBe(r * w);
      for (let i = 0; i < r; i++) for (let j = 0; j < w; j++) out[(start + i) * w + j] = transposed ? values[j * r + i] : values[i * w + j];
    });
  }
  return out;
}

const dim = 9;
const gallery = points(53, dim, 1);
const queries = points(37, dim, 2, gallery);
const cases: [PairwiseMetric, GemmOutput][] = [
  ['cosine', 'score'], ['cosine', 'distance'], ['cosine', 'squared-distance'],
  ['euclidean', 'score'], ['euclidean', 'distance'], ['euclidean', 'squared-distance'],
];

describe('DistanceGemm', () => {
  for (const [metric, output] of cases) {
    // float32: distances around 10 (squared around 100), an absolute error of about 1e-5 of that.
    const tol = metric === 'euclidean' && output !== 'distance' ? 2e-3 : 2e-4;

    it(`${metric} ${output}: queries against a gallery of another size match the float64 loop`, () => {
      const before = tf.memory().numTensors;
      const gemm = new DistanceGemm(queries, gallery, metric, output);
      const got = blocks(gemm, queries.rows, gallery.rows, 16), want = reference(queries, gallery, metric, output);
      // sqrt near 0 (the duplicate) is sqrt(float32 rounding), about 1e-3 here.
      const near = (v: number) => (metric === 'euclidean' && output === 'distance' && v < 0.1 ? 1e-2 : tol);
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(near(want[i]));
      if (output === 'score' && metric === 'euclidean') for (const v of got) expect(v).toBeLessThanOrEqual(0);
      if (output !== 'score') for (const v of got) expect(v).toBeGreaterThanOrEqual(0);
      // The duplicate: query 2 is gallery row 0 (distance 0 up to float32 rounding).
      if (metric === 'cosine') expect(Math.abs(got[2 * gallery.rows] - (output === 'score' ? 1 : 0))).toBeLessThan(1e-6);
      else if (output !== 'distance') expect(Math.abs(got[2 * gallery.rows])).toBeLessThan(1e-3);
      gemm.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it(`${metric} ${output}: the self case (the same points twice), with colStart and transposed blocks`, () => {
      const before = tf.memory().numTensors, n = gallery.rows;
      const gemm = new DistanceGemm(gallery, gallery, metric, output);
      const want = reference(gallery, gallery, metric, output);
      const full = blocks(gemm, n, n, 7), transposed = blocks(gemm, n, n, 10, 0, true);
      const close = (a: number, b: number, i: number, j: number) => {
        // The diagonal of sqrt(||x - x||²) is sqrt(float32 rounding), about 1e-3 here.
        expect(Math.abs(a - b)).toBeLessThan(i === j && metric === 'euclidean' && output === 'distance' ? 1e-2 : tol);
      };
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        close(full[i * n + j], want[i * n + j], i, j);
        expect(transposed[i * n + j]).toBe(full[i * n + j]);
      }
      const colStart = 20, w = n - colStart, tail = blocks(gemm, n, n, 8, colStart);
      for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) close(tail[i * w + j], want[i * n + colStart + j], i, colStart + j);
      // Inside tidy, `tensor` gives the same block as a tensor.
      const t = tf.tidy(() => gemm.tensor(5, 3, { colStart: 4 }));
      expect(t.shape).toEqual([3, n - 4]);
      const tv = t.dataSync();
      for (let i = 0; i < 3; i++) for (let j = 0; j < n - 4; j++) expect(tv[i * (n - 4) + j]).toBe(full[(5 + i) * n + 4 + j]);
      t.dispose();
      gemm.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('a zero row: cosine score 0 and cosine distance 1 against everything', () => {
    const score = new DistanceGemm(queries, gallery, 'cosine', 'score'), dist = new DistanceGemm(queries, gallery, 'cosine');
    const s = blocks(score, queries.rows, gallery.rows, 64), d = blocks(dist, queries.rows, gallery.rows, 64);
    for (let j = 0; j < gallery.rows; j++) {
      expect(s[gallery.rows + j]).toBe(0);
      expect(d[gallery.rows + j]).toBe(1);
    }
    score.dispose();
    dist.dispose();
  });

  it('leaves no tensor behind when `use` throws', () => {
    const before = tf.memory().numTensors, gemm = new DistanceGemm(queries, gallery, 'euclidean', 'score');
    expect(() => gemm.read(0, 4, {}, () => {
      throw new Error('boom');
    })).toThrow('boom');
    gemm.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
