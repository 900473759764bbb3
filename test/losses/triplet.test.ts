/**
 * tripletLoss against a float64 loop (forward, and gradient by central differences), closed forms,
 * edge cases, validation and tensor leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { CosineSimilarity, EuclideanDistance, tripletLoss } from '../../src/index.js';
import { randomArray } from '../backend/parity.js';
import { BACKENDS, cosine, euclidean, expectAllFinite, expectClose, lossAndGrads, lossValue, numericGrad, rows, type Rows } from './reference.js';

interface Flags { margin: number; squared: boolean; softMargin: boolean }

/** The loss written the slow obvious way. */
function loopLoss(a: Rows, p: Rows, n: Rows, { margin, squared, softMargin }: Flags): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    let dap = euclidean(a[i], p[i]), dan = euclidean(a[i], n[i]);
    if (squared) [dap, dan] = [dap * dap, dan * dan];
    total += softMargin ? Math.log(1 + Math.exp(dap - dan)) : Math.max(0, dap - dan + margin);
  }
  return total / a.length;
}

for (const backend of BACKENDS) {
  describe(`tripletLoss on ${backend}`, () => {
    const cases: [number, number, Flags][] = [
      [1, 3, { margin: 1, squared: false, softMargin: false }],
      [7, 5, { margin: 1, squared: false, softMargin: false }],
      [7, 5, { margin: 0.3, squared: true, softMargin: false }],
      [6, 8, { margin: 1, squared: false, softMargin: true }],
      [5, 4, { margin: 1, squared: true, softMargin: true }],
    ];
    for (const [n, d, flags] of cases) {
      it(`matches the loop implementation, forward and gradient (N=${n}, D=${d}, ${JSON.stringify(flags)})`, () => {
        tf.setBackend(backend);
        const [a, p, q] = [1, 2, 3].map((k) => randomArray(n * d, 31 * k + n + d));
        const got = lossAndGrads((x, y, z) => tripletLoss(x, y, z, flags), [[a, [n, d]], [p, [n, d]], [q, [n, d]]]);
        const r = [a, p, q].map((v) => rows(v, n, d));
        expectClose([got.value], [loopLoss(r[0], r[1], r[2], flags)], 1e-5, 1e-5);
        const want = numericGrad(([x, y, z]) => loopLoss(x, y, z, flags), r);
        for (let k = 0; k < 3; k++) expectClose(got.grads[k], want[k], 2e-5, 1e-3);
      });
    }
  });
}

describe('tripletLoss closed forms and edge cases', () => {
  const run = (a: number[][], p: number[][], n: number[][], options = {}) => {
    const shape = [a.length, a[0].length];
    return lossAndGrads((x, y, z) => tripletLoss(x, y, z, options), [[a.flat(), shape], [p.flat(), shape], [n.flat(), shape]]);
  };
  it('is 0 when d_an - d_ap >= margin, with a zero gradient', () => {
    const got = run([[0, 0], [1, 1]], [[0.5, 0], [1, 1]], [[2, 0], [1, 3]], { margin: 1 }); // gaps 1.5 and 2
    expect(got.value).toBe(0);
    for (const g of got.grads) expectClose(g, new Array(g.length).fill(0), 0, 0);
  });
  it('equals d_ap - d_an + margin inside the margin', () => {
    expectClose([run([[0, 0]], [[3, 4]], [[0, 6]], { margin: 2 }).value], [5 - 6 + 2], 1e-5, 1e-6);
    expectClose([run([[0, 0]], [[3, 4]], [[0, 6]], { squared: true, margin: 2 }).value], [0], 0, 0); // 25 - 36 + 2 < 0
  });
  it('equals the margin (or log 2 with softMargin) for collapsed rows, with finite gradients', () => {
    const z = [[1, 2, 3], [0, 0, 0]];
    const hinge = run(z, z, z, { margin: 0.7 });
    expectClose([hinge.value], [0.7], 1e-6, 0);
    const soft = run(z, z, z, { softMargin: true });
    expectClose([soft.value], [Math.log(2)], 1e-6, 0);
    for (const g of [...hinge.grads, ...soft.grads]) expectAllFinite(g);
  });
  it('stays finite for a large soft-margin gap (softplus, not log(1 + exp))', () => {
    const got = run([[0, 0]], [[200, 0]], [[0, 0]], { softMargin: true });
    expectClose([got.value], [200], 1e-3, 1e-6);
    for (const g of got.grads) expectAllFinite(g);
  });
  it('uses a similarity as d = -s: max(0, s_an - s_ap + margin)', () => {
    const a = [[1, 0]], p = [[0.6, 0.8]], n = [[0, 1]];
    const want = Math.max(0, cosine(a[0], n[0]) - cosine(a[0], p[0]) + 1);
    expectClose([run(a, p, n, { distance: new CosineSimilarity() }).value], [want], 1e-6, 1e-6);
  });
});

describe('tripletLoss validation', () => {
  it('rejects a margin that is not a finite number >= 0, naming it and the received value', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const x = tf.zeros([2, 3]);
      const before = tf.memory().numTensors;
      expect(() => tripletLoss(x, x, x, { margin: bad })).toThrow(`tripletLoss: margin must be a finite number >= 0, received ${bad}`);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    }
  });
  it('rejects non-boolean flags, squared together with distance, and mismatched shapes', () => {
    const x = tf.zeros([2, 3]), y = tf.zeros([2, 4]);
    expect(() => tripletLoss(x, x, x, { squared: 'yes' as unknown as boolean })).toThrow('tripletLoss: squared must be a boolean, received yes');
    expect(() => tripletLoss(x, x, x, { softMargin: 1 as unknown as boolean })).toThrow('tripletLoss: softMargin must be a boolean, received 1');
    expect(() => tripletLoss(x, x, x, { squared: true, distance: new EuclideanDistance() })).toThrow(
      'tripletLoss: pass either squared or distance, not both, received squared true and distance euclidean',
    );
    expect(() => tripletLoss(x, x, y)).toThrow('tripletLoss: anchor and negative must have the same shape [N, D], received [2,3] and [2,4]');
    expect(() => tripletLoss(y, x, x)).toThrow('tripletLoss: anchor and positive must have the same shape [N, D], received [2,4] and [2,3]');
    const v = tf.zeros([3]);
    expect(() => tripletLoss(v, v, v)).toThrow('tripletLoss: anchor must be a 2-D tensor [N, D], received shape [3]');
    tf.dispose([x, y, v]);
  });
  it('defaults to margin = 1, plain distances and the hinge', () => {
    expectClose([lossValue((a, p, n) => tripletLoss(a, p, n), [[[0, 0], [1, 2]], [[3, 4], [1, 2]], [[0, 5.5], [1, 2]]])], [0.5], 1e-5, 1e-6);
  });
});
