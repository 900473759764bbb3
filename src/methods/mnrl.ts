/**
 * Training on given pairs with MultipleNegativesRankingLoss (losses/mnrl.ts): the views of a batch
 * are the fields of its pairs (`PairViews`: view 0 anchors, view 1 positives, view 2 hard
 * negatives), every view goes through the same encoder (a siamese / bi-encoder: Reimers & Gurevych
 * 2019, Sentence-BERT, https://arxiv.org/abs/1908.10084), and each anchor must pick its positive
 * among all positives and hard negatives of the batch (scale 20 = T 0.05). With (premise,
 * entailment, contradiction) triplets from NLI this is supervised SimCSE (Gao et al. 2021, section 4).
 * Sample batches with `NoDuplicatesSampler` so a text is never its own negative.
 */
import { type Scalar, tidy } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Batch } from '../data/batch.js';
import { mnrlLoss } from '../losses/mnrl.js';
import { identityHead } from '../models/identity-head.js';
import { EncoderMethod } from './encoder-method.js';

export interface MNRLOptions {
  /** Encoder: items -> [N, D]. */
  backbone: LayersModel;
  /** Projection used only in training. Default none (identity). */
  head?: LayersModel;
  /** Inverse temperature. Default 20 (sentence-transformers). */
  scale?: number;
  /** Both directions, averaged (MultipleNegativesSymmetricRankingLoss). Default false. */
  symmetric?: boolean;
}

export class MNRL extends EncoderMethod {
  readonly name = 'mnrl';
  readonly scale: number;
  readonly symmetric: boolean;

  constructor(options: MNRLOptions) {
    const { backbone, head, scale = 20, symmetric = false } = options ?? ({} as MNRLOptions);
    if (!backbone || typeof backbone.apply !== 'function') throw new Error(`MNRL: backbone is required (a LayersModel), received ${String(backbone)}`);
    super('MNRL', backbone, head ?? identityHead(backbone.outputs[0].shape.at(-1) as number));
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) throw new Error(`MNRL: scale must be a finite number > 0, received ${JSON.stringify(scale)}`);
    if (typeof symmetric !== 'boolean') throw new Error(`MNRL: symmetric must be a boolean, received ${JSON.stringify(symmetric)}`);
    this.scale = scale;
    this.symmetric = symmetric;
  }

  loss(batch: Batch): Scalar {
    const { views } = batch;
    if (views.length !== 2 && views.length !== 3) throw new Error(`MNRL: expects 2 views (anchor, positive) or 3 (with a hard negative), received ${views.length}`);
    return tidy(() => {
      const [a, p] = [this.project(views[0], true), this.project(views[1], true)];
      const n = views.length === 3 ? this.project(views[2], true) : undefined;
      return mnrlLoss(a, p, n, { scale: this.scale, symmetric: this.symmetric });
    });
  }
}
