/**
 * What every encoder method shares: an encoder (backbone) and a projection head whose weights the
 * method owns, the representation used downstream (the backbone's output, in inference mode),
 * checkpoint weights in a fixed order, and one optimisation step. Subclasses define the loss of a
 * batch; methods with more parts register them:
 *
 * - `addTrained(model)`: another trained network, updated by the optimizer (`addPredictor`
 *   checks and adds a predictor; `predictView` applies it to a view's projection);
 * - `addState(part)`: state that is not trained by the optimizer but saved in checkpoints and
 *   restored on resume (a momentum encoder, a queue of negatives);
 * - `afterStep()`: runs after each optimizer step (momentum updates, enqueueing keys);
 * - `setProgress(step, totalSteps)`: the trainer's position, before each step (schedules such as
 *   BYOL's momentum 0.99 -> 1).
 *
 * Checkpoint order: backbone, head, the added trained networks, then the state parts, each in the
 * order added (SimCLR, SupCon, Triplet, Siamese: backbone, head, as before).
 */
import { type Optimizer, type Scalar, type Tensor, type Tensor2D, type Variable, concat, keep, tidy } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Batch, ViewInput } from '../data/batch.js';
import { applyModel } from '../models/apply-model.js';
import { outputStd } from '../eval/collapse.js';
import { DropoutState, dropoutStreams } from '../models/transformer/dropout.js';
import type { Method } from './method.js';

/** Anything with weights a checkpoint saves: a LayersModel, a MemoryBank, ... */
export interface WeightPart {
  getWeights(): Tensor[];
  setWeights(weights: Tensor[]): void;
  dispose(): void;
}

export abstract class EncoderMethod implements Method {
  abstract readonly name: string;
  readonly usesLabels: boolean = false;
  readonly backbone: LayersModel;
  readonly head: LayersModel;
  /** The class's name in error messages ('SimCLR', 'SupCon', ...). */
  protected readonly caller: string;

  constructor(caller: string, backbone: LayersModel, head: LayersModel) {
    if (!backbone || !head) throw new Error(`${caller}: backbone and head are required`);
    this.caller = caller;
    this.backbone = backbone;
    this.head = head;
    // A backbone with seeded dropout streams (the transformer): their position is checkpoint state.
    const streams = dropoutStreams(backbone);
    if (streams.length) this.addState(new DropoutState(streams));
  }

  abstract loss(batch: Batch): Scalar;

  /** Trained networks after backbone and head (predictors). */
  private readonly trained: LayersModel[] = [];
  /** Saved, untrained state (momentum networks, queues). */
  private readonly state: WeightPart[] = [];

  /** Registers another network the optimizer trains (e.g. a predictor); returns it. */
  protected addTrained<M extends LayersModel>(model: M): M {
    this.trained.push(model);
    return model;
  }

  /** Registers a predictor (BYOL, SimSiam, MoCo v3: trained, on the online branch), checked; returns it. */
  protected addPredictor(predictor: LayersModel): LayersModel {
    if (!predictor || typeof predictor.apply !== 'function') throw new Error(`${this.caller}: predictor is required (a LayersModel), received ${String(predictor)}`);
    return this.addTrained(predictor);
  }

  /** Registers state saved in checkpoints but not trained (a momentum encoder, a queue); returns it. */
  protected addState<P extends WeightPart>(part: P): P {
    this.state.push(part);
    return part;
  }

  private parts(): WeightPart[] {
    return [this.backbone, this.head, ...this.trained, ...this.state];
  }

  trainableVariables(): Variable[] {
    return [this.backbone, this.head, ...this.trained].flatMap((m) => m.trainableWeights).map((w) => w.read() as Variable);
  }

  getWeights(): Tensor[] {
    return this.parts().flatMap((p) => p.getWeights());
  }

  setWeights(weights: Tensor[]): void {
    let at = 0;
    for (const p of this.parts()) {
      const n = p.getWeights().length;
      p.setWeights(weights.slice(at, at + n));
      at += n;
    }
    if (at !== weights.length) throw new Error(`${this.caller}: setWeights received ${weights.length} tensors, the method has ${at}`);
  }

  /** Width d of the projections the loss sees (the head's output; the collapse measure's 1/sqrt(d)). */
  get projectionDim(): number {
    return this.head.outputs[0].shape.at(-1) as number;
  }

  /** The trainer's position before each step (0-based step of totalSteps); default: ignored. */
  setProgress(_step: number, _totalSteps: number): void {}

  /** Runs after each optimizer step (momentum updates, queues); default: nothing. */
  protected afterStep(): void {}

  /** Collapse measure of the last training-mode projection (kept outside the step's tidy). */
  private lastStd: Scalar | null = null;

  /** Projections z of one view: [N, d]. In training mode it records their collapse measure. */
  project(view: ViewInput, training: boolean): Tensor2D {
    const h = applyModel(this.backbone, view, training);
    const z = this.head.apply(h, { training }) as Tensor2D;
    if (training) this.recordCollapse(z);
    return z;
  }

  /** Records the collapse measure of training-mode projections z [N, d] (N >= 2; kept outside the step's tidy). */
  protected recordCollapse(z: Tensor2D): void {
    if (z.shape[0] < 2) return;
    this.lastStd?.dispose();
    this.lastStd = keep(outputStd(z));
  }

  /** predictor(z) of one view in training mode, [N, d']; z = project(view) is what the collapse monitor records. */
  protected predictView(predictor: LayersModel, view: ViewInput): Tensor2D {
    return predictor.apply(this.project(view, true), { training: true }) as Tensor2D;
  }

  collapseStd(): number | undefined {
    return this.lastStd?.dataSync()[0];
  }

  /** Projections of all views in training mode, stacked: row v * N + i is view v of item i. [V N, d]. */
  projectViews(views: ViewInput[]): Tensor2D {
    return concat(views.map((v) => this.project(v, true)), 0);
  }

  /**
   * The injected miner of a method, checked: undefined, or an object with `mine`. `kind` names the
   * interface in the error (TripletMiner, PairMiner).
   */
  protected checkMiner<M extends { mine: unknown }>(kind: string, miner: M | undefined): M | undefined {
    if (miner !== undefined && (typeof miner !== 'object' || miner === null || typeof miner.mine !== 'function')) {
      throw new Error(`${this.caller}: miner must be a ${kind} (an object with mine), received ${String(miner)}`);
    }
    return miner;
  }

  embed(x: ViewInput): Tensor2D {
    return tidy(() => applyModel(this.backbone, x, false) as Tensor2D);
  }

  trainStep(batch: Batch, optimizer: Optimizer): number {
    const loss = optimizer.minimize(() => this.loss(batch), true, this.trainableVariables());
    const value = loss!.dataSync()[0];
    loss!.dispose();
    this.afterStep();
    return value;
  }

  dispose(): void {
    this.lastStd?.dispose();
    this.lastStd = null;
    for (const p of this.parts()) p.dispose();
  }
}
