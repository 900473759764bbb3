/**
 * Hard negative pair mining for contrastive (siamese) losses: every positive pair, and for each
 * anchor its k nearest negatives.
 *
 * Simo-Serra, Trulls, Ferraz, Kokkinos, Fua, Moreno-Noguer, "Discriminative Learning of Deep
 * Convolutional Feature Point Descriptors", ICCV 2015 (preprint "Fracking Deep Convolutional Image
 * Descriptors", https://arxiv.org/abs/1412.6537): hard negative mining for a siamese network with a
 * pairwise hinge loss. In the style of pytorch-metric-learning's `PairMarginMiner`, with a count of
 * negatives per anchor instead of distance thresholds.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Distance } from '../distances/distance.js';
import type { Labels } from '../losses/checks.js';
import { minerDistance, readBatch, type MinerOptions, type PairIndices, type PairMiner } from './miner.js';

/** Options of {@link HardNegativePairMiner}. */
export interface HardNegativePairMinerOptions extends MinerOptions {
  /** k >= 1: the nearest negatives kept per anchor (all of them when the anchor has fewer). Default 1. */
  negativesPerAnchor?: number;
}

/**
 * Ordered pairs of a labelled batch, positives first:
 *
 * 1. every positive pair (a, p), a != p, same label, in row-major order (both (a, p) and (p, a)),
 *    similar = 1;
 * 2. then for each anchor a in increasing order, its min(k, #negatives) nearest negatives (a, n),
 *    nearest first, the lower index first on ties, similar = 0. Anchors without positives still get
 *    their negative pairs. A pair (a, n) and its mirror (n, a) can both appear.
 *
 * At most N(N - 1) positive pairs and N k negative pairs.
 *
 * @example
 * const miner = new HardNegativePairMiner({ negativesPerAnchor: 2 });
 * const loss = pairContrastiveLoss(z, miner.mine(z, labels), { margin: 1 });
 */
export class HardNegativePairMiner implements PairMiner {
  readonly name = 'hard-negative-pair';
  readonly distance: Distance;
  readonly negativesPerAnchor: number;

  constructor(options: HardNegativePairMinerOptions = {}) {
    this.distance = minerDistance('HardNegativePairMiner', options);
    const { negativesPerAnchor = 1 } = options;
    if (typeof negativesPerAnchor !== 'number' || !Number.isInteger(negativesPerAnchor) || negativesPerAnchor < 1) {
      throw new Error(`HardNegativePairMiner: negativesPerAnchor must be an integer >= 1, received ${String(negativesPerAnchor)}`);
    }
    this.negativesPerAnchor = negativesPerAnchor;
  }

  /** embeddings [N, D], labels [N] -> the positive pairs, then up to k negative pairs per anchor. */
  mine(embeddings: tf.Tensor2D, labels: Labels): PairIndices {
    const { n, d, labels: y } = readBatch('HardNegativePairMiner.mine', this.distance, embeddings, labels);
    const anchors: number[] = [], others: number[] = [], similar: number[] = [];
    for (let a = 0; a < n; a++) {
      for (let p = 0; p < n; p++) {
        if (p === a || y[p] !== y[a]) continue;
        anchors.push(a);
        others.push(p);
        similar.push(1);
      }
    }
    for (let a = 0; a < n; a++) {
      const negatives: number[] = [];
      for (let k = 0; k < n; k++) if (y[k] !== y[a]) negatives.push(k);
      // Stable order by distance, then index: the first index wins ties.
      negatives.sort((i, j) => d[a * n + i] - d[a * n + j] || i - j);
      for (const k of negatives.slice(0, this.negativesPerAnchor)) {
        anchors.push(a);
        others.push(k);
        similar.push(0);
      }
    }
    return { anchors: Int32Array.from(anchors), others: Int32Array.from(others), similar: Uint8Array.from(similar) };
  }
}
