/**
 * DistanceWeightedMiner: the same draws as a float64 loop driving the same seeded Rng, sampling
 * frequencies against the 1/q(d) weights (chi-square), reproducibility, never a positive, never a
 * negative at d >= nonzeroLossCutoff while a nearer one exists, the fallback, normalisation, the
 * similarity form and option validation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { CosineSimilarity, DistanceWeightedMiner, DotProductSimilarity, EuclideanDistance, minedTripletLoss, Rng } from '../../src/index.js';
import { randomArray } from '../backend/parity.js';
import { BACKENDS, expectAllFinite, lossAndGrads } from '../losses/reference.js';
import { asRows, distances, mine, triplets, unitRows } from './reference.js';

/** The paper's sampling weight 1/q(d) on the unit sphere in R^dim, d clipped below at the cutoff (no logs). */
function weight(d: number, dim: number, cutoff: number, nonzeroLossCutoff: number): number {
  if (!(d < nonzeroLossCutoff)) return 0;
  const c = Math.max(d, cutoff);
  return 1 / (c ** (dim - 2) * (1 - (c * c) / 4) ** ((dim - 3) / 2));
}

/** The miner written the slow obvious way, with float64 distances and its own Rng of the same seed. */
function loopDistanceWeighted(z: number[][], labels: number[], rng: Rng, cutoff = 0.5, nonzeroLossCutoff = 1.4) {
  const d = distances(unitRows(z));
  const dim = z[0].length;
  const out = { anchors: [] as number[], positives: [] as number[], negatives: [] as number[] };
  for (let a = 0; a < z.length; a++) {
    const negatives = z.map((_, k) => k).filter((k) => labels[k] !== labels[a]);
    const w = negatives.map((k) => weight(d[a][k], dim, cutoff, nonzeroLossCutoff));
    const total = w.reduce((s, v) => s + v, 0);
    for (let p = 0; p < z.length; p++) {
      if (p === a || labels[p] !== labels[a] || negatives.length === 0) continue;
      let n: number;
      if (total === 0) {
        n = negatives[rng.int(negatives.length)];
      } else {
        const u = rng.next() * total;
        let i = 0, cumulative = w[0];
        while (cumulative <= u && i < negatives.length - 1) cumulative += w[++i];
        n = negatives[i];
      }
      out.anchors.push(a);
      out.positives.push(p);
      out.negatives.push(n);
    }
  }
  return out;
}

/** A unit vector in R^dim at distance d from e_0, in the plane of e_0 and e_axis. */
function atDistance(d: number, dim: number, axis: number): number[] {
  const cos = 1 - (d * d) / 2;
  const v = new Array(dim).fill(0);
  v[0] = cos;
  v[axis] = Math.sqrt(1 - cos * cos);
  return v;
}

const cases: [number[], number, number][] = [
  // [labels, D, seed]
  [[0, 0, 1, 1], 3, 1],
  [[0, 1, 2, 0, 1, 2, 0, 1], 4, 2],
  [[2, 2, 2, 5, 5, 9, 9, 9, 1], 5, 3],
  [[0, 1, 0, 1, 0, 1, 3, 3, 4, 5, 5, 5], 8, 4],
];

for (const backend of BACKENDS) {
  describe(`DistanceWeightedMiner on ${backend}`, () => {
    for (const [labels, dim, seed] of cases) {
      it(`draws what the float64 loop draws with the same seed, over three calls (labels ${labels}, D=${dim})`, () => {
        tf.setBackend(backend);
        const n = labels.length;
        const miner = new DistanceWeightedMiner({ seed });
        const rng = new Rng(seed);
        for (let call = 0; call < 3; call++) {
          const z = randomArray(n * dim, 401 + 13 * call + 7 * n + dim, -1, 1);
          expect(triplets(mine(miner, z, [n, dim], labels))).toEqual(loopDistanceWeighted(asRows(z, n, dim), labels, rng));
        }
      });
    }
  });
}

