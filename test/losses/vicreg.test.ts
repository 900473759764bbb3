/**
 * vicregLoss against a float64 loop (forward, and gradient by central differences), the closed
 * forms of each term (isolated by the weights), validation and tensor leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { vicregLoss, type VICRegLossOptions } from '../../src/index.js';
import { randomArray } from '../backend/parity.js';
import { BACKENDS, expectClose, lossAndGrads, lossValue, numericGrad, rows, type Rows } from './reference.js';

interface Terms { invariance: number; variance: number; covariance: number }

/** The three terms written the slow obvious way (the authors' code's normalisations). */
function loopTerms(z1: Rows, z2: Rows, gamma = 1, eps = 1e-4): Terms {
  const n = z1.length, d = z1[0].length;
  let invariance = 0;
  for (let b = 0; b < n; b++) for (let j = 0; j < d; j++) invariance += (z1[b][j] - z2[b][j]) ** 2;
  invariance /= n * d;
  const regularisers = (z: Rows): [number, number] => {
    const mean = Array.from({ length: d }, (_, j) => z.reduce((s, r) => s + r[j], 0) / n);
    let v = 0;
    for (let j = 0; j < d; j++) {
      let variance = 0;
      for (let b = 0; b < n; b++) variance += (z[b][j] - mean[j]) ** 2;
      v += Math.max(0, gamma - Math.sqrt(variance / (n - 1) + eps));
    }
    let c = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        if (i === j) continue;
        let cov = 0;
        for (let b = 0; b < n; b++) cov += (z[b][i] - mean[i]) * (z[b][j] - mean[j]);
        c += (cov / (n - 1)) ** 2;
      }
    }
    return [v / d, c / d];
  };
  const [v1, c1] = regularisers(z1), [v2, c2] = regularisers(z2);
  return { invariance, variance: (v1 + v2) / 2, covariance: c1 + c2 };
}

function loopLoss(z1: Rows, z2: Rows, lambda = 25, mu = 25, nu = 1, gamma = 1, eps = 1e-4): number {
  const t = loopTerms(z1, z2, gamma, eps);
  return lambda * t.invariance + mu * t.variance + nu * t.covariance;
}

const only = (term: 'invariance' | 'variance' | 'covariance'): VICRegLossOptions => ({
  invarianceWeight: term === 'invariance' ? 1 : 0, varianceWeight: term === 'variance' ? 1 : 0, covarianceWeight: term === 'covariance' ? 1 : 0,
});
const term = (which: 'invariance' | 'variance' | 'covariance', a: number[], b: number[], shape: number[], extra: VICRegLossOptions = {}) =>
  lossValue((x, y) => vicregLoss(x, y, { ...only(which), ...extra }), [[a, shape], [b, shape]]);

/** Hadamard columns: zero mean, orthogonal, unbiased variance 4/3 (N = 4, d <= 3). */
const HADAMARD = [[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]].flat();

