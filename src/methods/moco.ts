/**
 * MoCo v2: momentum contrast with a queue of negative keys.
 *
 * He, Fan, Wu, Xie, Girshick, "Momentum Contrast for Unsupervised Visual Representation Learning",
 * CVPR 2020, https://arxiv.org/abs/1911.05722 (MoCo v1, Algorithm 1); Chen, Fan, Girshick, He,
 * "Improved Baselines with Momentum Contrastive Learning", 2020, https://arxiv.org/abs/2003.04297
 * (v2: an MLP head, stronger augmentation, T = 0.2).
 *
 * The query encoder (backbone + 2-layer MLP head, `mocoV2Head`) encodes view 1; the key encoder, a
 * momentum copy of backbone + head (see MomentumMethod), encodes view 2. Each query's logits are
 * [l_pos, l_neg]: its own key and the K keys of a queue (`MemoryBank`), no in-batch negatives
 * (`infoNceLoss` with `inBatchNegatives: false`):
 *
 *     L = -(1 / N) sum_i log( exp(q_i . k_i / T) / (exp(q_i . k_i / T) + sum_j exp(q_i . queue_j / T)) ),
 *
 * q, k, queue rows L2-normalised. After the optimizer step the key encoder moves by momentum
 * (m = 0.999, the paper's; or a cosine schedule m -> 1) and the batch's normalised keys replace
 * the oldest queue rows (the current batch is never its own negative). With `symmetric: true` the
 * loss is the mean of both directions (q1 vs k2 and q2 vs k1) and both key batches are enqueued.
 *
 * No shuffle-BN is needed: the paper shuffles the key batch across GPUs so that a query and its
 * key do not share per-device batch statistics (section 3.3); on one device both encoders see
 * their whole batch and there is no cross-device statistics leak to hide.
 *
 * Defaults: T = 0.2 (v2; v1 used 0.07); queue 4096 keys (lightly's CIFAR-10 setting; the paper's
 * ImageNet queue is 65536, and it should stay well above the batch size); m = 0.999 constant.
 */
import { type Scalar, type Tensor, concat, div, add, tidy } from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batch.js';
import { checkBoolean, checkTemperature } from '../losses/checks.js';
import { infoNceLoss } from '../losses/infonce.js';
import { MemoryBank } from '../models/memory-bank.js';
import { MomentumMethod, type MomentumEncoderOptions } from './momentum-method.js';

export interface MoCoOptions extends MomentumEncoderOptions {
  /** InfoNCE temperature. Default 0.2 (MoCo v2; v1: 0.07). */
  temperature?: number;
  /** Keys in the queue of negatives. Default 4096 (lightly's CIFAR-10; the paper's ImageNet value is 65536). */
  queueSize?: number;
  /** Both directions (q1 vs k2 and q2 vs k1), averaged, both key batches enqueued. Default false (the paper's). */
  symmetric?: boolean;
  /** Seed of the queue's initial random unit keys. Default 0. */
  seed?: number;
}

export class MoCo extends MomentumMethod {
  readonly name = 'moco';
  readonly temperature: number;
  readonly symmetric: boolean;
  /** The queue of negative keys; the keys of the last loss are staged in it and enqueued by afterStep. */
  readonly queue: MemoryBank;

  /** Momentum m = 0.999, constant (the paper's), unless options say otherwise. */
  constructor(options: MoCoOptions) {
    super('MoCo', options, { momentum: 0.999, momentumSchedule: 'constant' });
    const { temperature = 0.2, queueSize = 4096, symmetric = false, seed = 0 } = options;
    this.temperature = checkTemperature('MoCo', temperature);
    this.symmetric = checkBoolean('MoCo', 'symmetric', symmetric);
    if (!Number.isInteger(queueSize) || queueSize < 1) throw new Error(`MoCo: queueSize must be an integer >= 1, received ${String(queueSize)}`);
    if (!Number.isInteger(seed)) throw new Error(`MoCo: seed must be an integer, received ${String(seed)}`);
    const dim = options.head.outputs[0].shape[1];
    if (typeof dim !== 'number') throw new Error(`MoCo: head must output [N, d] with d known, received shape [${options.head.outputs[0].shape}]`);
    this.queue = this.addState(new MemoryBank({ size: queueSize, dim, seed }));
  }

  /** views: 2 tensors [N, ...] (N <= queueSize, 2N with symmetric). */
  loss(batch: Batch): Scalar {
    const { views } = batch;
    if (views.length !== 2) throw new Error(`MoCo: expects 2 views, received ${views.length}`);
    const n = batch.size * (this.symmetric ? 2 : 1);
    if (n > this.queue.size) throw new Error(`MoCo: queueSize (${this.queue.size}) must hold a batch of keys, received ${n} keys`);
    return tidy(() => {
      const options = { temperature: this.temperature, inBatchNegatives: false };
      const q1 = this.project(views[0], true), k2 = this.targetProject(views[1]); // [N, d] each
      let loss = infoNceLoss(q1, k2, this.queue.rows, options);
      let keys = k2;
      if (this.symmetric) {
        const q2 = this.project(views[1], true), k1 = this.targetProject(views[0]);
        loss = div(add(loss, infoNceLoss(q2, k1, this.queue.rows, options)), 2);
        keys = concat([k2, k1], 0);
      }
      this.queue.stage(keys);
      return loss;
    });
  }

  /** Momentum update of the key encoder, then the batch's keys replace the oldest queue rows. */
  protected override afterStep(): void {
    super.afterStep();
    this.queue.commit();
  }
}
