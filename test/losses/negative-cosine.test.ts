/**
 * negativeCosineLoss (SimSiam's D) and byolLoss (BYOL's normalised MSE) against float64 loops
 * (forward, and gradient by central differences), closed forms, validation and tensor leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { byolLoss, negativeCosineLoss } from '../../src/index.js';
import { randomArray } from '../backend/parity.js';
import { BACKENDS, cosine, expectAllFinite, expectClose, lossAndGrads, lossValue, numericGrad, rows, type Rows } from './reference.js';

/** D(p, z) the slow obvious way. */
function loopNegativeCosine(p: Rows, z: Rows): number {
  let total = 0;
  for (let i = 0; i < p.length; i++) total -= cosine(p[i], z[i]);
  return total / p.length;
}

/** mean_i ||p_i / ||p_i|| - z_i / ||z_i|| ||^2, written as the squared distance (not via the cosine). */
function loopByol(p: Rows, z: Rows): number {
  let total = 0;
  for (let i = 0; i < p.length; i++) {
    const np = Math.max(Math.hypot(...p[i]), 1e-12), nz = Math.max(Math.hypot(...z[i]), 1e-12);
    for (let k = 0; k < p[i].length; k++) total += (p[i][k] / np - z[i][k] / nz) ** 2;
  }
  return total / p.length;
}

/** [loss, its float64 loop, backend] for every backend. */
const cases = BACKENDS.flatMap((backend) => [
  { name: 'negativeCosineLoss', loss: negativeCosineLoss, loop: loopNegativeCosine, backend },
  { name: 'byolLoss', loss: byolLoss, loop: loopByol, backend },
]);

describe.each(cases)('$name on $backend', ({ loss, loop, backend }) => {
  it.each([[1, 3], [5, 4], [8, 16], [3, 1]])('matches the loop implementation, forward and gradient (N=%i, D=%i)', (n, d) => {
    tf.setBackend(backend);
    const p = randomArray(n * d, 61 + n + d), z = randomArray(n * d, 67 + n + d);
    const got = lossAndGrads((x, y) => loss(x, y), [[p, [n, d]], [z, [n, d]]]);
    const r = [rows(p, n, d), rows(z, n, d)];
    expectClose([got.value], [loop(r[0], r[1])], 1e-5, 1e-5);
    const want = numericGrad(([x, y]) => loop(x, y), r);
    for (let i = 0; i < 2; i++) expectClose(got.grads[i], want[i], 2e-5, 2e-3);
  });
});

describe('negativeCosineLoss and byolLoss closed forms', () => {
  const p = randomArray(12, 3);
  const scaled = p.map((v) => 3.5 * v), opposite = p.map((v) => -0.5 * v);
  it('SimSiam D: -1 for identical directions, 1 for opposite', () => {
    expectClose([lossValue(negativeCosineLoss, [[p, [4, 3]], [scaled, [4, 3]]])], [-1], 1e-6, 0);
    expectClose([lossValue(negativeCosineLoss, [[p, [4, 3]], [opposite, [4, 3]]])], [1], 1e-6, 0);
  });
  it('BYOL: 0 for identical normalised outputs, 4 for opposite, 2 for orthogonal', () => {
    expectClose([lossValue(byolLoss, [[p, [4, 3]], [scaled, [4, 3]]])], [0], 1e-6, 0);
    expectClose([lossValue(byolLoss, [[p, [4, 3]], [opposite, [4, 3]]])], [4], 1e-6, 0);
    expectClose([lossValue(byolLoss, [[[1, 0, 0, 2], [2, 2]], [[0, 5, -3, 0], [2, 2]]])], [2], 1e-6, 0);
  });
  it('equals 2 + 2 D', () => {
    const z = randomArray(12, 4);
    const d = lossValue(negativeCosineLoss, [[p, [4, 3]], [z, [4, 3]]]);
    expectClose([lossValue(byolLoss, [[p, [4, 3]], [z, [4, 3]]])], [2 + 2 * d], 1e-6, 1e-6);
  });
  it('stays finite for zero rows (similarity 0)', () => {
    const got = lossAndGrads(byolLoss, [[[0, 0, 1, 1], [2, 2]], [[1, 0, 0, 0], [2, 2]]]);
    expectClose([got.value], [2], 1e-6, 0); // a zero row has cosine 0 with anything: 2 per row
    expectAllFinite(got.grads.flat());
  });
});

describe('negativeCosineLoss and byolLoss validation', () => {
  it('rejects mismatched or non-2-D shapes, naming the function', () => {
    const x = tf.zeros([2, 3]), y = tf.zeros([3, 3]), v = tf.zeros([3]);
    expect(() => negativeCosineLoss(x, y)).toThrow('negativeCosineLoss: p and z must have the same shape [N, D], received [2,3] and [3,3]');
    expect(() => byolLoss(x, y)).toThrow('byolLoss: p and z must have the same shape [N, D], received [2,3] and [3,3]');
    expect(() => byolLoss(v, v)).toThrow('byolLoss: p must be a 2-D tensor [N, D], received shape [3]');
    tf.dispose([x, y, v]);
  });
});
