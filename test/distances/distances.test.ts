/**
 * Cosine, dot and Euclidean distances against float64 loops (forward, and gradient by central
 * differences), their safe points (zero rows, identical rows), validation and tensor leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { CosineSimilarity, DotProductSimilarity, EuclideanDistance, type Distance } from '../../src/index.js';
import { randomArray } from '../backend/parity.js';
import { cosine, dot, euclidean, expectAllFinite, expectClose, numericGrad, rows, type Rows } from '../losses/reference.js';

const cases: [string, () => Distance, (x: number[], y: number[]) => number, boolean][] = [
  // [name, distance, float64 reference, isInverted]
  ['cosine', () => new CosineSimilarity(), cosine, true],
  ['dot', () => new DotProductSimilarity(), dot, true],
  ['euclidean', () => new EuclideanDistance(), euclidean, false],
  ['squared-euclidean', () => new EuclideanDistance({ squared: true }), (x, y) => euclidean(x, y) ** 2, false],
];

/** sum_ij w_ij f(x_i, y_j) (pairwise) or sum_i w_i f(x_i, y_i) (paired): a scalar to differentiate. */
function weighted(f: (x: number[], y: number[]) => number, x: Rows, y: Rows, w: number[], paired: boolean): number {
  let s = 0;
  if (paired) x.forEach((xi, i) => (s += w[i] * f(xi, y[i])));
  else x.forEach((xi, i) => y.forEach((yj, j) => (s += w[i * y.length + j] * f(xi, yj))));
  return s;
}

function valueAndGrads(distance: Distance, x: tf.Tensor2D, y: tf.Tensor2D, w: tf.Tensor, paired: boolean) {
  return tf.tidy(() => {
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(paired ? distance.paired(a as tf.Tensor2D, b as tf.Tensor2D) : distance.pairwise(a as tf.Tensor2D, b as tf.Tensor2D), w));
    const out = paired ? distance.paired(x, y) : distance.pairwise(x, y);
    const { grads } = tf.valueAndGrads(f)([x, y]);
    return { shape: out.shape, values: out.dataSync(), gx: grads[0].dataSync(), gy: grads[1].dataSync() };
  });
}

for (const [name, make, reference, inverted] of cases) {
  describe(`${name} distance`, () => {
    it(`has isInverted = ${inverted}`, () => {
      expect(make().isInverted).toBe(inverted);
      expect(make().name).toBe(name);
    });
    for (const [n, m, d] of [[1, 1, 1], [3, 5, 4], [7, 2, 9]]) {
      for (const paired of [false, true]) {
        const mm = paired ? n : m;
        it(`${paired ? 'paired' : 'pairwise'} matches the loop, forward and gradient (N=${n}, M=${mm}, D=${d})`, () => {
          const a = randomArray(n * d, 3 * n + d), b = randomArray(mm * d, 5 * mm + d + 1);
          const wv = randomArray(paired ? n : n * mm, 17 + n);
          const x = rows(a, n, d), y = rows(b, mm, d);
          const before = tf.memory().numTensors;
          const tx = tf.tensor2d(a, [n, d]), ty = tf.tensor2d(b, [mm, d]), tw = tf.tensor(wv, paired ? [n] : [n, mm]);
          const got = valueAndGrads(make(), tx, ty, tw, paired);
          tf.dispose([tx, ty, tw]);
          expect(tf.memory().numTensors).toBe(before);
          expect(got.shape).toEqual(paired ? [n] : [n, mm]);
          const want = paired ? x.map((xi, i) => reference(xi, y[i])) : x.flatMap((xi) => y.map((yj) => reference(xi, yj)));
          expectClose(got.values, want, 2e-6, 2e-5);
          const w = Array.from(wv);
          const [gx, gy] = numericGrad(([p, q]) => weighted(reference, p, q, w, paired), [x, y]);
          expectClose(got.gx, gx, 2e-5, 1e-3);
          expectClose(got.gy, gy, 2e-5, 1e-3);
        });
      }
    }
    it('is finite, with a finite gradient, for zero rows and identical rows', () => {
      const x = tf.tensor2d([[0, 0, 0], [1, 2, 3], [0.5, -1, 2]]);
      const y = tf.tensor2d([[0, 0, 0], [1, 2, 3], [0, 0, 0]]);
      const w = tf.ones([3, 3]), v = tf.ones([3]);
      for (const paired of [false, true]) {
        const got = valueAndGrads(make(), x, y, paired ? v : w, paired);
        expectAllFinite(got.values);
        expectAllFinite(got.gx);
        expectAllFinite(got.gy);
      }
      tf.dispose([x, y, w, v]);
    });
    it('rejects mismatched shapes naming the method and the shapes', () => {
      const x = tf.zeros([3, 4]), y = tf.zeros([2, 5]), z = tf.zeros([4]);
      const cls = make().constructor.name;
      expect(() => make().pairwise(x as tf.Tensor2D, y as tf.Tensor2D)).toThrow(
        `${cls}.pairwise: x and y must have the same number of columns D, received [3,4] and [2,5]`,
      );
      expect(() => make().pairwise(z as unknown as tf.Tensor2D, y as tf.Tensor2D)).toThrow(
        `${cls}.pairwise: x and y must be 2-D [N, D] and [M, D], received shapes [4] and [2,5]`,
      );
      expect(() => make().paired(x as tf.Tensor2D, y as tf.Tensor2D)).toThrow(
        `${cls}.paired: x and y must have the same shape [N, D], received [3,4] and [2,5]`,
      );
      tf.dispose([x, y, z]);
    });
  });
}

