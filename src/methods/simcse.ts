/**
 * SimCSE, unsupervised (Gao, Yao, Chen 2021, "SimCSE: Simple Contrastive Learning of Sentence
 * Embeddings", https://arxiv.org/abs/2104.08821, section 3): each sentence is encoded twice in
 * training mode, and the encoder's dropout masks alone make the two embeddings differ: the pair is
 * a positive, the other sentences of the batch are negatives (InfoNCE, one direction):
 *
 *     l_i = -log( exp(cos(h_i, h_i^+) / T) / sum_j exp(cos(h_i, h_j^+) / T) ),   T = 0.05
 *
 * Use it with identity views (`TextViews()` or `identityViews(2)`) and an encoder with dropout
 * (the transformer's 0.1, BERT's value); SimCSE found this better than crops, word deletion or
 * synonym swaps (table 2). The paper trains with an MLP over [CLS] and drops it at test time; with
 * `head` omitted the loss sees the pooled embeddings themselves (sentence-transformers' recipe:
 * MNRL on (s, s) pairs, mean pooling). With 3 views, (premise, entailment, contradiction)
 * triplets, it is supervised SimCSE (section 4): see `loss`.
 */
import { type Scalar, tidy } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Batch } from '../data/batch.js';
import { checkTemperature } from '../losses/checks.js';
import { infoNceLoss } from '../losses/infonce.js';
import { mnrlLoss } from '../losses/mnrl.js';
import { identityHead } from '../models/identity-head.js';
import { EncoderMethod } from './encoder-method.js';

export interface SimCSEOptions {
  /** Encoder with dropout: items -> [N, D] (e.g. a transformer with mean pooling). */
  backbone: LayersModel;
  /** Projection used only in training (the paper's MLP). Default none (identity). */
  head?: LayersModel;
  /** InfoNCE temperature. Default 0.05 (the paper's). */
  temperature?: number;
}

export class SimCSE extends EncoderMethod {
  readonly name = 'simcse';
  readonly temperature: number;

  constructor(options: SimCSEOptions) {
    const { backbone, head, temperature = 0.05 } = options ?? ({} as SimCSEOptions);
    if (!backbone || typeof backbone.apply !== 'function') throw new Error(`SimCSE: backbone is required (a LayersModel), received ${String(backbone)}`);
    super('SimCSE', backbone, head ?? identityHead(backbone.outputs[0].shape.at(-1) as number));
    this.temperature = checkTemperature('SimCSE', temperature);
  }

  /**
   * 2 views (the same texts twice): unsupervised SimCSE. 3 views (premise, entailment,
   * contradiction: `PairViews(3)` over triplets): supervised SimCSE (section 4, eq. 5): each
   * premise must pick its entailment among every entailment and contradiction of the batch,
   * `-log e^{cos(h_i, h_i+)/T} / sum_j (e^{cos(h_i, h_j+)/T} + e^{cos(h_i, h_j-)/T})`, MNRL's loss
   * with hard negatives at scale 1/T.
   */
  loss(batch: Batch): Scalar {
    const { views } = batch;
    if (views.length !== 2 && views.length !== 3) throw new Error(`SimCSE: expects 2 views (the same texts twice) or 3 (premise, entailment, contradiction), received ${views.length}`);
    if (views.length === 3) return tidy(() => mnrlLoss(this.project(views[0], true), this.project(views[1], true), this.project(views[2], true), { scale: 1 / this.temperature }));
    return tidy(() => infoNceLoss(this.project(views[0], true), this.project(views[1], true), undefined, { temperature: this.temperature }));
  }
}
