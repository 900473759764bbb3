/**
 * NNCLR (Dwibedi, Aytar, Tompson, Sermanet, Zisserman 2021, arXiv:2104.14548,
 * https://arxiv.org/abs/2104.14548): SimCLR-like, but the positive of a view is the nearest
 * neighbour of its projection in a support set of projections from earlier batches, which brings
 * in semantic variation no augmentation makes. Encoder -> projection head -> z, and a prediction
 * head p = g(z); the loss is InfoNCE between NN(z1) and p2, symmetrised (losses/nnclr.ts). After each
 * optimizer step the first view's projections are enqueued into the support set, a FIFO
 * {@link MemoryBank} saved in checkpoints (so a resumed run continues with the same neighbours).
 * The representation used downstream is the encoder's output, before the heads.
 */
import { type Scalar, type Tensor, type Tensor2D, tidy } from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batch.js';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { checkTemperature } from '../losses/checks.js';
import { nnclrLoss } from '../losses/nnclr.js';
import { MemoryBank } from '../models/memory-bank.js';
import { EncoderMethod } from './encoder-method.js';

export interface NNCLROptions {
  /** Encoder: images -> [N, D] representation (e.g. cnnBackbone, resnetBackbone). */
  backbone: LayersModel;
  /** Projection head: [N, D] -> [N, d] (e.g. nnclrProjectionHead(D, ...); paper 2048-2048-256). */
  head: LayersModel;
  /** Prediction head: [N, d] -> [N, d] (e.g. nnclrPredictionHead(d, ...); paper 4096-256). */
  predictor: LayersModel;
  /**
   * Rows of the support set, at least the batch size. Default 4096 (lightly's CIFAR-10 setting; the
   * paper uses 98304 with batches of 4096 on ImageNet, and reports results flat from 8192 up).
   */
  supportSize?: number;
  /** InfoNCE temperature. Default 0.1 (the paper's). */
  temperature?: number;
  /** Seed of the support set's random initial unit rows. Default 0. */
  seed?: number;
}

export class NNCLR extends EncoderMethod {
  readonly name = 'nnclr';
  readonly predictor: LayersModel;
  readonly temperature: number;
  /**
   * The support set Q: L2-normalised projections of earlier batches, [supportSize, d]; the first
   * view's projections of the last loss are staged in it and enqueued by afterStep.
   */
  readonly support: MemoryBank;

  constructor(options: NNCLROptions) {
    const { backbone, head, predictor, supportSize = 4096, temperature = 0.1, seed = 0 } = options;
    super('NNCLR', backbone, head);
    this.temperature = checkTemperature('NNCLR', temperature);
    if (!Number.isInteger(supportSize) || supportSize < 1) throw new Error(`NNCLR: supportSize must be an integer >= 1, received ${supportSize}`);
    if (!Number.isInteger(seed)) throw new Error(`NNCLR: seed must be an integer, received ${seed}`);
    this.predictor = this.addPredictor(predictor);
    const d = head.outputs[0].shape[1];
    const pin = predictor.inputs[0].shape[1], pout = predictor.outputs[0].shape[1];
    if (typeof d !== 'number' || pin !== d || pout !== d) {
      throw new Error(`NNCLR: predictor must map the head's [N, ${d}] to [N, ${d}], received [N, ${pin}] -> [N, ${pout}]`);
    }
    this.support = this.addState(new MemoryBank({ size: supportSize, dim: d, seed }));
  }

  /** The NNCLR loss of the two views (batches of 1 <= N <= supportSize); remembers z1 for the support set. */
  loss(batch: Batch): Scalar {
    const { views } = batch;
    if (views.length !== 2) throw new Error(`NNCLR: expects 2 views, received ${views.length}`);
    const n = batch.size;
    if (n > this.support.size) throw new Error(`NNCLR: the batch size must be at most supportSize = ${this.support.size}, received ${n}`);
    return tidy(() => {
      const z1 = this.project(views[0], true), z2 = this.project(views[1], true); // [N, d]
      const p1 = this.predictor.apply(z1, { training: true }) as Tensor2D;
      const p2 = this.predictor.apply(z2, { training: true }) as Tensor2D;
      this.support.stage(z1); // a normalised copy, enqueued after the step
      return nnclrLoss(z1, z2, p1, p2, this.support.rows, { temperature: this.temperature });
    });
  }

  /** Enqueues the last step's first-view projections into the support set. */
  protected override afterStep(): void {
    this.support.commit();
  }
}
