/**
 * SimCLR (Chen et al. 2020, arXiv:2002.05709): two augmented views of each image go through a
 * shared encoder and projection head; NT-Xent pulls the two views of an image together and pushes
 * the other 2N - 2 views of the batch away (in-batch negatives). The representation used
 * downstream is the encoder's output, before the head (section 4.2 of the paper).
 */
import { type Scalar, type Tensor, tidy } from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batch.js';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { checkTemperature } from '../losses/checks.js';
import { ntXentLoss } from '../losses/ntxent.js';
import { EncoderMethod } from './encoder-method.js';

export interface SimCLROptions {
  /** Encoder: images -> [N, D] representation (e.g. cnnBackbone, resnetBackbone). */
  backbone: LayersModel;
  /** Projection head: [N, D] -> [N, d] (e.g. simclrHead(D, ...)). */
  head: LayersModel;
  /** NT-Xent temperature. Default 0.5 (the paper's CIFAR-10 value). */
  temperature?: number;
}

export class SimCLR extends EncoderMethod {
  readonly name = 'simclr';
  readonly temperature: number;

  constructor(options: SimCLROptions) {
    const { backbone, head, temperature = 0.5 } = options;
    super('SimCLR', backbone, head);
    this.temperature = checkTemperature('SimCLR', temperature);
  }

  loss(batch: Batch): Scalar {
    const { views } = batch;
    if (views.length !== 2) throw new Error(`SimCLR: expects 2 views, received ${views.length}`);
    return tidy(() => ntXentLoss(this.project(views[0], true), this.project(views[1], true), { temperature: this.temperature }));
  }
}
