/**
 * VICReg (Bardes, Ponce, LeCun 2022, arXiv:2105.04906, https://arxiv.org/abs/2105.04906): two
 * augmented views of each image go through a shared encoder and expander; the loss keeps the two
 * embeddings of an image close (invariance), every dimension's deviation over the batch above 1
 * (variance) and the dimensions decorrelated (covariance). Each branch is regularised on its own,
 * so no negatives, momentum encoder, predictor or batch-wise normalisation of the embeddings are
 * needed. The representation used downstream is the encoder's output, before the expander.
 */
import { type Scalar, type Tensor, tidy } from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batch.js';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { checkWeight } from '../losses/checks.js';
import { vicregLoss } from '../losses/vicreg.js';
import { EncoderMethod } from './encoder-method.js';

export interface VICRegOptions {
  /** Encoder: images -> [N, D] representation (e.g. cnnBackbone, resnetBackbone). */
  backbone: LayersModel;
  /** Expander: [N, D] -> [N, d] (e.g. vicregHead(D, ...); paper 8192-8192-8192). */
  head: LayersModel;
  /** lambda, weight of the invariance term. Default 25 (the paper's). */
  invarianceWeight?: number;
  /** mu, weight of the variance term. Default 25 (the paper's). */
  varianceWeight?: number;
  /** nu, weight of the covariance term. Default 1 (the paper's). */
  covarianceWeight?: number;
}

export class VICReg extends EncoderMethod {
  readonly name = 'vicreg';
  readonly invarianceWeight: number;
  readonly varianceWeight: number;
  readonly covarianceWeight: number;

  constructor(options: VICRegOptions) {
    const { backbone, head, invarianceWeight = 25, varianceWeight = 25, covarianceWeight = 1 } = options;
    super('VICReg', backbone, head);
    this.invarianceWeight = checkWeight('VICReg', 'invarianceWeight', invarianceWeight);
    this.varianceWeight = checkWeight('VICReg', 'varianceWeight', varianceWeight);
    this.covarianceWeight = checkWeight('VICReg', 'covarianceWeight', covarianceWeight);
  }

  /** The VICReg loss of the two views' embeddings (batches of N >= 2). */
  loss(batch: Batch): Scalar {
    const { views } = batch;
    if (views.length !== 2) throw new Error(`VICReg: expects 2 views, received ${views.length}`);
    const { invarianceWeight, varianceWeight, covarianceWeight } = this;
    return tidy(() => vicregLoss(this.project(views[0], true), this.project(views[1], true), { invarianceWeight, varianceWeight, covarianceWeight }));
  }
}
