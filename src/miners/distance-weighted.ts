/**
 * Distance-weighted negative sampling on the unit sphere.
 *
 * Wu, Manmatha, Smola, Krähenbühl, "Sampling Matters in Deep Embedding Learning", ICCV 2017,
 * https://arxiv.org/abs/1706.07567 (section 4). Pairwise distances between points spread uniformly
 * on the unit sphere in R^n follow
 *
 *     q(d) ∝ d^(n-2) (1 - d^2 / 4)^((n-3)/2),       0 < d <= 2,
 *
 * which concentrates near sqrt(2) in high dimension, so uniform negatives are almost all "easy". The
 * paper samples each negative with probability ∝ 1 / q(d) instead, d clipped below at a cutoff
 * (0.5) to bound the variance, and never a negative at d >= 1.4, whose margin loss is 0 anyway.
 * Following the paper's MXNet reference implementation and pytorch-metric-learning's
 * `DistanceWeightedMiner`, the weights are computed in log space,
 *
 *     log w = (2 - n) log d - ((n - 3) / 2) log(1 - d^2 / 4),   d = max(d, cutoff),
 *
 * and exponentiated after subtracting the anchor's largest log weight.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Distance } from '../distances/distance.js';
import { EuclideanDistance } from '../distances/euclidean.js';
import type { Labels } from '../losses/checks.js';
import { Rng } from '../util/random.js';
import { minerDistance, readBatch, type MinerOptions, type TripletIndices, type TripletMiner } from './miner.js';

/** Options of {@link DistanceWeightedMiner}. */
export interface DistanceWeightedMinerOptions extends MinerOptions {
  /** Distances below this count as this in the weights (bounds the weight of near negatives). Default 0.5 (paper). */
  cutoff?: number;
  /** Negatives at this distance or farther get weight 0. Default 1.4 (paper). */
  nonzeroLossCutoff?: number;
  /** Seed of the miner's random generator. Default 0. */
  seed?: number;
  /** Scale the rows to unit length before measuring distances. Default true (a no-op on unit rows). */
  normalize?: boolean;
}

/**
 * For each ordered positive pair (a, p), a != p, in row-major order, one negative n of the anchor
 * drawn at random with probability w(d_an) / sum_k w(d_ak) over the anchor's negatives k, where
 *
 *     w(d) = 1 / q(max(d, cutoff))  if d < nonzeroLossCutoff,   else 0,
 *
 * with n = D, the embedding dimension, in q (see the file comment). Negatives whose log weight is
 * not finite (d = 0 with cutoff 0, or d >= 2 when nonzeroLossCutoff > 2) get weight 0 too, as in
 * pytorch-metric-learning. When no negative of the anchor has a weight > 0 (all at distance
 * >= nonzeroLossCutoff), the negative is drawn uniformly among the anchor's negatives (the MXNet
 * reference draws uniformly over the whole batch, positives included). Anchors without a positive
 * or without a negative give no triplet. A negative is never a row of the anchor's class.
 *
 * The weights assume Euclidean distances between unit vectors: rows are normalised first unless
 * `normalize: false` (then pass unit rows). The default distance is Euclidean; a similarity s
 * (isInverted, e.g. cosine, or dot on unit rows) is turned into d = sqrt(max(0, 2 - 2 s)), exact
 * for unit rows; squared Euclidean is rejected.
 *
 * Random draws come from the miner's own generator (this repo's mulberry32 `Rng`), seeded at
 * construction and advanced by each `mine` call: one draw per returned triplet, so two miners with
 * the same seed return the same triplets for the same sequence of calls.
 *
 * @example
 * const miner = new DistanceWeightedMiner({ seed: 1 });
 * const loss = minedTripletLoss(normalizeRows(z), labels, miner, { margin: 0.2 });
 */
export class DistanceWeightedMiner implements TripletMiner {
  readonly name = 'distance-weighted';
  readonly distance: Distance;
  readonly cutoff: number;
  readonly nonzeroLossCutoff: number;
  readonly seed: number;
  readonly normalize: boolean;
  private readonly rng: Rng;

