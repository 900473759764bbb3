/**
 * Training on scored pairs (STS-style: two sentences and a gold similarity) with CoSENT
 * (losses/cosent.ts, Su 2022): the views of a batch are the pairs' two sentences (`PairViews(2)`),
 * both through the same encoder, and the loss asks the cosines of the batch's pairs to be ordered as
 * their gold scores. The scores are given at construction, one per item of the source the trainer
 * draws from (`pairScores(source)`), and looked up by the batch's item positions.
 */
import { type Scalar, tidy } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Batch } from '../data/batch.js';
import { coSentLoss } from '../losses/cosent.js';
import { identityHead } from '../models/identity-head.js';
import { EncoderMethod } from './encoder-method.js';

export interface CoSENTOptions {
  /** Encoder: items -> [N, D]. */
  backbone: LayersModel;
  /** The gold score of every item of the training source (index = position in the source). */
  scores: ArrayLike<number>;
  /** Projection used only in training. Default none (identity). */
  head?: LayersModel;
  /** Multiplies the cosine differences. Default 20 (the paper's). */
  scale?: number;
}

export class CoSENT extends EncoderMethod {
  readonly name = 'cosent';
  readonly scale: number;
  private readonly scores: Float64Array;

  constructor(options: CoSENTOptions) {
    const { backbone, head, scores, scale = 20 } = options ?? ({} as CoSENTOptions);
    if (!backbone || typeof backbone.apply !== 'function') throw new Error(`CoSENT: backbone is required (a LayersModel), received ${String(backbone)}`);
    super('CoSENT', backbone, head ?? identityHead(backbone.outputs[0].shape.at(-1) as number));
    if (!scores || typeof scores.length !== 'number' || scores.length < 2) throw new Error(`CoSENT: scores must hold one finite number per item (at least 2), received ${scores === undefined ? 'none' : `${scores.length} values`}`);
    this.scores = Float64Array.from(scores);
    const bad = this.scores.findIndex((s) => !Number.isFinite(s));
    if (bad >= 0) throw new Error(`CoSENT: scores must be finite numbers, received ${scores[bad]} at ${bad}`);
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) throw new Error(`CoSENT: scale must be a finite number > 0, received ${JSON.stringify(scale)}`);
    this.scale = scale;
  }

  loss(batch: Batch): Scalar {
    const { views, indices } = batch;
    if (views.length !== 2) throw new Error(`CoSENT: expects 2 views (the two sentences of each pair), received ${views.length}`);
    if (!indices) throw new Error('CoSENT: the batch must carry its items\' positions (indices) to look up their scores');
    const scores = Array.from(indices, (i) => {
      if (!(i >= 0 && i < this.scores.length)) throw new Error(`CoSENT: item ${i} of the batch has no score (scores hold ${this.scores.length} items)`);
      return this.scores[i];
    });
    return tidy(() => coSentLoss(this.project(views[0], true), this.project(views[1], true), scores, { scale: this.scale }));
  }
}
