/**
 * Barlow Twins (Zbontar, Jing, Misra, LeCun, Deny 2021, arXiv:2103.03230, https://arxiv.org/abs/2103.03230):
 * two augmented views of each image go through a shared encoder and projector; the loss drives the
 * cross-correlation matrix of the two batches of projections (each dimension standardised over the
 * batch) to the identity. No negatives, no momentum encoder, no predictor: the off-diagonal term
 * (redundancy reduction) is what prevents collapse. The representation used downstream is the
 * encoder's output, before the projector.
 */
import { type Scalar, type Tensor, tidy } from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batch.js';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { barlowTwinsLoss } from '../losses/barlow-twins.js';
import { checkWeight } from '../losses/checks.js';
import { EncoderMethod } from './encoder-method.js';

export interface BarlowTwinsOptions {
  /** Encoder: images -> [N, D] representation (e.g. cnnBackbone, resnetBackbone). */
  backbone: LayersModel;
  /** Projector: [N, D] -> [N, d] (e.g. barlowTwinsHead(D, ...); paper 8192-8192-8192). */
  head: LayersModel;
  /** Weight of the off-diagonal (redundancy-reduction) term. Default 5e-3 (the paper's lambda). */
  lambda?: number;
}

export class BarlowTwins extends EncoderMethod {
  readonly name = 'barlow-twins';
  readonly lambda: number;

  constructor(options: BarlowTwinsOptions) {
    const { backbone, head, lambda = 5e-3 } = options;
    super('BarlowTwins', backbone, head);
    this.lambda = checkWeight('BarlowTwins', 'lambda', lambda);
  }

  /** The Barlow Twins loss of the two views' projections (batches of N >= 2). */
  loss(batch: Batch): Scalar {
    const { views } = batch;
    if (views.length !== 2) throw new Error(`BarlowTwins: expects 2 views, received ${views.length}`);
    return tidy(() => barlowTwinsLoss(this.project(views[0], true), this.project(views[1], true), { lambda: this.lambda }));
  }
}