for (const backend of BACKENDS) {
  describe(`vicregLoss on ${backend}`, () => {
    const cases: [number, number, number, number][] = [
      // [N, d, half-width of the values (deviations below and above gamma = 1), gamma]
      [2, 1, 1, 1],
      [4, 3, 1, 1],
      [8, 5, 2, 1],
      [16, 6, 1.5, 1],
      [5, 9, 1, 0.5],
    ];
    for (const [n, d, w, gamma] of cases) {
      it(`matches the loop implementation, forward and gradient (N=${n}, d=${d}, gamma=${gamma})`, () => {
        tf.setBackend(backend);
        const a = randomArray(n * d, 41 * n + d, -w, w), b = randomArray(n * d, 43 * n + d, -w, w);
        const z1 = rows(a, n, d), z2 = rows(b, n, d);
        const { value, grads } = lossAndGrads((x, y) => vicregLoss(x, y, { gamma }), [[a, [n, d]], [b, [n, d]]]);
        expectClose([value], [loopLoss(z1, z2, 25, 25, 1, gamma)], 1e-5, 1e-5);
        const [w1, w2] = numericGrad(([x, y]) => loopLoss(x, y, 25, 25, 1, gamma), [z1, z2]);
        expectClose(grads[0], w1, 1e-4, 2e-3);
        expectClose(grads[1], w2, 1e-4, 2e-3);
      });
    }

    it('weights its terms lambda, mu, nu (each term alone matches the loop)', () => {
      tf.setBackend(backend);
      const a = randomArray(24, 5, -1, 1), b = randomArray(24, 6, -1, 1);
      const t = loopTerms(rows(a, 6, 4), rows(b, 6, 4));
      expectClose([term('invariance', Array.from(a), Array.from(b), [6, 4])], [t.invariance], 1e-6, 1e-5);
      expectClose([term('variance', Array.from(a), Array.from(b), [6, 4])], [t.variance], 1e-6, 1e-5);
      expectClose([term('covariance', Array.from(a), Array.from(b), [6, 4])], [t.covariance], 1e-6, 1e-5);
      const mixed = lossValue((x, y) => vicregLoss(x, y, { invarianceWeight: 2, varianceWeight: 3, covarianceWeight: 5 }), [[a, [6, 4]], [b, [6, 4]]]);
      expectClose([mixed], [2 * t.invariance + 3 * t.variance + 5 * t.covariance], 1e-5, 1e-5);
    });

    it('invariance: 0 for identical views, c^2 for views shifted by c', () => {
      tf.setBackend(backend);
      const z = Array.from(randomArray(15, 9));
      expect(term('invariance', z, z, [5, 3])).toBe(0);
      expectClose([term('invariance', z, z.map((v) => v + 0.5), [5, 3])], [0.25], 1e-6, 1e-5);
    });

    it('variance: 0 when every deviation is >= gamma, gamma - sqrt(epsilon) per dimension for constant views', () => {
      tf.setBackend(backend);
      expect(term('variance', HADAMARD, HADAMARD.map((v) => 2 * v), [4, 3])).toBe(0); // deviations 1.15 and 2.31
      const constant = new Array(12).fill(0.7);
      expectClose([term('variance', constant, constant, [4, 3])], [1 - Math.sqrt(1e-4)], 1e-6, 1e-5);
      expectClose([term('variance', constant, constant, [4, 3], { gamma: 2, epsilon: 0.01 })], [2 - 0.1], 1e-6, 1e-5);
    });

    it('covariance: 0 for decorrelated dimensions, (1/d) sum_{i != j} C_ij^2 for correlated ones', () => {
      tf.setBackend(backend);
      expectClose([term('covariance', HADAMARD, HADAMARD.map((v) => 5 * v + 1), [4, 3])], [0], 1e-6, 0);
      // Two identical columns of unbiased variance 4/3: C = (4/3) [[1, 1], [1, 1]], c = 2 (4/3)^2 / 2 per view.
      const twin = [1, 1, 1, 1, -1, -1, -1, -1];
      expectClose([term('covariance', twin, twin, [4, 2])], [2 * (4 / 3) ** 2], 1e-5, 1e-5);
    });
  });
}

describe('vicregLoss validation', () => {
  it('defaults to lambda = 25, mu = 25, nu = 1, gamma = 1, epsilon = 1e-4', () => {
    const a = randomArray(12, 1), b = randomArray(12, 2);
    const implicit = lossValue((x, y) => vicregLoss(x, y), [[a, [4, 3]], [b, [4, 3]]]);
    const explicit = lossValue((x, y) => vicregLoss(x, y, { invarianceWeight: 25, varianceWeight: 25, covarianceWeight: 1, gamma: 1, epsilon: 1e-4 }), [[a, [4, 3]], [b, [4, 3]]]);
    expect(implicit).toBe(explicit);
  });
  it('rejects bad options and shapes, naming the argument and the received value', () => {
    const z = tf.zeros([4, 3]), one = tf.zeros([1, 3]), other = tf.zeros([4, 2]);
    const before = tf.memory().numTensors;
    for (const name of ['invarianceWeight', 'varianceWeight', 'covarianceWeight', 'gamma', 'epsilon'] as const) {
      for (const bad of [-1, Number.NaN, '1' as unknown as number]) {
        expect(() => vicregLoss(z, z, { [name]: bad })).toThrow(`vicregLoss: ${name} must be a finite number >= 0, received ${String(bad)}`);
      }
    }
    expect(() => vicregLoss(one, one)).toThrow(/z1 must have at least 2 row\(s\), received shape \[1,3\]/);
    expect(() => vicregLoss(z, other)).toThrow(/z1 and z2 must have the same shape \[N, D\], received \[4,3\] and \[4,2\]/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, one, other]);
  });
});
