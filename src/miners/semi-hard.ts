/**
 * Semi-hard negative mining (FaceNet): for each anchor-positive pair, a negative farther than the
 * positive but still inside the margin.
 *
 * Schroff, Kalenichenko, Philbin, "FaceNet: A Unified Embedding for Face Recognition and
 * Clustering", CVPR 2015, https://arxiv.org/abs/1503.03832 (section 3.2: negatives with
 * d_ap < d_an that "lie inside the margin alpha").
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Distance } from '../distances/distance.js';
import type { Labels } from '../losses/checks.js';
import { minerDistance, readBatch, type MinerOptions, type TripletIndices, type TripletMiner } from './miner.js';

/** Options of {@link SemiHardMiner}. */
export interface SemiHardMinerOptions extends MinerOptions {
  /** alpha > 0: a negative is semi-hard when d_ap < d_an < d_ap + alpha. Default 0.2 (FaceNet). */
  margin?: number;
}

/**
 * For each ordered positive pair (a, p), a != p, in row-major order: the semi-hard negative
 * closest to the anchor, i.e. the n with the smallest d_an among those with
 * d_ap < d_an < d_ap + margin (the first index on ties). A pair with no semi-hard negative is
 * skipped: no fallback to the hardest or the farthest negative (unlike `semiHardTripletLoss`, which
 * follows TensorFlow Addons), so every returned triplet has a triplet loss in (0, margin) at this
 * margin. pytorch-metric-learning's `TripletMarginMiner(type_of_triplets='semihard')` instead
 * returns every semi-hard triplet; this keeps one per pair, FaceNet's choice.
 *
 * With a similarity (isInverted) d = -s, so the condition reads s_ap > s_an > s_ap - margin.
 *
 * @example
 * const miner = new SemiHardMiner({ margin: 0.2 });
 * const loss = minedTripletLoss(z, labels, miner, { margin: 0.2 });
 */
export class SemiHardMiner implements TripletMiner {
  readonly name = 'semi-hard';
  readonly distance: Distance;
  readonly margin: number;

  constructor(options: SemiHardMinerOptions = {}) {
    this.distance = minerDistance('SemiHardMiner', options);
    const { margin = 0.2 } = options;
    if (typeof margin !== 'number' || !Number.isFinite(margin) || margin <= 0) {
      throw new Error(`SemiHardMiner: margin must be a finite number > 0, received ${String(margin)}`);
    }
    this.margin = margin;
  }

  /** embeddings [N, D], labels [N] -> at most one triplet per ordered positive pair. */
  mine(embeddings: tf.Tensor2D, labels: Labels): TripletIndices {
    const { n, d, labels: y } = readBatch('SemiHardMiner.mine', this.distance, embeddings, labels);
    const anchors: number[] = [], positives: number[] = [], negatives: number[] = [];
    for (let a = 0; a < n; a++) {
      for (let p = 0; p < n; p++) {
        if (p === a || y[p] !== y[a]) continue;
        const dap = d[a * n + p];
        let best = -1;
        for (let k = 0; k < n; k++) {
          if (y[k] === y[a]) continue;
          const dan = d[a * n + k];
          if (dan > dap && dan < dap + this.margin && (best < 0 || dan < d[a * n + best])) best = k;
        }
        if (best < 0) continue;
        anchors.push(a);
        positives.push(p);
        negatives.push(best);
      }
    }
    return { anchors: Int32Array.from(anchors), positives: Int32Array.from(positives), negatives: Int32Array.from(negatives) };
  }
}
