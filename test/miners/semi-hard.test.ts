/**
 * SemiHardMiner against a float64 loop, hand-worked 1-D examples (including pairs skipped for want
 * of a semi-hard negative), ties, the similarity form, and option validation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { CosineSimilarity, EuclideanDistance, minedTripletLoss, SemiHardMiner } from '../../src/index.js';
import { randomArray } from '../backend/parity.js';
import { BACKENDS, expectClose, lossValue } from '../losses/reference.js';
import { asRows, distances, mine, triplets } from './reference.js';

/** Per ordered positive pair: the nearest negative with d_ap < d_an < d_ap + margin, else none. */
function loopSemiHard(d: number[][], labels: number[], margin: number) {
  const out = { anchors: [] as number[], positives: [] as number[], negatives: [] as number[] };
  for (let a = 0; a < d.length; a++)
    for (let p = 0; p < d.length; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      let best = -1;
      for (let n = 0; n < d.length; n++) {
        if (labels[n] === labels[a]) continue;
        const semiHard = d[a][n] > d[a][p] && d[a][n] < d[a][p] + margin;
        if (semiHard && (best < 0 || d[a][n] < d[a][best])) best = n;
      }
      if (best < 0) continue;
      out.anchors.push(a);
      out.positives.push(p);
      out.negatives.push(best);
    }
  return out;
}

const cases: [number[], number, number][] = [
  // [labels, D, margin]
  [[0, 0, 1, 1], 3, 0.2],
  [[0, 1, 2, 0, 1, 2, 0, 1], 4, 0.5],
  [[2, 2, 2, 5, 5, 9, 9, 9, 1], 5, 1],
  [[0, 1, 0, 1, 0, 1, 3, 3, 4, 5, 5, 5], 8, 0.3],
];

for (const backend of BACKENDS) {
  describe(`SemiHardMiner on ${backend}`, () => {
    for (const [labels, dim, margin] of cases) {
      for (const kind of ['euclidean', 'cosine'] as const) {
        it(`matches the loop (labels ${labels}, D=${dim}, margin ${margin}, ${kind})`, () => {
          tf.setBackend(backend);
          const n = labels.length;
          const z = randomArray(n * dim, 211 + 7 * n + dim);
          const miner = new SemiHardMiner({ margin, ...(kind === 'cosine' ? { distance: new CosineSimilarity() } : {}) });
          const got = triplets(mine(miner, z, [n, dim], labels));
          expect(got).toEqual(loopSemiHard(distances(asRows(z, n, dim), kind), labels, margin));
        });
      }
    }
    it('finds triplets on the random cases (the loop comparison is not vacuous)', () => {
      tf.setBackend(backend);
      const [labels, dim] = cases[3];
      const z = randomArray(labels.length * dim, 211 + 7 * labels.length + dim);
      expect(mine(new SemiHardMiner({ margin: 0.3 }), z, [labels.length, dim], labels).anchors.length).toBeGreaterThan(3);
    });
  });
}

describe('SemiHardMiner hand-worked 1-D examples', () => {
  // Rows at 0 and 1 share class 0; singletons at 0.5, 1.5 and 3.
  const xs = [0, 1, 0.5, 1.5, 3], labels = [0, 0, 1, 2, 3];
  const run = (margin?: number) => triplets(mine(new SemiHardMiner(margin === undefined ? {} : { margin }), xs, [5, 1], labels));
  it('skips every pair when no negative lies in (d_ap, d_ap + 0.2) (the default margin)', () => {
    // (0, 1): d_ap = 1, negatives at 0.5, 1.5, 3; (1, 0): d_ap = 1, negatives at 0.5, 0.5, 2.
    expect(run()).toEqual({ anchors: [], positives: [], negatives: [] });
  });
  it('margin 0.6: only (0, 1) has a semi-hard negative (row 3 at 1.5 < 1.6)', () => {
    expect(run(0.6)).toEqual({ anchors: [0], positives: [1], negatives: [3] });
  });
  it('margin 3: the nearest negative beyond the positive, never a nearer (hard) one', () => {
    expect(run(3)).toEqual({ anchors: [0, 1], positives: [1, 0], negatives: [3, 4] });
  });
  it('the upper bound is strict: a negative at exactly d_ap + margin is not semi-hard', () => {
    // (0, 1): d_ap = 1, the negative at 1.5 is at d_ap + 0.5.
    expect(run(0.5)).toEqual({ anchors: [], positives: [], negatives: [] });
  });
  it('the lower bound is strict: a negative as near as the positive is not semi-hard; ties go to the first index', () => {
    // Anchor 0 at 0, positive 1 at 1; negatives 2 at -1 (tie with the positive), 3 and 4 both at 1.25.
    const got = triplets(mine(new SemiHardMiner({ margin: 0.5 }), [0, 1, -1, 1.25, -1.25], [5, 1], [0, 0, 1, 1, 1]));
    expect(got.anchors[0]).toBe(0);
    expect(got.negatives[0]).toBe(3);
  });
  it('every mined triplet has a hinge loss in (0, margin) at the miner margin', () => {
    const loss = lossValue((x) => minedTripletLoss(x, labels, new SemiHardMiner({ margin: 3 }), { margin: 3 }), [[xs, [5, 1]]]);
    // (0, 1, 3): 1 - 1.5 + 3 = 2.5; (1, 0, 4): 1 - 2 + 3 = 2.
    expectClose([loss], [(2.5 + 2) / 2], 1e-6, 1e-6);
  });
  it('returns no triplet for a single class or all-distinct labels', () => {
    for (const l of [[1, 1, 1], [0, 1, 2]]) expect(mine(new SemiHardMiner({ margin: 10 }), [0, 1, 2], [3, 1], l).anchors.length).toBe(0);
  });
});

describe('SemiHardMiner validation', () => {
  it('rejects a margin that is not a finite number > 0 and a non-distance, naming the argument and the value', () => {
    expect(() => new SemiHardMiner({ margin: 0 })).toThrow('SemiHardMiner: margin must be a finite number > 0, received 0');
    expect(() => new SemiHardMiner({ margin: -1 })).toThrow('SemiHardMiner: margin must be a finite number > 0, received -1');
    expect(() => new SemiHardMiner({ margin: Infinity })).toThrow('SemiHardMiner: margin must be a finite number > 0, received Infinity');
    expect(() => new SemiHardMiner({ margin: '0.2' as unknown as number })).toThrow('SemiHardMiner: margin must be a finite number > 0, received 0.2');
    expect(() => new SemiHardMiner({ distance: {} as EuclideanDistance })).toThrow('SemiHardMiner: distance must be a Distance (with pairwise and paired), received [object Object]');
  });
  it('defaults to margin 0.2 and the Euclidean distance', () => {
    const miner = new SemiHardMiner();
    expect(miner.margin).toBe(0.2);
    expect(miner.distance.name).toBe('euclidean');
    expect(miner.name).toBe('semi-hard');
  });
});
