/**
 * HardNegativePairMiner against a float64 loop, a hand-worked 1-D example, ties, k beyond the
 * number of negatives, edge cases and validation (its pairs into pairContrastiveLoss: test/losses/contrastive.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { CosineSimilarity, HardNegativePairMiner } from '../../src/index.js';
import { randomArray } from '../backend/parity.js';
import { BACKENDS } from '../losses/reference.js';
import { asRows, distances, mine, pairs } from './reference.js';

/** Every ordered positive pair, then per anchor its k nearest negatives (nearest first, first index on ties). */
function loopPairs(d: number[][], labels: number[], k: number) {
  const out = { anchors: [] as number[], others: [] as number[], similar: [] as number[] };
  for (let a = 0; a < d.length; a++)
    for (let p = 0; p < d.length; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      out.anchors.push(a);
      out.others.push(p);
      out.similar.push(1);
    }
  for (let a = 0; a < d.length; a++) {
    const taken = new Set<number>();
    for (let round = 0; round < k; round++) {
      let best = -1;
      for (let n = 0; n < d.length; n++) {
        if (labels[n] === labels[a] || taken.has(n)) continue;
        if (best < 0 || d[a][n] < d[a][best]) best = n;
      }
      if (best < 0) break;
      taken.add(best);
      out.anchors.push(a);
      out.others.push(best);
      out.similar.push(0);
    }
  }
  return out;
}

const cases: [number[], number, number][] = [
  // [labels, D, negativesPerAnchor]
  [[0, 0, 1, 1], 3, 1],
  [[0, 1, 2, 0, 1, 2, 0, 1], 4, 2],
  [[2, 2, 2, 5, 5, 9, 9, 9, 1], 5, 3],
  [[0, 1, 0, 1, 0, 1, 3, 3, 4, 5, 5, 5], 8, 20],
];

for (const backend of BACKENDS) {
  describe(`HardNegativePairMiner on ${backend}`, () => {
    for (const [labels, dim, k] of cases) {
      for (const kind of ['euclidean', 'cosine'] as const) {
        it(`matches the loop (labels ${labels}, D=${dim}, k=${k}, ${kind})`, () => {
          tf.setBackend(backend);
          const n = labels.length;
          const z = randomArray(n * dim, 307 + 7 * n + dim);
          const miner = new HardNegativePairMiner({ negativesPerAnchor: k, ...(kind === 'cosine' ? { distance: new CosineSimilarity() } : {}) });
          const got = mine(miner, z, [n, dim], labels);
          expect(got.similar).toBeInstanceOf(Uint8Array);
          expect(pairs(got)).toEqual(loopPairs(distances(asRows(z, n, dim), kind), labels, k));
        });
      }
    }
  });
}

describe('HardNegativePairMiner examples and edge cases', () => {
  // Rows at 0 and 1 share class 0; singletons at 0.5, 1.5 and 3.
  const xs = [0, 1, 0.5, 1.5, 3], labels = [0, 0, 1, 2, 3];
  it('k = 1 (the default): the positive pairs, then each anchor with its nearest negative, first index on ties', () => {
    // Anchor 1's negatives 2 and 3 are both 0.5 away, anchor 2's rows 0 and 1 too: the first wins.
    expect(pairs(mine(new HardNegativePairMiner(), xs, [5, 1], labels))).toEqual({
      anchors: [0, 1, 0, 1, 2, 3, 4],
      others: [1, 0, 2, 2, 0, 1, 3],
      similar: [1, 1, 0, 0, 0, 0, 0],
    });
  });
  it('k = 2: the two nearest negatives, nearest first', () => {
    expect(pairs(mine(new HardNegativePairMiner({ negativesPerAnchor: 2 }), xs, [5, 1], labels))).toEqual({
      anchors: [0, 1, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4],
      others: [1, 0, 2, 3, 2, 3, 0, 1, 1, 2, 3, 1],
      similar: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    });
  });
  it('a k beyond the number of negatives keeps them all', () => {
    const got = pairs(mine(new HardNegativePairMiner({ negativesPerAnchor: 100 }), [0, 1, 5], [3, 1], [0, 0, 1]));
    expect(got).toEqual({ anchors: [0, 1, 0, 1, 2, 2], others: [1, 0, 2, 2, 1, 0], similar: [1, 1, 0, 0, 0, 0] });
  });
  it('a single class gives only positive pairs; all-distinct labels only negative pairs; one row nothing', () => {
    expect(pairs(mine(new HardNegativePairMiner(), [0, 1, 2], [3, 1], [4, 4, 4]))).toEqual({ anchors: [0, 0, 1, 1, 2, 2], others: [1, 2, 0, 2, 0, 1], similar: [1, 1, 1, 1, 1, 1] });
    expect(pairs(mine(new HardNegativePairMiner(), [0, 1, 3], [3, 1], [0, 1, 2]))).toEqual({ anchors: [0, 1, 2], others: [1, 0, 1], similar: [0, 0, 0] });
    expect(pairs(mine(new HardNegativePairMiner(), [0], [1, 1], [0]))).toEqual({ anchors: [], others: [], similar: [] });
  });
  it('rejects a negativesPerAnchor that is not an integer >= 1', () => {
    for (const bad of [0, -1, 1.5, Infinity, NaN]) {
      expect(() => new HardNegativePairMiner({ negativesPerAnchor: bad })).toThrow(`HardNegativePairMiner: negativesPerAnchor must be an integer >= 1, received ${bad}`);
    }
    expect(new HardNegativePairMiner().negativesPerAnchor).toBe(1);
  });
});
