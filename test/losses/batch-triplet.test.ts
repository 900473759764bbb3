/**
 * Batch-all, batch-hard and semi-hard triplet losses (and the index-tuple loss they share) against
 * float64 loops (forward, and gradient by central differences), hand-worked 1-D examples, the
 * triplet selections, edge cases, validation and tensor leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  allTriplets,
  batchAllTripletLoss,
  batchHardTripletLoss,
  CosineSimilarity,
  EuclideanDistance,
  hardestTriplets,
  indexedTripletLoss,
  semiHardTriplets,
  semiHardTripletLoss,
  tripletLoss,
} from '../../src/index.js';
import { randomArray } from '../backend/parity.js';
import { BACKENDS, cosine, euclidean, expectAllFinite, expectClose, lossAndGrads, lossValue, numericGrad, rows, type Rows } from './reference.js';

interface Flags { margin: number; squared: boolean; softMargin: boolean }

const distance = (z: Rows, i: number, j: number, squared: boolean) => (squared ? euclidean(z[i], z[j]) ** 2 : euclidean(z[i], z[j]));
const term = (dap: number, dan: number, { margin, softMargin }: Flags) => (softMargin ? Math.log(1 + Math.exp(dap - dan)) : Math.max(0, dap - dan + margin));

/** Every valid triplet, averaged over those with a loss > 0. */
function loopBatchAll(z: Rows, labels: number[], flags: Flags): number {
  let total = 0, positive = 0;
  for (let a = 0; a < z.length; a++)
    for (let p = 0; p < z.length; p++)
      for (let n = 0; n < z.length; n++) {
        if (p === a || labels[p] !== labels[a] || labels[n] === labels[a]) continue;
        const l = term(distance(z, a, p, flags.squared), distance(z, a, n, flags.squared), flags);
        total += l;
        if (l > 0) positive++;
      }
  return positive === 0 ? 0 : total / positive;
}

/** Per anchor with a positive and a negative: farthest positive, nearest negative; mean over anchors. */
function loopBatchHard(z: Rows, labels: number[], flags: Flags): number {
  let total = 0, anchors = 0;
  for (let a = 0; a < z.length; a++) {
    let hardestPositive = -Infinity, hardestNegative = Infinity;
    for (let j = 0; j < z.length; j++) {
      const d = distance(z, a, j, flags.squared);
      if (labels[j] !== labels[a]) hardestNegative = Math.min(hardestNegative, d);
      else if (j !== a) hardestPositive = Math.max(hardestPositive, d);
    }
    if (hardestPositive === -Infinity || hardestNegative === Infinity) continue;
    total += term(hardestPositive, hardestNegative, flags);
    anchors++;
  }
  return anchors === 0 ? 0 : total / anchors;
}

/** Per positive pair: the nearest negative farther than the positive, else the farthest; mean over pairs. */
function loopSemiHard(z: Rows, labels: number[], flags: Flags): number {
  let total = 0, pairs = 0;
  for (let a = 0; a < z.length; a++)
    for (let p = 0; p < z.length; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      const dap = distance(z, a, p, flags.squared);
      const negatives = z.map((_, n) => n).filter((n) => labels[n] !== labels[a]).map((n) => distance(z, a, n, flags.squared));
      if (negatives.length === 0) continue;
      const outside = negatives.filter((d) => d > dap);
      const dan = outside.length > 0 ? Math.min(...outside) : Math.max(...negatives);
      total += term(dap, dan, flags);
      pairs++;
    }
  return pairs === 0 ? 0 : total / pairs;
}

const losses = [
  ['batchAllTripletLoss', batchAllTripletLoss, loopBatchAll],
  ['batchHardTripletLoss', batchHardTripletLoss, loopBatchHard],
  ['semiHardTripletLoss', semiHardTripletLoss, loopSemiHard],
] as const;

