/**
 * NT-Xent against a literal float64 loop implementation (forward, and gradient by central finite
 * differences of that loop), closed forms, option validation and tensor leaks, on both backends.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ntXentLoss } from '../../src/index.js';
import { randomArray } from '../backend/parity.js';

/** The loss written the slow obvious way: rows normalized, then one softmax per anchor. */
function loopLoss(z1: number[][], z2: number[][], T: number): number {
  const z = [...z1, ...z2].map((row) => {
    const norm = Math.max(Math.sqrt(row.reduce((s, v) => s + v * v, 0)), 1e-12);
    return row.map((v) => v / norm);
  });
  const m = z.length, n = z1.length;
  const sim = (i: number, k: number) => z[i].reduce((s, v, d) => s + v * z[k][d], 0);
  let total = 0;
  for (let i = 0; i < m; i++) {
    const p = (i + n) % m;
    let denominator = 0;
    for (let k = 0; k < m; k++) if (k !== i) denominator += Math.exp(sim(i, k) / T);
    total += -Math.log(Math.exp(sim(i, p) / T) / denominator);
  }
  return total / m;
}

/** d loopLoss / d z by central differences (float64, so h = 1e-6 is accurate to ~1e-9). */
function loopGrad(z1: number[][], z2: number[][], T: number): [number[][], number[][]] {
  const h = 1e-6;
  const grad = (which: 0 | 1) =>
    (which === 0 ? z1 : z2).map((row, i) =>
      row.map((_, d) => {
        const at = (delta: number) => {
          const a = z1.map((r) => r.slice()), b = z2.map((r) => r.slice());
          (which === 0 ? a : b)[i][d] += delta;
          return loopLoss(a, b, T);
        };
        return (at(h) - at(-h)) / (2 * h);
      }),
    );
  return [grad(0), grad(1)];
}

function rows(values: Float32Array, n: number, d: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * d, (i + 1) * d)));
}

function expectClose(got: ArrayLike<number>, want: number[], atol: number, rtol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = atol + rtol * Math.abs(want[i]);
    if (!(Math.abs(got[i] - want[i]) <= tol)) {
      expect.fail(`element ${i}: got ${got[i]}, want ${want[i]} (tolerance ${tol})`);
    }
  }
}

/** Loss value of one-hot, identical views: rows mutually orthogonal, each view equal to its pair. */
function oneHotLoss(n: number, d: number, T: number, scale = 1): number {
  return tf.tidy(() => {
    const values = new Float32Array(n * d);
    for (let i = 0; i < n; i++) values[i * d + i] = scale;
    const z = tf.tensor2d(values, [n, d]);
    return ntXentLoss(z, tf.clone(z), { temperature: T }).dataSync()[0];
  });
}

