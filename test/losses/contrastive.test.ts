/**
 * contrastiveLoss against a float64 loop (forward, and gradient by central differences), closed
 * forms, edge cases, validation and tensor leaks; pairContrastiveLoss on index pairs into one batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { contrastiveLoss, CosineSimilarity, EuclideanDistance, HardNegativePairMiner, pairContrastiveLoss } from '../../src/index.js';
import { randomArray } from '../backend/parity.js';
import { BACKENDS, euclidean, expectAllFinite, expectClose, lossAndGrads, lossValue, numericGrad, rows, type Rows } from './reference.js';

/** The loss written the slow obvious way (Hadsell et al. eq. 4, similar = 1 - Y). */
function loopLoss(a: Rows, b: Rows, similar: number[], m: number): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    const d = euclidean(a[i], b[i]);
    total += similar[i] * 0.5 * d * d + (1 - similar[i]) * 0.5 * Math.max(0, m - d) ** 2;
  }
  return total / a.length;
}

for (const backend of BACKENDS) {
  describe(`contrastiveLoss on ${backend}`, () => {
    const cases: [number, number, number][] = [
      // [N, D, margin]
      [1, 3, 1],
      [6, 4, 1],
      [9, 5, 2.5],
      [4, 16, 0.5],
    ];
    for (const [n, d, m] of cases) {
      it(`matches the loop implementation, forward and gradient (N=${n}, D=${d}, margin=${m})`, () => {
        tf.setBackend(backend);
        const a = randomArray(n * d, 21 * n + d), b = randomArray(n * d, 23 * n + d);
        const similar = Array.from({ length: n }, (_, i) => (i * 7 + n) % 3 === 0 ? 1 : 0);
        const got = lossAndGrads((x, y) => contrastiveLoss(x, y, similar, { margin: m }), [[a, [n, d]], [b, [n, d]]]);
        const ra = rows(a, n, d), rb = rows(b, n, d);
        expectClose([got.value], [loopLoss(ra, rb, similar, m)], 1e-5, 1e-5);
        const want = numericGrad(([x, y]) => loopLoss(x, y, similar, m), [ra, rb]);
        expectClose(got.grads[0], want[0], 2e-5, 1e-3);
        expectClose(got.grads[1], want[1], 2e-5, 1e-3);
      });
    }
  });
}

describe('contrastiveLoss closed forms and edge cases', () => {
  const pair = (a: number[][], b: number[][], similar: number[], margin?: number) =>
    lossAndGrads((x, y) => contrastiveLoss(x, y, similar, { margin }), [[a.flat(), [a.length, a[0].length]], [b.flat(), [b.length, b[0].length]]]);

  it('is 0 for identical similar pairs, with a zero (finite) gradient', () => {
    const a = [[1, 2, 3], [0, 0, 0], [-1, 0.5, 2]];
    const got = pair(a, a, [1, 1, 1]);
    expect(got.value).toBe(0);
    for (const g of got.grads) expectClose(g, new Array(g.length).fill(0), 0, 0);
  });
  it('is 0 for dissimilar pairs at distance >= margin', () => {
    expect(pair([[0, 0], [1, 1]], [[3, 4], [1, 3]], [0, 0], 2).value).toBe(0); // distances 5 and 2
  });
  it('equals 0.5 D^2 for a similar pair and 0.5 (m - D)^2 for a close dissimilar pair', () => {
    expectClose([pair([[3, 0]], [[0, 4]], [1]).value], [12.5], 1e-6, 1e-6); // D = 5
    expectClose([pair([[0, 0]], [[0.6, 0.8]], [0], 3).value], [0.5 * 2 * 2], 1e-6, 1e-6); // D = 1, m = 3
    expectClose([pair([[3, 0], [0, 0]], [[0, 4], [0.6, 0.8]], [1, 0], 3).value], [(12.5 + 2) / 2], 1e-6, 1e-6);
  });
  it('is 0.5 m^2 with a finite (zero) gradient for identical dissimilar pairs', () => {
    const got = pair([[1, 2], [0, 0]], [[1, 2], [0, 0]], [0, 0], 2);
    expectClose([got.value], [2], 1e-6, 0);
    for (const g of got.grads) expectAllFinite(g);
  });
  it('accepts similar as a tensor, an Int32Array or a Float32Array', () => {
    const a = [[1, 0], [0, 1]], b = [[0, 1], [0, 1]];
    const want = pair(a, b, [1, 0]).value;
    for (const similar of [new Int32Array([1, 0]), new Float32Array([1, 0])]) {
      expectClose([lossValue((x, y) => contrastiveLoss(x, y, similar), [[a.flat(), [2, 2]], [b.flat(), [2, 2]]])], [want], 0, 0);
    }
    const t = tf.tensor1d([1, 0]);
    expectClose([lossValue((x, y) => contrastiveLoss(x, y, t), [[a.flat(), [2, 2]], [b.flat(), [2, 2]]])], [want], 0, 0);
    t.dispose();
  });
  it('takes an injected distance (squared Euclidean: D^2 becomes D^4)', () => {
    const squared = new EuclideanDistance({ squared: true });
    const got = lossValue((x, y) => contrastiveLoss(x, y, [1], { distance: squared }), [[[3, 0], [1, 2]], [[0, 4], [1, 2]]]);
    expectClose([got], [0.5 * 625], 1e-4, 1e-6);
  });
});

