/**
 * MoCo v3: momentum contrast with in-batch keys and a predictor.
 *
 * Chen, Xie, He, "An Empirical Study of Training Self-Supervised Vision Transformers", ICCV 2021,
 * https://arxiv.org/abs/2104.02057 (Algorithm 1, section 4).
 *
 * Each view goes through the online backbone + projector (`mocoV3Projector`) + predictor
 * (`mocoV3Predictor`), giving queries q1, q2, and through the momentum encoder (backbone +
 * projector, see MomentumMethod), giving keys k1, k2. There is no queue: the keys of the other
 * items of the batch are the negatives. The loss is the paper's symmetrised
 *
 *     L = ctr(q1, k2) + ctr(q2, k1),  ctr(q, k) = 2T CE(q k^T / T, identity)
 *
 * (q, k L2-normalised; `infoNceLoss` with in-batch negatives is CE(q k^T / T, identity); the
 * factor 2T is the official code's, which makes the gradient's scale independent of T).
 *
 * Defaults: T = 0.2 (the paper's ViT setting; the official ResNet-50 recipe uses T = 1.0);
 * momentum m = 0.99 on a cosine schedule to 1 (section 4 and the official code).
 */
import { type Scalar, type Tensor, add, mul, tidy } from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batch.js';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { checkTemperature } from '../losses/checks.js';
import { infoNceLoss } from '../losses/infonce.js';
import { MomentumMethod, type MomentumEncoderOptions } from './momentum-method.js';

export interface MoCoV3Options extends MomentumEncoderOptions {
  /** Predictor on the query branch: [N, d] -> [N, d] (e.g. mocoV3Predictor(d, ...)). */
  predictor: LayersModel;
  /** InfoNCE temperature. Default 0.2 (the paper's ViT value; ResNet-50: 1.0). */
  temperature?: number;
}

export class MoCoV3 extends MomentumMethod {
  readonly name = 'mocov3';
  readonly temperature: number;
  readonly predictor: LayersModel;

  /** Momentum m = 0.99 on a cosine schedule to 1 (the paper's), unless options say otherwise. */
  constructor(options: MoCoV3Options) {
    super('MoCoV3', options, { momentum: 0.99, momentumSchedule: 'cosine' });
    const { predictor, temperature = 0.2 } = options;
    this.predictor = this.addPredictor(predictor);
    this.temperature = checkTemperature('MoCoV3', temperature);
  }

  loss(batch: Batch): Scalar {
    const { views } = batch;
    if (views.length !== 2) throw new Error(`MoCoV3: expects 2 views, received ${views.length}`);
    return tidy(() => {
      const q1 = this.predictView(this.predictor, views[0]), q2 = this.predictView(this.predictor, views[1]); // [N, d]
      const k1 = this.targetProject(views[0]), k2 = this.targetProject(views[1]); // [N, d], no gradient
      const options = { temperature: this.temperature };
      return mul(add(infoNceLoss(q1, k2, undefined, options), infoNceLoss(q2, k1, undefined, options)), 2 * this.temperature) as Scalar;
    });
  }
}
