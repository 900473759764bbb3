/**
 * What every self-supervised method exposes to the trainer: its trainable variables, the loss of
 * one batch of views (called inside the optimizer's minimize), and the encoder's representation.
 * Methods own encoder + heads + loss wiring; they never write files or know the optimizer's
 * schedule (the trainer does).
 */
import type { Optimizer, Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs-core';

export interface Method {
  readonly name: string;
  /**
   * True when the loss needs the items' class labels (supervised methods: SupCon, triplet,
   * siamese); the trainer then passes the batch's labels to loss and trainStep.
   */
  readonly usesLabels?: boolean;
  /** Variables the optimizer updates (encoder and heads; not batch-norm running statistics). */
  trainableVariables(): Variable[];
  /** Loss of one batch: views[v] is [N, H, W, C] (or [N, D]) for view v; labels[i] is item i's class. */
  loss(views: Tensor[], labels?: Int32Array): Scalar;
  /** The encoder's representation of x, in inference mode: [N, D]. */
  embed(x: Tensor): Tensor2D;
  /** Every weight of the method (trainable and batch-norm running statistics), for checkpoints. */
  getWeights(): Tensor[];
  /** Restores weights from getWeights()'s order and shapes. */
  setWeights(weights: Tensor[]): void;
  /**
   * The collapse measure (eval/collapse.ts: std of the L2-normalised outputs) of the projections of
   * the last trainStep, when the method records it.
   */
  collapseStd?(): number | undefined;
  /**
   * The trainer's position, called before each trainStep (0-based step of totalSteps), for
   * methods with schedules of their own (BYOL's and MoCo's momentum).
   */
  setProgress?(step: number, totalSteps: number): void;
  /** One optimisation step on a batch of views; returns the loss value. */
  trainStep(views: Tensor[], optimizer: Optimizer, labels?: Int32Array): number;
  dispose(): void;
}
