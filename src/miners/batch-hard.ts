/**
 * Batch-hard mining: for each anchor its farthest positive and its nearest negative in the batch.
 *
 * Hermans, Beyer, Leibe, "In Defense of the Triplet Loss for Person Re-Identification", 2017,
 * https://arxiv.org/abs/1703.07737 (section 2, "batch hard"). pytorch-metric-learning's
 * `BatchHardMiner` without its distance thresholds.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Distance } from '../distances/distance.js';
import type { Labels } from '../losses/checks.js';
import { minerDistance, readBatch, type MinerOptions, type TripletIndices, type TripletMiner } from './miner.js';
import { hardestTriplets } from './triplet-indices.js';

/** Options of {@link BatchHardMiner}. */
export type BatchHardMinerOptions = MinerOptions;

/**
 * One triplet per anchor a that has at least one positive and one negative: (a, the positive with
 * the largest d_ap, the negative with the smallest d_an), the first index on ties, anchors in
 * increasing order. Anchors without a positive or without a negative are skipped. The triplets are
 * those of `batchHardTripletLoss`: `indexedTripletLoss(z, miner.mine(z, y))` is
 * `batchHardTripletLoss(z, y)`.
 *
 * @example
 * const miner = new BatchHardMiner();
 * const loss = minedTripletLoss(z, labels, miner, { margin: 0.2 });
 */
export class BatchHardMiner implements TripletMiner {
  readonly name = 'batch-hard';
  readonly distance: Distance;

  constructor(options: BatchHardMinerOptions = {}) {
    this.distance = minerDistance('BatchHardMiner', options);
  }

  /** embeddings [N, D], labels [N] -> at most N triplets. */
  mine(embeddings: tf.Tensor2D, labels: Labels): TripletIndices {
    const { d, labels: y } = readBatch('BatchHardMiner.mine', this.distance, embeddings, labels);
    return hardestTriplets(d, y);
  }
}
