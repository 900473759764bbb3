/**
 * SimCLR (Chen et al. 2020, arXiv:2002.05709): two augmented views of each image go through a
 * shared encoder and projection head; NT-Xent pulls the two views of an image together and pushes
 * the other 2N - 2 views of the batch away (in-batch negatives). The representation used
 * downstream is the encoder's output, before the head (section 4.2 of the paper).
 */
import { type Optimizer, type Scalar, type Tensor, type Tensor2D, type Variable, tidy } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ntXentLoss } from '../losses/ntxent.js';
import type { Method } from './method.js';

export interface SimCLROptions {
  /** Encoder: images -> [N, D] representation (e.g. cnnBackbone, resnetBackbone). */
  backbone: LayersModel;
  /** Projection head: [N, D] -> [N, d] (e.g. simclrHead(D, ...)). */
  head: LayersModel;
  /** NT-Xent temperature. Default 0.5 (the paper's CIFAR-10 value). */
  temperature?: number;
}

export class SimCLR implements Method {
  readonly name = 'simclr';
  readonly backbone: LayersModel;
  readonly head: LayersModel;
  readonly temperature: number;

  constructor(options: SimCLROptions) {
    const { backbone, head, temperature = 0.5 } = options;
    if (!backbone || !head) throw new Error('SimCLR: backbone and head are required');
    if (!(temperature > 0) || !Number.isFinite(temperature)) {
      throw new Error(`SimCLR: temperature must be a finite number > 0, received ${temperature}`);
    }
    this.backbone = backbone;
    this.head = head;
    this.temperature = temperature;
  }

  trainableVariables(): Variable[] {
    return [...this.backbone.trainableWeights, ...this.head.trainableWeights].map((w) => w.read() as Variable);
  }

  getWeights(): Tensor[] {
    return [...this.backbone.getWeights(), ...this.head.getWeights()];
  }

  setWeights(weights: Tensor[]): void {
    const nb = this.backbone.getWeights().length;
    this.backbone.setWeights(weights.slice(0, nb));
    this.head.setWeights(weights.slice(nb));
  }

  /** Projections z of one view: [N, d]. */
  project(view: Tensor, training: boolean): Tensor2D {
    const h = this.backbone.apply(view, { training }) as Tensor;
    return this.head.apply(h, { training }) as Tensor2D;
  }

  loss(views: Tensor[]): Scalar {
    if (views.length !== 2) throw new Error(`SimCLR: expects 2 views, received ${views.length}`);
    return tidy(() => ntXentLoss(this.project(views[0], true), this.project(views[1], true), { temperature: this.temperature }));
  }

  embed(x: Tensor): Tensor2D {
    return tidy(() => this.backbone.apply(x, { training: false }) as Tensor2D);
  }

  trainStep(views: Tensor[], optimizer: Optimizer): number {
    const loss = optimizer.minimize(() => this.loss(views), true, this.trainableVariables());
    const value = loss!.dataSync()[0];
    loss!.dispose();
    return value;
  }

  dispose(): void {
    this.backbone.dispose();
    this.head.dispose();
  }
}