describe('euclidean distance at zero distance', () => {
  it('is 0 with gradient 0 at identical rows (paired, and the diagonal of pairwise(x, x))', () => {
    const a = randomArray(4 * 6, 99);
    for (const squared of [false, true]) {
      const distance = new EuclideanDistance({ squared });
      const got = tf.tidy(() => {
        const x = tf.tensor2d(a, [4, 6]);
        const paired = tf.valueAndGrads((p: tf.Tensor, q: tf.Tensor) => tf.sum(distance.paired(p as tf.Tensor2D, q as tf.Tensor2D)))([x, tf.clone(x)]);
        // The diagonal of pairwise(x, x) (the same tensor): every term is a zero distance.
        const diagonal = tf.valueAndGrads((p: tf.Tensor) =>
          tf.sum(tf.mul(distance.pairwise(p as tf.Tensor2D, p as tf.Tensor2D), tf.eye(4))),
        )([x]);
        return [paired, diagonal].map(({ value, grads }) => [value.dataSync()[0], ...grads.flatMap((g) => Array.from(g.dataSync()))]);
      });
      for (const values of got) expectClose(values, new Array(values.length).fill(0), 1e-6, 0);
    }
  });
  it('pairwise(x, x) matches the loop off the diagonal, forward and gradient', () => {
    const n = 5, d = 3, a = randomArray(n * d, 7), wv = randomArray(n * n, 8);
    const x = rows(a, n, d), w = Array.from(wv);
    const got = tf.tidy(() => {
      const tw = tf.tensor2d(wv, [n, n]);
      const f = (p: tf.Tensor) => tf.sum(tf.mul(new EuclideanDistance().pairwise(p as tf.Tensor2D, p as tf.Tensor2D), tw));
      const { value, grads } = tf.valueAndGrads(f)([tf.tensor2d(a, [n, d])]);
      return [value.dataSync()[0], grads[0].dataSync()] as const;
    });
    const f = ([p]: Rows[]) => weighted(euclidean, p, p, w, false);
    expectClose([got[0]], [f([x])], 1e-5, 1e-5);
    expectClose(got[1], numericGrad(f, [x])[0], 2e-5, 1e-3);
  });
  it('clamps rounding below 0 in the pairwise expansion (no NaN for nearly equal rows)', () => {
    const got = tf.tidy(() => {
      const x = tf.tensor2d([[1000.5, -2000.25, 3000.125]]);
      const y = tf.add(x, 1e-4) as tf.Tensor2D;
      return new EuclideanDistance().pairwise(x, y).dataSync()[0];
    });
    expect(Number.isFinite(got)).toBe(true);
    expect(got).toBeGreaterThanOrEqual(0);
  });
  it('rejects a non-boolean squared option', () => {
    expect(() => new EuclideanDistance({ squared: 1 as unknown as boolean })).toThrow(
      'EuclideanDistance: squared must be a boolean, received 1',
    );
  });
});