for (const backend of BACKENDS) {
  for (const [name, loss, loop] of losses) {
    describe(`${name} on ${backend}`, () => {
      const cases: [number[], number, Partial<Flags>][] = [
        [[0, 0, 1, 1], 3, {}],
        [[0, 1, 2, 0, 1, 2, 0, 1], 4, { margin: 0.5 }],
        [[2, 2, 2, 5, 5, 9, 9, 9, 1], 5, { margin: 1, squared: true }],
        [[0, 1, 0, 1, 0, 1], 6, { margin: 3 }], // every triplet inside the margin
      ];
      if (name === 'batchHardTripletLoss') cases.push([[0, 1, 0, 1, 2, 2], 4, { softMargin: true }], [[0, 0, 1, 1, 1], 3, { softMargin: true, squared: true }]);
      for (const [labels, d, options] of cases) {
        const n = labels.length;
        const flags: Flags = { margin: 1, squared: false, softMargin: false, ...options };
        it(`matches the loop implementation, forward and gradient (labels ${labels}, D=${d}, ${JSON.stringify(options)})`, () => {
          tf.setBackend(backend);
          const z = randomArray(n * d, 71 + 3 * n + d);
          const got = lossAndGrads((x) => loss(x, labels, options), [[z, [n, d]]]);
          const r = rows(z, n, d);
          expectClose([got.value], [loop(r, labels, flags)], 1e-5, 1e-5);
          expectClose(got.grads[0], numericGrad(([x]) => loop(x, labels, flags), [r])[0], 2e-5, 2e-3);
        });
      }
    });
  }
}

describe('batch triplet losses on hand-worked 1-D examples', () => {
  const line = (xs: number[], labels: number[], f: (x: tf.Tensor, y: number[]) => tf.Tensor) => lossValue((x) => f(x, labels), [[xs, [xs.length, 1]]]);
  // Rows at 0 and 1 share class 0; singletons at 0.5, 1.5 and 3 are negatives only.
  const xs = [0, 1, 0.5, 1.5, 3], labels = [0, 0, 1, 2, 3];
  it('batch all: (1.5 + 0.5 + 0 + 1.5 + 1.5 + 0) / 4 non-zero triplets', () => {
    expectClose([line(xs, labels, batchAllTripletLoss)], [5 / 4], 1e-6, 1e-6);
  });
  it('batch hard: anchors 0 and 1 each 1 - 0.5 + 1', () => {
    expectClose([line(xs, labels, batchHardTripletLoss)], [1.5], 1e-6, 1e-6);
  });
  it('semi-hard: the nearest negative beyond the positive (1.5 for anchor 0, 2 for anchor 1)', () => {
    expectClose([line(xs, labels, semiHardTripletLoss)], [(0.5 + 0) / 2], 1e-6, 1e-6);
  });
  it('semi-hard: the farthest negative when none is beyond the positive', () => {
    // Pairs (0, 3) and (3, 0): d_ap = 3, negatives at distances 1 and 2 -> 3 - 2 + 1 = 2 each;
    // pairs (1, 2) and (2, 1): d_ap = 1, semi-hard negative at distance 2 -> 0.
    expectClose([line([0, 3, 1, 2], [0, 0, 1, 1], semiHardTripletLoss)], [1], 1e-6, 1e-6);
  });
});