describe('contrastiveLoss validation', () => {
  const a = () => tf.zeros([3, 2]);
  it('rejects a margin that is not a finite number >= 0', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '1' as unknown as number]) {
      const [x, y] = [a(), a()];
      const before = tf.memory().numTensors;
      expect(() => contrastiveLoss(x, y, [1, 0, 1], { margin: bad })).toThrow(
        `contrastiveLoss: margin must be a finite number >= 0, received ${String(bad)}`,
      );
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, y]);
    }
  });
  it('rejects pair labels that are not N values of 0 or 1', () => {
    const [x, y] = [a(), a()];
    expect(() => contrastiveLoss(x, y, [1, 0])).toThrow('contrastiveLoss: similar must have one entry per pair (3), received 2');
    expect(() => contrastiveLoss(x, y, [1, 0, 0.5])).toThrow('contrastiveLoss: similar must be 0 or 1, received 0.5 at index 2');
    expect(() => contrastiveLoss(x, y, 1 as unknown as number[])).toThrow('contrastiveLoss: similar must be a 1-D tensor or an array of 0/1, received 1');
    const t = tf.zeros([3, 1]);
    expect(() => contrastiveLoss(x, y, t as tf.Tensor1D)).toThrow('contrastiveLoss: similar must be 1-D [N], received shape [3,1]');
    tf.dispose([x, y, t]);
  });
  it('rejects mismatched shapes and a similarity as the distance', () => {
    const [x, y] = [a(), tf.zeros([3, 4])];
    expect(() => contrastiveLoss(x, y, [1, 0, 1])).toThrow('contrastiveLoss: a and b must have the same shape [N, D], received [3,2] and [3,4]');
    expect(() => contrastiveLoss(x, x, [1, 0, 1], { distance: new CosineSimilarity() })).toThrow(
      'contrastiveLoss: distance must be a distance (isInverted false), received cosine (isInverted true)',
    );
    tf.dispose([x, y]);
  });
  it('defaults to margin = 1', () => {
    expectClose([lossValue((x, y) => contrastiveLoss(x, y, [0]), [[[0, 0], [1, 2]], [[0.6, 0], [1, 2]]])], [0.5 * 0.4 * 0.4], 1e-6, 1e-5);
  });
});

describe('pairContrastiveLoss on index pairs', () => {
  const labels = [0, 1, 0, 1, 2, 2, 0];
  const z = randomArray(7 * 4, 331);
  it('equals contrastiveLoss on the gathered rows, value and gradient (HardNegativePairMiner pairs, two margins)', () => {
    const mined = new HardNegativePairMiner({ negativesPerAnchor: 2 });
    for (const margin of [1, 0.4]) {
      const got = lossAndGrads((x) => pairContrastiveLoss(x, mined.mine(x as tf.Tensor2D, labels), { margin }), [[z, [7, 4]]]);
      const want = lossAndGrads((x) => {
        const p = mined.mine(x as tf.Tensor2D, labels);
        return contrastiveLoss(tf.gather(x, Array.from(p.anchors)), tf.gather(x, Array.from(p.others)), p.similar, { margin });
      }, [[z, [7, 4]]]);
      expectClose([got.value], [want.value], 1e-6, 1e-6);
      expectClose(got.grads[0], want.grads[0], 1e-6, 1e-5);
    }
  });
  it('matches a float64 loop on hand-made pairs with repeated rows', () => {
    const p = { anchors: Int32Array.from([0, 0, 3, 6, 2]), others: Int32Array.from([2, 1, 3, 5, 0]), similar: Uint8Array.from([1, 0, 1, 0, 1]) };
    const r = Array.from({ length: 7 }, (_, i) => Array.from(z.subarray(i * 4, i * 4 + 4)));
    let want = 0;
    for (let t = 0; t < 5; t++) {
      const d = Math.sqrt(r[p.anchors[t]].reduce((s, v, k) => s + (v - r[p.others[t]][k]) ** 2, 0));
      want += p.similar[t] ? 0.5 * d * d : 0.5 * Math.max(0, 0.8 - d) ** 2;
    }
    const got = lossAndGrads((x) => pairContrastiveLoss(x, p, { margin: 0.8 }), [[z, [7, 4]]]);
    expectClose([got.value], [want / 5], 1e-6, 1e-5);
  });
  it('is 0 with a zero gradient for no pairs', () => {
    const got = lossAndGrads((x) => pairContrastiveLoss(x, { anchors: new Int32Array(0), others: new Int32Array(0), similar: new Uint8Array(0) }), [[z, [7, 4]]]);
    expect(got.value).toBe(0);
    expectClose(got.grads[0], new Array(28).fill(0), 0, 0);
  });
  it('rejects bad pairs and options, naming the function, the argument and the value', () => {
    const x = tf.zeros([3, 2]);
    const before = tf.memory().numTensors;
    const p = (a: number[], o: number[], s: number[]) => ({ anchors: Int32Array.from(a), others: Int32Array.from(o), similar: Uint8Array.from(s) });
    expect(() => pairContrastiveLoss(x, p([0], [3], [1]))).toThrow('pairContrastiveLoss: pair indices must be integers in [0, 3), received 3');
    expect(() => pairContrastiveLoss(x, p([0, 1], [2], [1]))).toThrow('pairContrastiveLoss: pairs must have equal lengths, received 2, 1 and 1');
    expect(() => pairContrastiveLoss(x, p([0], [1], [2]))).toThrow('pairContrastiveLoss: similar must be 0 or 1, received 2 at index 0');
    expect(() => pairContrastiveLoss(x, p([0], [1], [1]), { margin: -1 })).toThrow('pairContrastiveLoss: margin must be a finite number >= 0, received -1');
    expect(() => pairContrastiveLoss(x, p([0], [1], [1]), { distance: new CosineSimilarity() })).toThrow('pairContrastiveLoss: distance must be a distance (isInverted false), received cosine (isInverted true)');
    expect(() => pairContrastiveLoss(x, null as unknown as ReturnType<typeof p>)).toThrow('pairContrastiveLoss: pairs must be PairIndices {anchors, others, similar}, received null');
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