for (const backend of ['native', 'cpu']) {
  describe(`ntXentLoss on ${backend}`, () => {
    const cases: [number, number, number][] = [
      // [N, D, T]
      [1, 3, 0.5],
      [2, 2, 0.5],
      [5, 7, 0.5],
      [8, 16, 0.1],
      [3, 33, 2],
    ];
    for (const [n, d, T] of cases) {
      it(`matches the loop implementation, forward and gradient (N=${n}, D=${d}, T=${T})`, () => {
        tf.setBackend(backend);
        const a = randomArray(n * d, 11 * n + d), b = randomArray(n * d, 13 * n + d);
        const z1 = rows(a, n, d), z2 = rows(b, n, d);
        const before = tf.memory().numTensors;
        const [loss, g1, g2] = tf.tidy(() => {
          const t1 = tf.tensor2d(a, [n, d]), t2 = tf.tensor2d(b, [n, d]);
          const { value, grads } = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor) => ntXentLoss(x, y, { temperature: T }))([t1, t2]);
          return [value.dataSync()[0], grads[0].dataSync(), grads[1].dataSync()];
        });
        expect(tf.memory().numTensors).toBe(before);
        expectClose([loss], [loopLoss(z1, z2, T)], 1e-5, 1e-5);
        const [w1, w2] = loopGrad(z1, z2, T);
        expectClose(g1, w1.flat(), 2e-5, 1e-3);
        expectClose(g2, w2.flat(), 2e-5, 1e-3);
      });
    }

    it('equals -log(e^{1/T} / (e^{1/T} + 2N - 2)) for identical orthogonal views', () => {
      tf.setBackend(backend);
      for (const [n, d, T, scale] of [[1, 1, 0.5, 1], [4, 4, 0.5, 1], [6, 10, 0.2, 3], [16, 20, 1, 0.01]]) {
        const want = -Math.log(Math.exp(1 / T) / (Math.exp(1 / T) + (2 * n - 2)));
        expectClose([oneHotLoss(n, d, T, scale)], [want], 1e-5, 1e-5);
      }
    });

    it('tends to 0 as 1/T grows for identical well-separated views, to log(2N - 1) as T grows', () => {
      tf.setBackend(backend);
      const n = 8, d = 8;
      const losses = [2, 1, 0.5, 0.2, 0.1].map((T) => oneHotLoss(n, d, T));
      for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThan(losses[i - 1]);
      const limit = oneHotLoss(n, d, 0.01); // (2N - 2) e^{-100} in exact arithmetic
      expect(limit).toBeGreaterThanOrEqual(0);
      expect(limit).toBeLessThan(1e-6);
      expectClose([oneHotLoss(n, d, 1e6)], [Math.log(2 * n - 1)], 1e-5, 1e-5);
    });

    it('stays finite for zero rows and for a small temperature', () => {
      tf.setBackend(backend);
      const got = tf.tidy(() => {
        const z1 = tf.tensor2d([[0, 0, 0], [1, 2, 3]]), z2 = tf.tensor2d([[1, 0, 0], [0, 0, 0]]);
        const { value, grads } = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor) => ntXentLoss(x, y, { temperature: 0.01 }))([z1, z2]);
        return [value.dataSync()[0], ...grads[0].dataSync(), ...grads[1].dataSync()];
      });
      for (const v of got) expect(Number.isFinite(v)).toBe(true);
      const z1 = [[0, 0, 0], [1, 2, 3]], z2 = [[1, 0, 0], [0, 0, 0]];
      expectClose([got[0]], [loopLoss(z1, z2, 0.01)], 1e-4, 1e-5);
    });
  });
}

describe('ntXentLoss validation', () => {
  const z = () => tf.zeros([4, 3]);
  it('rejects a temperature that is not a finite number > 0, naming it and the received value', () => {
    for (const bad of [0, -0.5, Number.NaN, Number.POSITIVE_INFINITY, '0.5' as unknown as number]) {
      const before = tf.memory().numTensors;
      const [a, b] = [z(), z()];
      expect(() => ntXentLoss(a, b, { temperature: bad })).toThrow(
        `ntXentLoss: temperature must be a finite number > 0, received ${String(bad)}`,
      );
      tf.dispose([a, b]);
      expect(tf.memory().numTensors).toBe(before);
    }
  });
  it('rejects shapes that are not the same [N, D] with N >= 1', () => {
    const cases: [number[], number[], RegExp][] = [
      [[4, 3], [4, 2], /same shape \[N, D\], received \[4,3\] and \[4,2\]/],
      [[4, 3], [5, 3], /same shape \[N, D\], received \[4,3\] and \[5,3\]/],
      [[12], [12], /must be 2-D \[N, D\], received shapes \[12\] and \[12\]/],
      [[0, 3], [0, 3], /batch size N must be >= 1, received 0/],
    ];
    for (const [s1, s2, message] of cases) {
      const [a, b] = [tf.zeros(s1), tf.zeros(s2)];
      expect(() => ntXentLoss(a, b)).toThrow(message);
      tf.dispose([a, b]);
    }
  });
  it('defaults to T = 0.5', () => {
    const implicit = tf.tidy(() => {
      const e = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
      return ntXentLoss(e, tf.clone(e)).dataSync()[0];
    });
    expectClose([implicit], [oneHotLoss(3, 3, 0.5)], 0, 0);
  });
});
