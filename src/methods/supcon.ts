/**
 * SupCon (Khosla et al. 2020, "Supervised Contrastive Learning", https://arxiv.org/abs/2004.11362):
 * the views of all items of a batch go through the shared encoder and projection head; the loss
 * pulls together every pair of rows with the same label (both views of an item and different
 * items of one class) and pushes the other rows away (`supConLoss`, L_out). The representation
 * used downstream is the encoder's output, before the head, as in SimCLR. Batches should hold
 * several items per class (MPerClassSampler); anchors without a positive add nothing.
 */
import { type Scalar, type Tensor, tidy } from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batch.js';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { checkTemperature } from '../losses/checks.js';
import { supConLoss } from '../losses/supcon.js';
import { EncoderMethod } from './encoder-method.js';
import { repeatLabels } from './labels.js';

export interface SupConMethodOptions {
  /** Encoder: images -> [N, D] representation. */
  backbone: LayersModel;
  /** Projection head: [N, D] -> [N, d]. */
  head: LayersModel;
  /** SupCon temperature. Default 0.1 (the paper's CIFAR and ImageNet setting, section 4 and appendix). */
  temperature?: number;
}

export class SupCon extends EncoderMethod {
  readonly name = 'supcon';
  override readonly usesLabels = true;
  readonly temperature: number;

  constructor(options: SupConMethodOptions) {
    const { backbone, head, temperature = 0.1 } = options;
    super('SupCon', backbone, head);
    this.temperature = checkTemperature('SupCon', temperature);
  }

  /** views: V >= 1 tensors [N, ...]; labels: N classes, one per item (repeated for its V views). */
  loss(batch: Batch): Scalar {
    const { views } = batch;
    const y = repeatLabels('SupCon', batch);
    return tidy(() => supConLoss(this.projectViews(views), y, { temperature: this.temperature }));
  }
}