  constructor(options: DistanceWeightedMinerOptions = {}) {
    const caller = 'DistanceWeightedMiner';
    this.distance = minerDistance(caller, options);
    if (this.distance instanceof EuclideanDistance && this.distance.squared) {
      throw new Error(`${caller}: distance must be the plain Euclidean distance or a similarity, received ${this.distance.name}`);
    }
    const { cutoff = 0.5, nonzeroLossCutoff = 1.4, seed = 0, normalize = true } = options;
    if (typeof cutoff !== 'number' || !Number.isFinite(cutoff) || cutoff < 0) {
      throw new Error(`${caller}: cutoff must be a finite number >= 0, received ${String(cutoff)}`);
    }
    if (typeof nonzeroLossCutoff !== 'number' || !Number.isFinite(nonzeroLossCutoff) || nonzeroLossCutoff <= 0) {
      throw new Error(`${caller}: nonzeroLossCutoff must be a finite number > 0, received ${String(nonzeroLossCutoff)}`);
    }
    if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new Error(`${caller}: seed must be an integer, received ${String(seed)}`);
    if (typeof normalize !== 'boolean') throw new Error(`${caller}: normalize must be a boolean, received ${String(normalize)}`);
    this.cutoff = cutoff;
    this.nonzeroLossCutoff = nonzeroLossCutoff;
    this.seed = seed;
    this.normalize = normalize;
    this.rng = new Rng(seed);
  }

  /** embeddings [N, D], labels [N] -> one sampled triplet per ordered positive pair of an anchor with negatives. */
  mine(embeddings: tf.Tensor2D, labels: Labels): TripletIndices {
    const { n, d, labels: y } = readBatch('DistanceWeightedMiner.mine', this.distance, embeddings, labels, this.normalize);
    const dim = embeddings.shape[1];
    const inverted = this.distance.isInverted;
    const anchors: number[] = [], positives: number[] = [], negatives: number[] = [];
    for (let a = 0; a < n; a++) {
      const candidates: number[] = [], logWeights: number[] = [], all: number[] = [];
      let hasPositive = false;
      for (let k = 0; k < n; k++) {
        if (y[k] === y[a]) {
          if (k !== a) hasPositive = true;
          continue;
        }
        all.push(k);
        const dak = inverted ? Math.sqrt(Math.max(0, 2 + 2 * d[a * n + k])) : d[a * n + k]; // d holds -s for a similarity
        if (!(dak < this.nonzeroLossCutoff)) continue;
        const clipped = Math.max(dak, this.cutoff);
        const logWeight = (2 - dim) * Math.log(clipped) - ((dim - 3) / 2) * Math.log(1 - 0.25 * clipped * clipped);
        if (!Number.isFinite(logWeight)) continue;
        candidates.push(k);
        logWeights.push(logWeight);
      }
      if (!hasPositive || all.length === 0) continue;
      // Cumulative weights, the largest log weight subtracted (the largest weight is 1).
      const top = Math.max(...logWeights);
      const cumulative = new Float64Array(candidates.length);
      let total = 0;
      for (let i = 0; i < candidates.length; i++) cumulative[i] = total += Math.exp(logWeights[i] - top);
      for (let p = 0; p < n; p++) {
        if (p === a || y[p] !== y[a]) continue;
        let k: number;
        if (candidates.length === 0) {
          k = all[this.rng.int(all.length)];
        } else {
          // The first candidate whose cumulative weight exceeds u (binary search).
          const u = this.rng.next() * total;
          let lo = 0, hi = candidates.length - 1;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (cumulative[mid] > u) hi = mid;
            else lo = mid + 1;
          }
          k = candidates[lo];
        }
        anchors.push(a);
        positives.push(p);
        negatives.push(k);
      }
    }
    return { anchors: Int32Array.from(anchors), positives: Int32Array.from(positives), negatives: Int32Array.from(negatives) };
  }
}
