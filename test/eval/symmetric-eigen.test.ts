import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../src/eval/symmetric-eigen.js';
import { randomArray } from '../backend/parity.js';

/** Checks A V = V diag(values), V^T V = I and increasing values, to `tol` times the norm of A. */
function checkDecomposition(A: Float64Array, n: number, tol: number) {
  const { values, vectors: V } = symmetricEigen(A, n);
  let norm = 0;
  for (const v of A) norm = Math.max(norm, Math.abs(v));
  norm = Math.max(norm, 1e-300);
  for (let j = 0; j < n; j++) {
    if (j > 0) expect(values[j]).toBeGreaterThanOrEqual(values[j - 1]);
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let k = 0; k < n; k++) av += A[i * n + k] * V[k * n + j];
      expect(Math.abs(av - values[j] * V[i * n + j])).toBeLessThan(tol * norm * n);
    }
    for (let q = 0; q < n; q++) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += V[k * n + j] * V[k * n + q];
      expect(Math.abs(dot - (j === q ? 1 : 0))).toBeLessThan(tol * n);
    }
  }
  let trace = 0, sum = 0;
  for (let i = 0; i < n; i++) trace += A[i * n + i];
  for (const v of values) sum += v;
  expect(Math.abs(sum - trace)).toBeLessThan(tol * norm * n);
  return values;
}

describe('symmetricEigen (Householder + implicit QL)', () => {
  it('a 3 x 3 example: A v = lambda v, orthonormal, trace preserved', () => {
    checkDecomposition(Float64Array.from([4, 1, 2, 1, 3, 0, 2, 0, 5]), 3, 1e-14);
  });

  it('the second-difference matrix has eigenvalues 2 - 2 cos(k pi / (n + 1)) (closed form)', () => {
    const n = 40, A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      A[i * n + i] = 2;
      if (i > 0) A[i * n + i - 1] = A[(i - 1) * n + i] = -1;
    }
    const values = checkDecomposition(A, n, 1e-13);
    for (let k = 1; k <= n; k++) expect(values[k - 1]).toBeCloseTo(2 - 2 * Math.cos((k * Math.PI) / (n + 1)), 12);
  });

  it('random symmetric and covariance-like matrices of several sizes', () => {
    for (const [n, seed] of [[1, 1], [2, 2], [7, 3], [60, 4], [130, 5]]) {
      const B = randomArray(n * n, seed), A = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = B[i * n + j];
      checkDecomposition(A, n, 1e-13);
      const C = new Float64Array(n * n); // B B^T: positive semi-definite, eigenvalues >= 0
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) C[i * n + j] += B[i * n + k] * B[j * n + k];
      const v = checkDecomposition(C, n, 1e-13);
      expect(v[0]).toBeGreaterThan(-1e-10);
    }
  });

  it('diagonal, repeated, zero and graded matrices', () => {
    const diag = Float64Array.from([3, 0, 0, 0, 1, 0, 0, 0, 2]);
    expect(Array.from(checkDecomposition(diag, 3, 1e-15))).toEqual([1, 2, 3]);
    const I = new Float64Array(16);
    for (let i = 0; i < 4; i++) I[i * 5] = 1;
    expect(Array.from(checkDecomposition(I, 4, 1e-15))).toEqual([1, 1, 1, 1]);
    expect(Array.from(checkDecomposition(new Float64Array(9), 3, 1e-15))).toEqual([0, 0, 0]);
    // Eigenvalues 1e-8 .. 1 of a rotated diagonal: each to an absolute error of a few eps.
    const n = 5, want = [1e-8, 1e-6, 1e-4, 1e-2, 1];
    const u = Float64Array.from([1, -2, 0.5, 1, 3]).map((x, _, a) => x / Math.hypot(...a));
    const A = new Float64Array(n * n); // R diag R, R = I - 2 u u^T
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) {
      A[i * n + j] += ((i === k ? 1 : 0) - 2 * u[i] * u[k]) * want[k] * ((k === j ? 1 : 0) - 2 * u[k] * u[j]);
    }
    checkDecomposition(A, n, 1e-14).forEach((v, j) => expect(Math.abs(v - want[j])).toBeLessThan(1e-14));
  });

  it('names a bad size', () => {
    expect(() => symmetricEigen(new Float64Array(4), 3)).toThrow('symmetricEigen: a must hold n * n = 9 values, received 4');
    expect(() => symmetricEigen(new Float64Array(0), 0)).toThrow('symmetricEigen: n must be an integer >= 1, received 0');
  });
});
