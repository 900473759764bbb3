/**
 * SimSiam: simple Siamese networks with a stop-gradient.
 *
 * Chen & He, "Exploring Simple Siamese Representation Learning", CVPR 2021,
 * https://arxiv.org/abs/2011.10566 (Algorithm 1, eq. 2).
 *
 * Both views go through one network: backbone + projector f (`simsiamProjector`: 3 layers, BN on
 * the output) giving z, then a bottleneck predictor h (`simsiamPredictor`) giving p. With
 * D = negativeCosineLoss,
 *
 *     L = D(p1, sg(z2)) / 2 + D(p2, sg(z1)) / 2,
 *
 * sg the stop-gradient, which the paper shows is what prevents collapse (section 4.1). No
 * momentum encoder, no negatives. The loss is -1 at its minimum; the collapse monitor records
 * the projections z (not the predictions).
 */
import { type Scalar, type Tensor, type Tensor2D, add, mul, tidy } from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batch.js';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { negativeCosineLoss } from '../losses/negative-cosine.js';
import { stopGradient } from '../ops/stop-gradient.js';
import { EncoderMethod } from './encoder-method.js';

export interface SimSiamOptions {
  /** Encoder: images -> [N, D] representation. */
  backbone: LayersModel;
  /** Projector f's head: [N, D] -> [N, d] (e.g. simsiamProjector(D, ...)). */
  head: LayersModel;
  /** Predictor h: [N, d] -> [N, d] (e.g. simsiamPredictor(d, d / 4, d)). */
  predictor: LayersModel;
}

export class SimSiam extends EncoderMethod {
  readonly name = 'simsiam';
  readonly predictor: LayersModel;

  constructor(options: SimSiamOptions) {
    super('SimSiam', options.backbone, options.head);
    this.predictor = this.addPredictor(options.predictor);
  }

  loss(batch: Batch): Scalar {
    const { views } = batch;
    if (views.length !== 2) throw new Error(`SimSiam: expects 2 views, received ${views.length}`);
    return tidy(() => {
      const z1 = this.project(views[0], true), z2 = this.project(views[1], true); // [N, d]
      const p1 = this.predictor.apply(z1, { training: true }) as Tensor2D, p2 = this.predictor.apply(z2, { training: true }) as Tensor2D;
      return mul(add(negativeCosineLoss(p1, stopGradient(z2)), negativeCosineLoss(p2, stopGradient(z1))), 0.5) as Scalar;
    });
  }
}
