/**
 * What the momentum-encoder methods share (MoCo v2, MoCo v3, BYOL): a target (key) encoder, a copy
 * of the online backbone + head whose trained parameters follow the online ones by an exponential
 * moving average after every optimizer step,
 *
 *   target <- m * target + (1 - m) * online        (He et al. 2019, arXiv:1911.05722, eq. 2),
 *
 * with m fixed or on a cosine schedule from m_base (step 0) to 1 (last step):
 *
 *   m_k = 1 - (1 - m_base) (cos(pi k / K) + 1) / 2  (Grill et al. 2020, arXiv:2006.07733, section 3.2),
 *
 * k the step, K the total steps, both passed by the Trainer's `setProgress`. The target is never
 * trained by the optimizer: its outputs go through `stopGradient` and its variables are not in
 * `trainableVariables()`. It runs in training mode, so its batch norms use batch statistics and
 * keep running statistics of their own (as the papers' code).
 *
 * The target networks are built by the caller with the same builder and options as the online
 * ones (`targetBackbone: cnnBackbone(sameOptions)`), since our custom layers are not serialisable
 * for a generic clone; the method copies the online weights into them at construction and checks
 * that the architectures match. They are checkpointed state (`addState`): a checkpoint holds
 * backbone, head, (predictor,) target backbone, target head (, queue), and a resume restores them.
 */
import { type Tensor, type Tensor2D } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ViewInput } from '../data/batch.js';
import { applyModel } from '../models/apply-model.js';
import { copyWeights, updateMomentum } from '../models/momentum.js';
import { stopGradient } from '../ops/stop-gradient.js';
import { cosineSchedule } from '../train/schedules.js';
import { EncoderMethod } from './encoder-method.js';

/** 'constant': m every step; 'cosine': m_base -> 1 over the run (needs the Trainer's setProgress). */
export type MomentumSchedule = 'constant' | 'cosine';

/** The options every momentum method takes. */
export interface MomentumEncoderOptions {
  /** Online encoder: images -> [N, D] representation (e.g. cnnBackbone, resnetBackbone). */
  backbone: LayersModel;
  /** Online projection head: [N, D] -> [N, d]. */
  head: LayersModel;
  /** Target (key) encoder: built like `backbone` (same builder and options); its weights are overwritten with backbone's. */
  targetBackbone: LayersModel;
  /** Target head: built like `head`; its weights are overwritten with head's. */
  targetHead: LayersModel;
  /** Momentum m (the base value with a cosine schedule), in [0, 1]. Default: the method's paper value. */
  momentum?: number;
  /** 'constant' or 'cosine' (m -> 1). Default: the method's paper choice. */
  momentumSchedule?: MomentumSchedule;
}

export abstract class MomentumMethod extends EncoderMethod {
  readonly targetBackbone: LayersModel;
  readonly targetHead: LayersModel;
  /** The base momentum m (constant schedule: every step's). */
  readonly momentum: number;
  readonly momentumSchedule: MomentumSchedule;
  /** The momentum of the current step (set by setProgress with the cosine schedule). */
  private m: number;

  constructor(caller: string, options: MomentumEncoderOptions, defaults: { momentum: number; momentumSchedule: MomentumSchedule }) {
    const { backbone, head, targetBackbone, targetHead, momentum = defaults.momentum, momentumSchedule = defaults.momentumSchedule } = options;
    super(caller, backbone, head);
    if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) {
      throw new Error(`${caller}: momentum must be a number in [0, 1], received ${String(momentum)}`);
    }
    if (momentumSchedule !== 'constant' && momentumSchedule !== 'cosine') {
      throw new Error(`${caller}: momentumSchedule must be 'constant' or 'cosine', received ${JSON.stringify(momentumSchedule)}`);
    }
    for (const [name, target, online] of [['targetBackbone', targetBackbone, backbone], ['targetHead', targetHead, head]] as const) {
      if (!target || typeof target.getWeights !== 'function') throw new Error(`${caller}: ${name} is required (built like ${name === 'targetHead' ? 'head' : 'backbone'}), received ${String(target)}`);
      if (target === online) throw new Error(`${caller}: ${name} must be a separate model, received the online one`);
      const o = online.weights.map((w) => w.shape.join('x')).join(), t = target.weights.map((w) => w.shape.join('x')).join();
      if (o !== t) throw new Error(`${caller}: ${name} must have the online network's architecture (weights ${o}), received weights ${t}`);
      copyWeights(online, target);
    }
    this.targetBackbone = this.addState(targetBackbone);
    this.targetHead = this.addState(targetHead);
    this.momentum = momentum;
    this.momentumSchedule = momentumSchedule;
    this.m = momentum;
  }

  /** The momentum the next afterStep applies. */
  get currentMomentum(): number {
    return this.m;
  }

  override setProgress(step: number, totalSteps: number): void {
    this.m = this.momentumSchedule === 'cosine' ? cosineSchedule(step, totalSteps, this.momentum, 1) : this.momentum;
  }

  /** Target projections of one view, in training mode, with no gradient: [N, d]. */
  protected targetProject(view: ViewInput): Tensor2D {
    const h = applyModel(this.targetBackbone, view, true);
    return stopGradient(this.targetHead.apply(h, { training: true }) as Tensor2D);
  }

  /** The EMA update of target backbone and head. */
  protected override afterStep(): void {
    updateMomentum(this.backbone, this.targetBackbone, this.m);
    updateMomentum(this.head, this.targetHead, this.m);
  }
}