describe('DistanceWeightedMiner sampling', () => {
  it('samples negatives with frequencies proportional to 1/q(d) (chi-square, 3 degrees of freedom)', () => {
    // 20 anchors of class 0 at e_0 (380 draws per call); class-1 negatives on the sphere in R^5 at
    // distances 0.3 (clipped to 0.5), 0.7, 1.0, 1.3 and 1.5 (>= 1.4: never drawn).
    const dim = 5, ds = [0.3, 0.7, 1.0, 1.3, 1.5];
    const z = [...Array.from({ length: 20 }, () => atDistance(0, dim, 1)), ...ds.map((d, i) => atDistance(d, dim, 1 + (i % 4)))];
    const labels = [...new Array(20).fill(0), ...new Array(5).fill(1)];
    const miner = new DistanceWeightedMiner({ seed: 7 });
    const counts = new Array(5).fill(0);
    const calls = 60;
    for (let call = 0; call < calls; call++) {
      const t = mine(miner, z.flat(), [25, dim], labels);
      for (let i = 0; i < t.anchors.length; i++) if (t.anchors[i] < 20) counts[t.negatives[i] - 20]++;
    }
    const draws = calls * 20 * 19;
    expect(counts.reduce((s, c) => s + c, 0)).toBe(draws);
    expect(counts[4]).toBe(0);
    const w = ds.slice(0, 4).map((d) => weight(d, dim, 0.5, 1.4));
    const total = w.reduce((s, v) => s + v, 0);
    let chi2 = 0;
    for (let i = 0; i < 4; i++) {
      const expected = (draws * w[i]) / total;
      chi2 += (counts[i] - expected) ** 2 / expected;
    }
    expect(chi2).toBeLessThan(16.27); // the 0.999 quantile of chi-square with 3 degrees of freedom
  });
  it('gives the same weight to every negative nearer than the cutoff', () => {
    const dim = 4, ds = [0.1, 0.3];
    const z = [...Array.from({ length: 10 }, () => atDistance(0, dim, 1)), ...ds.map((d, i) => atDistance(d, dim, 1 + i))];
    const labels = [...new Array(10).fill(0), 1, 1];
    const miner = new DistanceWeightedMiner({ seed: 3 });
    let first = 0, draws = 0;
    for (let call = 0; call < 20; call++) {
      const t = mine(miner, z.flat(), [12, dim], labels);
      for (let i = 0; i < t.anchors.length; i++) {
        if (t.anchors[i] >= 10) continue;
        draws++;
        if (t.negatives[i] === 10) first++;
      }
    }
    expect(draws).toBe(20 * 90);
    expect(Math.abs(first / draws - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / draws));
  });
  it('never returns a positive as a negative, nor a negative at d >= nonzeroLossCutoff while the anchor has a nearer one', () => {
    const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 3, 0, 1, 2, 0, 1];
    const n = labels.length, dim = 6;
    const miner = new DistanceWeightedMiner({ seed: 11 });
    let far = 0;
    for (let call = 0; call < 20; call++) {
      const z = randomArray(n * dim, 500 + call);
      const d = distances(unitRows(asRows(z, n, dim)));
      const t = mine(miner, z, [n, dim], labels);
      expect(t.anchors.length).toBe(labels.reduce((s, l, a) => s + labels.filter((m, p) => m === l && p !== a).length, 0));
      for (let i = 0; i < t.anchors.length; i++) {
        const [a, p, k] = [t.anchors[i], t.positives[i], t.negatives[i]];
        expect(labels[p]).toBe(labels[a]);
        expect(p).not.toBe(a);
        expect(labels[k]).not.toBe(labels[a]);
        const nearer = labels.some((l, j) => l !== labels[a] && d[a][j] < 1.4 - 1e-4);
        if (nearer) expect(d[a][k]).toBeLessThan(1.4 + 1e-4);
        else far++;
      }
    }
    expect(far).toBeLessThan(100); // most anchors have a negative within 1.4 here: the check bites
  });
  it('falls back to a uniform draw among the negatives (never a positive) when all are at d >= nonzeroLossCutoff', () => {
    // Class 0 at e_0, class 1 at -e_0 and near it: every distance across classes is about 2.
    const z = [[1, 0, 0], [1, 0, 0], [-1, 0, 0], [-1, 0.05, 0], [-1, 0, 0.05]];
    const labels = [0, 0, 1, 1, 1];
    const miner = new DistanceWeightedMiner({ seed: 5 });
    const counts = [0, 0, 0];
    for (let call = 0; call < 300; call++) {
      const t = mine(miner, z.flat(), [5, 3], labels);
      for (let i = 0; i < t.anchors.length; i++) {
        expect(labels[t.negatives[i]]).not.toBe(labels[t.anchors[i]]);
        if (t.anchors[i] < 2) counts[t.negatives[i] - 2]++;
      }
    }
    for (const c of counts) expect(Math.abs(c / 600 - 1 / 3)).toBeLessThan(0.07);
  });
  it('returns no triplet for a single class, all-distinct labels or one row, drawing nothing', () => {
    const miner = new DistanceWeightedMiner({ seed: 9 });
    for (const labels of [[4, 4, 4], [0, 1, 2], [7]]) {
      expect(mine(miner, randomArray(labels.length * 3, 6), [labels.length, 3], labels).anchors.length).toBe(0);
    }
    const z = randomArray(12, 8);
    expect(triplets(mine(miner, z, [4, 3], [0, 0, 1, 1]))).toEqual(triplets(mine(new DistanceWeightedMiner({ seed: 9 }), z, [4, 3], [0, 0, 1, 1])));
  });
});

