/**
 * What SimCLR, SupCon, Triplet and Siamese share: an encoder (backbone) and a projection head
 * whose weights the method owns, the representation used downstream (the backbone's output, in
 * inference mode), checkpoint weights in a fixed order (backbone, then head), and one
 * optimisation step. Subclasses define only the loss of a batch.
 */
import { type Optimizer, type Scalar, type Tensor, type Tensor2D, type Variable, concat, keep, tidy } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { outputStd } from '../eval/collapse.js';
import type { Method } from './method.js';

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
  }

  abstract loss(views: Tensor[], labels?: Int32Array): Scalar;

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

  /** Collapse measure of the last training-mode projection (kept outside the step's tidy). */
  private lastStd: Scalar | null = null;

  /** Projections z of one view: [N, d]. In training mode it records their collapse measure. */
  project(view: Tensor, training: boolean): Tensor2D {
    const h = this.backbone.apply(view, { training }) as Tensor;
    const z = this.head.apply(h, { training }) as Tensor2D;
    if (training && z.shape[0] >= 2) {
      this.lastStd?.dispose();
      this.lastStd = keep(outputStd(z));
    }
    return z;
  }

  collapseStd(): number | undefined {
    return this.lastStd?.dataSync()[0];
  }

  /** Projections of all views in training mode, stacked: row v * N + i is view v of item i. [V N, d]. */
  projectViews(views: Tensor[]): Tensor2D {
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

  embed(x: Tensor): Tensor2D {
    return tidy(() => this.backbone.apply(x, { training: false }) as Tensor2D);
  }

  trainStep(views: Tensor[], optimizer: Optimizer, labels?: Int32Array): number {
    const loss = optimizer.minimize(() => this.loss(views, labels), true, this.trainableVariables());
    const value = loss!.dataSync()[0];
    loss!.dispose();
    return value;
  }

  dispose(): void {
    this.lastStd?.dispose();
    this.lastStd = null;
    this.backbone.dispose();
    this.head.dispose();
  }
}
