/**
 * BYOL: bootstrap your own latent.
 *
 * Grill et al., "Bootstrap Your Own Latent: A New Approach to Self-Supervised Learning", NeurIPS
 * 2020, https://arxiv.org/abs/2006.07733 (section 3.1, Algorithm 1).
 *
 * The online network (backbone + projector `byolProjector` + predictor `byolPredictor`) predicts
 * the target network's projection of the other view; the target (backbone + projector) is an
 * exponential moving average of the online one (see MomentumMethod) and receives no gradient.
 * With p the online predictions and z' the target projections,
 *
 *     L = byolLoss(p1, sg(z2')) + byolLoss(p2, sg(z1')),  byolLoss(p, z) = mean_i (2 - 2 cos(p_i, z_i))
 *
 * (eq. 2 and its symmetrisation). No negatives: the predictor and the slow target keep it from
 * collapsing. The collapse monitor records the online projections z (not the predictions).
 *
 * Defaults: tau = 0.99 on a cosine schedule to 1, tau_k = 1 - (1 - tau_base)(cos(pi k / K) + 1) / 2
 * (section 3.2; the paper's ImageNet tau_base is 0.996 at batch 4096, 0.99 is lightly's
 * small-data value).
 */
import { type Scalar, type Tensor, add, tidy } from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batch.js';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { byolLoss } from '../losses/byol.js';
import { MomentumMethod, type MomentumEncoderOptions } from './momentum-method.js';

export interface BYOLOptions extends MomentumEncoderOptions {
  /** Predictor of the online branch: [N, d] -> [N, d] (e.g. byolPredictor(d, ...)). */
  predictor: LayersModel;
}

export class BYOL extends MomentumMethod {
  readonly name = 'byol';
  readonly predictor: LayersModel;

  /** Momentum tau = 0.99 on a cosine schedule to 1, unless options say otherwise. */
  constructor(options: BYOLOptions) {
    super('BYOL', options, { momentum: 0.99, momentumSchedule: 'cosine' });
    this.predictor = this.addPredictor(options.predictor);
  }

  loss(batch: Batch): Scalar {
    const { views } = batch;
    if (views.length !== 2) throw new Error(`BYOL: expects 2 views, received ${views.length}`);
    return tidy(() => {
      const p1 = this.predictView(this.predictor, views[0]), p2 = this.predictView(this.predictor, views[1]); // [N, d]
      const z1 = this.targetProject(views[0]), z2 = this.targetProject(views[1]); // [N, d], no gradient
      return add(byolLoss(p1, z2), byolLoss(p2, z1)) as Scalar;
    });
  }
}
