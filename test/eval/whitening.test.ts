import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { evaluateEmbeddings } from '../../src/eval/evaluate.js';
import { weightedKnnPredict } from '../../src/eval/knn.js';
import { fitWhitening, ledoitWolfShrinkage } from '../../src/eval/whitening.js';
import { randomArray } from '../backend/parity.js';

interface Case { name: string; x: number[][]; shrinkage: number; mean: number[]; whitenedGram: number[][] }
const golden = JSON.parse(readFileSync(new URL('./golden/whitening.json', import.meta.url), 'utf8')) as { cases: Case[] };

/** Covariance (population) of a row-major matrix, in float64. */
function covariance(values: ArrayLike<number>, dim: number): Float64Array {
  const n = values.length / dim, mean = new Float64Array(dim), c = new Float64Array(dim * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += values[i * dim + j] / n;
  for (let i = 0; i < n; i++) for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) {
    c[a * dim + b] += ((values[i * dim + a] - mean[a]) * (values[i * dim + b] - mean[b])) / n;
  }
  return c;
}

/** Correlated float32 rows: uniform noise mixed by a fixed matrix, shifted. */
function correlated(n: number, dim: number, seed: number): Float32Array {
  const z = randomArray(n * dim, seed), mix = randomArray(dim * dim, seed + 1), out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let a = 0; a < dim; a++) {
    let s = 2;
    for (let b = 0; b < dim; b++) s += z[i * dim + b] * mix[b * dim + a];
    out[i * dim + a] = s;
  }
  return out;
}

