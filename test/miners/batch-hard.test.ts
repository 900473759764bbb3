/**
 * BatchHardMiner against a float64 loop, a hand-worked 1-D example, ties and edge cases, and its
 * triplets into indexedTripletLoss / minedTripletLoss against batchHardTripletLoss.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BatchHardMiner, batchHardTripletLoss, CosineSimilarity, indexedTripletLoss, minedTripletLoss } from '../../src/index.js';
import { randomArray } from '../backend/parity.js';
import { BACKENDS, expectClose, lossAndGrads } from '../losses/reference.js';
import { asRows, distances, mine, triplets } from './reference.js';

/** Per anchor with a positive and a negative: the farthest positive and the nearest negative, first index on ties. */
function loopBatchHard(d: number[][], labels: number[]) {
  const out = { anchors: [] as number[], positives: [] as number[], negatives: [] as number[] };
  for (let a = 0; a < d.length; a++) {
    let p = -1, n = -1;
    for (let j = 0; j < d.length; j++) {
      if (labels[j] === labels[a] && j !== a && (p < 0 || d[a][j] > d[a][p])) p = j;
      if (labels[j] !== labels[a] && (n < 0 || d[a][j] < d[a][n])) n = j;
    }
    if (p < 0 || n < 0) continue;
    out.anchors.push(a);
    out.positives.push(p);
    out.negatives.push(n);
  }
  return out;
}

const cases: [number[], number][] = [
  [[0, 0, 1, 1], 3],
  [[0, 1, 2, 0, 1, 2, 0, 1], 4],
  [[2, 2, 2, 5, 5, 9, 9, 9, 1], 5],
  [[0, 1, 0, 1, 0, 1, 3, 3, 4, 5, 5, 5], 8],
];

for (const backend of BACKENDS) {
  describe(`BatchHardMiner on ${backend}`, () => {
    for (const [labels, dim] of cases) {
      for (const kind of ['euclidean', 'cosine'] as const) {
        it(`matches the loop (labels ${labels}, D=${dim}, ${kind})`, () => {
          tf.setBackend(backend);
          const n = labels.length;
          const z = randomArray(n * dim, 101 + 7 * n + dim);
          const miner = new BatchHardMiner(kind === 'cosine' ? { distance: new CosineSimilarity() } : {});
          expect(triplets(mine(miner, z, [n, dim], labels))).toEqual(loopBatchHard(distances(asRows(z, n, dim), kind), labels));
        });
      }
    }
  });
}

describe('BatchHardMiner examples and edge cases', () => {
  it('picks the farthest positive and the nearest negative on a line (first index on ties)', () => {
    // Rows 0 and 1 share class 0; anchor 1's negatives 2 and 3 are both 0.5 away: 2 wins the tie.
    const got = mine(new BatchHardMiner(), [0, 1, 0.5, 1.5, 3], [5, 1], [0, 0, 1, 2, 3]);
    expect(triplets(got)).toEqual({ anchors: [0, 1], positives: [1, 0], negatives: [2, 2] });
  });
  it('breaks ties between positives by the first index', () => {
    // Anchor 0 at 0, positives 1 and 2 both at distance 1; negative 3 at 5.
    const got = mine(new BatchHardMiner(), [0, 1, -1, 5], [4, 1], [0, 0, 0, 1]);
    expect(triplets(got).positives[0]).toBe(1);
  });
  it('returns no triplet for a single class, for all-distinct labels and for one row', () => {
    for (const labels of [[4, 4, 4], [0, 1, 2], [7]]) {
      const got = mine(new BatchHardMiner(), randomArray(labels.length * 2, 5), [labels.length, 2], labels);
      expect(triplets(got)).toEqual({ anchors: [], positives: [], negatives: [] });
      expect(got.anchors).toBeInstanceOf(Int32Array);
    }
  });
  it('skips anchors without a positive', () => {
    const got = mine(new BatchHardMiner(), [0, 1, 2, 3], [4, 1], [0, 0, 1, 2]);
    expect(triplets(got).anchors).toEqual([0, 1]);
  });
});

describe('BatchHardMiner into the triplet losses', () => {
  const labels = [0, 1, 0, 1, 2, 2, 0, 3];
  const z = randomArray(8 * 5, 131);
  for (const options of [{}, { margin: 0.3 }, { softMargin: true }, { margin: 0.1, squared: true }, { margin: 0.2, distance: new CosineSimilarity() }]) {
    it(`indexedTripletLoss(z, miner.mine(z, y)) and minedTripletLoss equal batchHardTripletLoss, value and gradient (${JSON.stringify({ ...options, distance: options.distance?.name })})`, () => {
      const minerDistance = 'distance' in options ? { distance: options.distance } : {};
      const miner = 'squared' in options ? new BatchHardMiner() : new BatchHardMiner(minerDistance); // squared: same ranking
      const want = lossAndGrads((x) => batchHardTripletLoss(x, labels, options), [[z, [8, 5]]]);
      const indexed = lossAndGrads((x) => indexedTripletLoss(x, miner.mine(x as tf.Tensor2D, labels), options), [[z, [8, 5]]]);
      const mined = lossAndGrads((x) => minedTripletLoss(x, labels, miner, options), [[z, [8, 5]]]);
      for (const got of [indexed, mined]) {
        expectClose([got.value], [want.value], 1e-6, 1e-6);
        expectClose(got.grads[0], want.grads[0], 1e-6, 1e-5);
      }
    });
  }
  it('minedTripletLoss validates its options and the miner before mining, naming itself', () => {
    const x = tf.zeros([3, 2]);
    const miner = new BatchHardMiner();
    expect(() => minedTripletLoss(x, [0, 0, 1], miner, { margin: -1 })).toThrow('minedTripletLoss: margin must be a finite number >= 0, received -1');
    expect(() => minedTripletLoss(x, [0, 0, 1], {} as BatchHardMiner)).toThrow('minedTripletLoss: miner must be a TripletMiner (with mine), received [object Object]');
    expect(() => minedTripletLoss(x, [0, 1], miner)).toThrow('BatchHardMiner.mine: labels must have one entry per row (3), received 2');
    x.dispose();
  });
});