describe('batch triplet losses: closed forms and edge cases', () => {
  it('equal the margin for a collapsed batch (log 2 for the soft batch hard), with finite gradients', () => {
    const z = new Float32Array(12).fill(0.5), labels = [0, 0, 1, 1];
    for (const [, loss] of losses) {
      const got = lossAndGrads((x) => loss(x, labels, { margin: 0.3 }), [[z, [4, 3]]]);
      expectClose([got.value], [0.3], 1e-6, 0);
      expectAllFinite(got.grads[0]);
    }
    const soft = lossAndGrads((x) => batchHardTripletLoss(x, labels, { softMargin: true }), [[z, [4, 3]]]);
    expectClose([soft.value], [Math.log(2)], 1e-6, 0);
    expectAllFinite(soft.grads[0]);
  });
  it('are 0 for classes farther apart than the margin', () => {
    const z = [0, 0, 0.1, 0, 5, 5, 5, 5.1], labels = [0, 0, 1, 1];
    for (const [, loss] of losses) expect(lossValue((x) => loss(x, labels), [[z, [4, 2]]])).toBe(0);
  });
  it('are 0 with a zero gradient, not NaN, without positives, without negatives, and for one row', () => {
    for (const labels of [[0, 1, 2], [4, 4, 4], [7]]) {
      const z = randomArray(labels.length * 2, 81);
      for (const [, loss] of losses) {
        const got = lossAndGrads((x) => loss(x, labels), [[z, [labels.length, 2]]]);
        expect(got.value).toBe(0);
        expectClose(got.grads[0], new Array(got.grads[0].length).fill(0), 0, 0);
      }
    }
  });
  it('stay finite with zero rows and duplicate rows', () => {
    const z = [0, 0, 0, 0, 1, 2, 1, 2, 0, 0], labels = [0, 0, 1, 1, 1];
    for (const [, loss] of losses) {
      const got = lossAndGrads((x) => loss(x, labels), [[z, [5, 2]]]);
      expectAllFinite([got.value, ...got.grads[0]]);
    }
  });
  it('use a similarity as d = -s (cosine batch hard)', () => {
    const z = randomArray(12, 82), labels = [0, 1, 0, 1];
    const r = rows(z, 4, 3);
    let want = 0;
    for (let a = 0; a < 4; a++) {
      const same = [0, 1, 2, 3].filter((j) => j !== a && labels[j] === labels[a]);
      const other = [0, 1, 2, 3].filter((j) => labels[j] !== labels[a]);
      want += Math.max(0, Math.max(...other.map((j) => cosine(r[a], r[j]))) - Math.min(...same.map((j) => cosine(r[a], r[j]))) + 0.2);
    }
    const got = lossValue((x) => batchHardTripletLoss(x, labels, { margin: 0.2, distance: new CosineSimilarity() }), [[z, [4, 3]]]);
    expectClose([got], [want / 4], 1e-5, 1e-5);
  });
});

describe('triplet selections and indexedTripletLoss', () => {
  it('allTriplets lists every valid (a, p, n)', () => {
    const t = allTriplets(Int32Array.from([0, 0, 1, 1, 1]));
    expect(t.anchors.length).toBe(2 * 1 * 3 + 3 * 2 * 2);
    expect([t.anchors[0], t.positives[0], t.negatives[0]]).toEqual([0, 1, 2]);
    expect(allTriplets(Int32Array.from([0, 1, 2])).anchors.length).toBe(0);
  });
  it('hardestTriplets and semiHardTriplets pick the documented rows (first index on ties)', () => {
    const x = [0, 1, 0.5, 1.5, 3];
    const d = x.flatMap((a) => x.map((b) => Math.abs(a - b)));
    const labels = Int32Array.from([0, 0, 1, 2, 3]);
    expect(hardestTriplets(d, labels)).toEqual({ anchors: Int32Array.from([0, 1]), positives: Int32Array.from([1, 0]), negatives: Int32Array.from([2, 2]) });
    expect(semiHardTriplets(d, labels)).toEqual({ anchors: Int32Array.from([0, 1]), positives: Int32Array.from([1, 0]), negatives: Int32Array.from([3, 4]) });
  });
  it('indexedTripletLoss on given tuples equals tripletLoss on the gathered rows', () => {
    const z = randomArray(15, 83);
    const triplets = { anchors: Int32Array.from([0, 4, 2]), positives: Int32Array.from([1, 3, 2]), negatives: Int32Array.from([2, 0, 1]) };
    for (const options of [{}, { margin: 0.2, squared: true }, { softMargin: true }]) {
      const got = lossAndGrads((x) => indexedTripletLoss(x, triplets, options), [[z, [5, 3]]]);
      const want = lossAndGrads(
        (x) => tripletLoss(tf.gather(x, Array.from(triplets.anchors)), tf.gather(x, Array.from(triplets.positives)), tf.gather(x, Array.from(triplets.negatives)), options),
        [[z, [5, 3]]],
      );
      expectClose([got.value], [want.value], 1e-5, 1e-5);
      expectClose(got.grads[0], want.grads[0], 1e-5, 1e-4);
    }
  });
  it("indexedTripletLoss with allTriplets and average 'nonzero' is batchAllTripletLoss", () => {
    const z = randomArray(18, 84), labels = [0, 1, 0, 1, 2, 2];
    const all = allTriplets(Int32Array.from(labels));
    const got = lossValue((x) => indexedTripletLoss(x, all, { average: 'nonzero', margin: 2 }), [[z, [6, 3]]]);
    expectClose([got], [lossValue((x) => batchAllTripletLoss(x, labels, { margin: 2 }), [[z, [6, 3]]])], 1e-6, 1e-6);
  });
});