describe('whitening', () => {
  for (const c of golden.cases) {
    it(`Ledoit-Wolf shrinkage and the whitened Gram matrix match scikit-learn: ${c.name}`, () => {
      expect(ledoitWolfShrinkage(c.x)).toBeCloseTo(c.shrinkage, 10);
      const w = fitWhitening(c.x);
      expect(w.shrinkage).toBeCloseTo(c.shrinkage, 10);
      Array.from(w.mean).forEach((m, j) => expect(m).toBeCloseTo(c.mean[j], 10));
      // (x - mean) W W^T (x - mean)^T = (x - mean) C^-1 (x - mean)^T, in float64 from W itself.
      const d = w.dim, centred = c.x.map((row) => row.map((v, j) => v - w.mean[j]));
      const white = centred.map((row) => Array.from({ length: d }, (_, col) => row.reduce((s, v, r) => s + v * w.matrix[r * d + col], 0)));
      c.whitenedGram.forEach((row, i) => row.forEach((want, j) => {
        const got = white[i].reduce((s, v, t) => s + v * white[j][t], 0);
        expect(Math.abs(got - want)).toBeLessThan(1e-8 * Math.max(1, Math.abs(want)));
      }));
    });
  }

  it('whitened training rows have mean 0 and identity covariance (no shrinkage), float32 GEMM path', () => {
    const dim = 6, n = 3000, x = correlated(n, dim, 3);
    const before = tf.memory().numTensors;
    const w = fitWhitening({ values: x, dim }, { shrinkage: 0 });
    const y = w.transform({ values: x, dim });
    expect(tf.memory().numTensors).toBe(before);
    expect(y.dim).toBe(dim);
    const c = covariance(y.values, dim);
    for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) expect(c[a * dim + b]).toBeCloseTo(a === b ? 1 : 0, 4);
    for (let j = 0; j < dim; j++) expect(y.values.reduce((s, v, i) => s + (i % dim === j ? v : 0), 0) / n).toBeCloseTo(0, 5);
    // Eigenvalues largest first, and equal to the covariance's (trace and determinant-free check: C v = lambda v).
    const C = covariance(x, dim);
    for (let j = 1; j < dim; j++) expect(w.eigenvalues[j]).toBeLessThanOrEqual(w.eigenvalues[j - 1]);
    for (let col = 0; col < dim; col++) {
      const v = Array.from({ length: dim }, (_, r) => w.matrix[r * dim + col] * Math.sqrt(w.eigenvalues[col]));
      for (let r = 0; r < dim; r++) {
        const cv = v.reduce((s, vk, k) => s + C[r * dim + k] * vk, 0);
        expect(cv).toBeCloseTo(w.eigenvalues[col] * v[r], 4);
      }
    }
  });

  it('with shrinkage s the whitened covariance is the inverse map of (1 - s) S + s (tr S / d) I', () => {
    const dim = 4, x = correlated(500, dim, 8), s = 0.3;
    const w = fitWhitening({ values: x, dim }, { shrinkage: s });
    const S = covariance(x, dim);
    const mu = [0, 1, 2, 3].reduce((t, j) => t + S[j * dim + j], 0) / dim;
    // W^T ((1 - s) S + s mu I) W = I
    for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) {
      let v = 0;
      for (let r = 0; r < dim; r++) for (let q = 0; q < dim; q++) {
        v += w.matrix[r * dim + a] * ((1 - s) * S[r * dim + q] + (r === q ? s * mu : 0)) * w.matrix[q * dim + b];
      }
      expect(v).toBeCloseTo(a === b ? 1 : 0, 5);
    }
    expect(w.shrinkage).toBe(s);
  });

  it('exponent e divides each principal direction by lambda^e: 0 centres and rotates (distances kept)', () => {
    const dim = 4, x = correlated(400, dim, 12);
    const full = fitWhitening({ values: x, dim }, { shrinkage: 0 }), half = fitWhitening({ values: x, dim }, { shrinkage: 0, exponent: 0.25 });
    const none = fitWhitening({ values: x, dim }, { shrinkage: 0, exponent: 0 });
    expect([full.exponent, half.exponent, none.exponent]).toEqual([0.5, 0.25, 0]);
    for (let r = 0; r < dim; r++) for (let c = 0; c < dim; c++) {
      const v = full.matrix[r * dim + c] * Math.sqrt(full.eigenvalues[c]); // the unit eigenvector
      expect(half.matrix[r * dim + c]).toBeCloseTo(v * full.eigenvalues[c] ** -0.25, 6);
      expect(none.matrix[r * dim + c]).toBeCloseTo(v, 6);
    }
    // exponent 0: an orthogonal map of the centred rows, so distances between rows are kept.
    const y = none.transform({ values: x.subarray(0, 2 * dim), dim });
    const dist = (a: ArrayLike<number>, o: number) => Math.hypot(...Array.from({ length: dim }, (_, j) => a[j] - a[o + j]));
    expect(dist(y.values, dim)).toBeCloseTo(dist(x, dim), 4);
    expect(() => fitWhitening({ values: x, dim }, { exponent: 1 })).toThrow('fitWhitening: exponent must be a number in [0, 0.5], received 1');
  });

  it('independent columns of known scales are divided by their standard deviations', () => {
    const n = 4000, sd = [10, 1, 0.1];
    const z = randomArray(n * 3, 21), x = new Float64Array(n * 3);
    for (let i = 0; i < n * 3; i++) x[i] = 5 + sd[i % 3] * z[i];
    const w = fitWhitening({ values: x, dim: 3 }, { shrinkage: 0 });
    const zs = covariance(z, 3);
    const y = w.transform({ values: x.subarray(0, 3), dim: 3 });
    // Up to the sign of each axis (and cross-terms of the sample covariance, about 1e-2).
    for (let j = 0; j < 3; j++) {
      const want = (x[j] - w.mean[j]) / (sd[j] * Math.sqrt(zs[j * 3 + j]));
      expect(Math.abs(Math.abs(y.values[j]) - Math.abs(want))).toBeLessThan(0.05 * Math.max(1, Math.abs(want)));
    }
    expect(Math.sqrt(w.eigenvalues[0]) / (10 * Math.sqrt(zs[0]))).toBeCloseTo(1, 3);
  });

  it('transform matches a literal float64 loop and takes float64 or plain-array input', () => {
    const dim = 5, x = correlated(200, dim, 30), q = correlated(7, dim, 31);
    const w = fitWhitening({ values: x, dim });
    const got = w.transform({ values: q, dim }), fromArrays = w.transform(Array.from({ length: 7 }, (_, i) => Array.from(q.subarray(i * dim, (i + 1) * dim))));
    for (let i = 0; i < 7; i++) for (let c = 0; c < dim; c++) {
      let want = 0;
      for (let r = 0; r < dim; r++) want += (q[i * dim + r] - w.mean[r]) * w.matrix[r * dim + c];
      expect(got.values[i * dim + c]).toBeCloseTo(want, 4);
      expect(fromArrays.values[i * dim + c]).toBeCloseTo(want, 4);
    }
    expect(w.transform({ values: new Float32Array(0), dim }).values.length).toBe(0);
  });

  it('the float32 GEMM path agrees with the float64 path', () => {
    const dim = 8, x = correlated(5000, dim, 40);
    const a = fitWhitening({ values: x, dim }), b = fitWhitening({ values: Float64Array.from(x), dim });
    expect(a.shrinkage).toBeCloseTo(b.shrinkage, 8);
    // float32 products summed in float64 per block: eigenvalues to about 1e-5 relative.
    a.eigenvalues.forEach((v, j) => expect(v / b.eigenvalues[j]).toBeCloseTo(1, 4));
  });

  it('Ledoit-Wolf whitens rows that span fewer dimensions than they have; no shrinkage then fails clearly', () => {
    const n = 50, dim = 4, x = new Float64Array(n * dim), z = randomArray(n * 2, 50);
    for (let i = 0; i < n; i++) {
      x[i * dim] = z[2 * i];
      x[i * dim + 1] = z[2 * i + 1];
      x[i * dim + 2] = z[2 * i] + z[2 * i + 1];
      x[i * dim + 3] = 1;
    }
    const w = fitWhitening({ values: x, dim });
    expect(w.shrinkage).toBeGreaterThan(0);
    expect(w.eigenvalues[dim - 1]).toBeGreaterThan(0);
    expect(() => fitWhitening({ values: x, dim }, { shrinkage: 0 })).toThrow(/fitWhitening: the covariance of x is singular .* need shrinkage > 0, received 0/);
  });

  it('names the argument, the expected and the received value', () => {
    const x = { values: correlated(20, 3, 60), dim: 3 };
    expect(() => fitWhitening(x, { shrinkage: 1.5 })).toThrow("fitWhitening: shrinkage must be 'ledoit-wolf' or a number in [0, 1], received 1.5");
    expect(() => fitWhitening(x, { shrinkage: 'oas' as never })).toThrow("fitWhitening: shrinkage must be 'ledoit-wolf' or a number in [0, 1], received \"oas\"");
    expect(() => fitWhitening([[1, 2, 3]])).toThrow('fitWhitening: x must hold at least 2 rows, received 1');
    expect(() => fitWhitening([[1, 2], [1, 2], [1, 2]])).toThrow('fitWhitening: x has zero variance (every row is the same); it cannot be whitened');
    expect(() => fitWhitening([[1, NaN], [1, 2]])).toThrow('fitWhitening: x must hold finite numbers, received NaN in row 0');
    expect(() => fitWhitening(x).transform([[1, 2]])).toThrow('Whitening.transform: x must have rows of dim 3 (as fitted), received 2');
  });

  it('evaluateEmbeddings({ whiten }) is the evaluation of the whitened rows', () => {
    const dim = 6, train = { values: correlated(300, dim, 70), dim }, test = { values: correlated(60, dim, 71), dim };
    const trainLabels = Array.from(train.values.filter((_, i) => i % dim === 0), (v) => (v > 2 ? 1 : 0));
    const testLabels = Array.from(test.values.filter((_, i) => i % dim === 0), (v) => (v > 2 ? 1 : 0));
    const before = tf.memory().numTensors;
    const e = evaluateEmbeddings({ train, trainLabels, test, testLabels, k: [1, 10], probeEpochs: 0, whiten: true });
    expect(tf.memory().numTensors).toBe(before);
    const w = fitWhitening(train);
    expect(e.whitening).toEqual({ shrinkage: w.shrinkage });
    expect(Array.from(e.knnPredictions)).toEqual(Array.from(weightedKnnPredict(w.transform(train), trainLabels, w.transform(test))));
    expect(evaluateEmbeddings({ train, trainLabels, test, testLabels, k: [1, 10], probeEpochs: 0 }).whitening).toBeNull();
    expect(() => evaluateEmbeddings({ train, trainLabels, test, testLabels, whiten: 1 as never })).toThrow('evaluateEmbeddings: whiten must be a boolean or the options of fitWhitening, received 1');
  });
});