describe('DistanceWeightedMiner reproducibility and options', () => {
  const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2];
  const z = randomArray(12 * 4, 601);
  const run = (miner: DistanceWeightedMiner, values: ArrayLike<number> = z) => triplets(mine(miner, values, [12, 4], labels));
  it('repeats its draws for the same seed and call sequence, and differs across calls and seeds', () => {
    const a = new DistanceWeightedMiner({ seed: 42 }), b = new DistanceWeightedMiner({ seed: 42 }), c = new DistanceWeightedMiner({ seed: 43 });
    const first = run(a), second = run(a);
    expect(run(b)).toEqual(first);
    expect(run(b)).toEqual(second);
    expect(second.negatives).not.toEqual(first.negatives);
    expect(run(c).negatives).not.toEqual(first.negatives);
  });
  it('normalises rows by default (scaled rows draw the same), and uses the rows as given with normalize: false', () => {
    const scaled = z.map((v, i) => v * (1 + (Math.floor(i / 4) % 3)));
    expect(run(new DistanceWeightedMiner({ seed: 1 }), scaled)).toEqual(run(new DistanceWeightedMiner({ seed: 1 })));
    const unit = Float32Array.from(unitRows(asRows(z, 12, 4)).flat());
    expect(run(new DistanceWeightedMiner({ seed: 1, normalize: false }), unit)).toEqual(run(new DistanceWeightedMiner({ seed: 1 })));
  });
  it('turns a similarity into d = sqrt(2 - 2 s): cosine and dot on unit rows draw as the Euclidean distance does', () => {
    const unit = Float32Array.from(unitRows(asRows(z, 12, 4)).flat());
    const want = run(new DistanceWeightedMiner({ seed: 2 }));
    expect(run(new DistanceWeightedMiner({ seed: 2, distance: new CosineSimilarity() }))).toEqual(want);
    expect(run(new DistanceWeightedMiner({ seed: 2, distance: new DotProductSimilarity() }), unit)).toEqual(want);
  });
  it('feeds minedTripletLoss with a finite loss and gradient and no leaks', () => {
    const miner = new DistanceWeightedMiner({ seed: 3 });
    const got = lossAndGrads((x) => minedTripletLoss(x, labels, miner, { margin: 0.2 }), [[z, [12, 4]]]);
    expectAllFinite([got.value, ...got.grads[0]]);
    expect(got.value).toBeGreaterThan(0);
  });
  it('rejects bad options, naming the argument, the expected and the received value', () => {
    expect(() => new DistanceWeightedMiner({ cutoff: -1 })).toThrow('DistanceWeightedMiner: cutoff must be a finite number >= 0, received -1');
    expect(() => new DistanceWeightedMiner({ cutoff: NaN })).toThrow('DistanceWeightedMiner: cutoff must be a finite number >= 0, received NaN');
    expect(() => new DistanceWeightedMiner({ nonzeroLossCutoff: 0 })).toThrow('DistanceWeightedMiner: nonzeroLossCutoff must be a finite number > 0, received 0');
    expect(() => new DistanceWeightedMiner({ nonzeroLossCutoff: Infinity })).toThrow('DistanceWeightedMiner: nonzeroLossCutoff must be a finite number > 0, received Infinity');
    expect(() => new DistanceWeightedMiner({ seed: 0.5 })).toThrow('DistanceWeightedMiner: seed must be an integer, received 0.5');
    expect(() => new DistanceWeightedMiner({ normalize: 1 as unknown as boolean })).toThrow('DistanceWeightedMiner: normalize must be a boolean, received 1');
    expect(() => new DistanceWeightedMiner({ distance: new EuclideanDistance({ squared: true }) })).toThrow(
      'DistanceWeightedMiner: distance must be the plain Euclidean distance or a similarity, received squared-euclidean',
    );
    const miner = new DistanceWeightedMiner();
    expect([miner.cutoff, miner.nonzeroLossCutoff, miner.seed, miner.normalize, miner.distance.name, miner.name]).toEqual([0.5, 1.4, 0, true, 'euclidean', 'distance-weighted']);
  });
});