describe('batch triplet losses validation', () => {
  it('reject a bad margin, flags, labels and shapes, naming the function, the argument and the value', () => {
    const z = tf.zeros([3, 2]);
    const before = tf.memory().numTensors;
    for (const [name, loss] of losses) {
      expect(() => loss(z, [0, 0, 1], { margin: -1 })).toThrow(`${name}: margin must be a finite number >= 0, received -1`);
      expect(() => loss(z, [0, 0, 1], { squared: 0 as unknown as boolean })).toThrow(`${name}: squared must be a boolean, received 0`);
      expect(() => loss(z, [0, 0, 1], { squared: false, distance: new EuclideanDistance() })).toThrow(`${name}: pass either squared or distance, not both`);
      expect(() => loss(z, [0, 1])).toThrow(`${name}: labels must have one entry per row (3), received 2`);
      expect(() => loss(z, [0, 0.5, 1])).toThrow(`${name}: labels must be integers, received 0.5 at index 1`);
    }
    expect(() => batchHardTripletLoss(z, [0, 0, 1], { softMargin: 'no' as unknown as boolean })).toThrow('batchHardTripletLoss: softMargin must be a boolean, received no');
    const v = tf.zeros([3]);
    expect(() => semiHardTripletLoss(v, [0, 0, 1])).toThrow('semiHardTripletLoss: embeddings must be a 2-D tensor [N, D], received shape [3]');
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([z, v]);
  });
  it('indexedTripletLoss rejects bad tuples and a bad average', () => {
    const z = tf.zeros([3, 2]);
    const t = (a: number[], p: number[], n: number[]) => ({ anchors: Int32Array.from(a), positives: Int32Array.from(p), negatives: Int32Array.from(n) });
    expect(() => indexedTripletLoss(z, t([0], [1], [3]))).toThrow('indexedTripletLoss: triplet indices must be integers in [0, 3), received 3');
    expect(() => indexedTripletLoss(z, t([0, 1], [1], [2]))).toThrow('indexedTripletLoss: triplets must have equal lengths, received 2, 1 and 1');
    expect(() => indexedTripletLoss(z, t([0], [1], [2]), { average: 'sum' as 'all' })).toThrow("indexedTripletLoss: average must be 'all' or 'nonzero', received sum");
    z.dispose();
  });
  it('default to margin = 1 and plain Euclidean distances', () => {
    const xs = [0, 1, 0.5, 1.5, 3], labels = [0, 0, 1, 2, 3];
    expectClose([lossValue((x) => batchHardTripletLoss(x, labels), [[xs, [5, 1]]])], [1.5], 1e-6, 1e-6);
  });
});
