/**
 * What every self-supervised method exposes to the trainer: its trainable variables, the loss of
 * one batch of views (called inside the optimizer's minimize), and the encoder's representation.
 * Methods own encoder + heads + loss wiring; they never write files or know the optimizer's
 * schedule (the trainer does).
 */
import type { Optimizer, Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { Batch, ViewInput } from '../data/batch.js';

export interface Method {
  readonly name: string;
  /**
   * True when the loss needs the items' class labels (supervised methods: SupCon, triplet,
   * siamese); the trainer then puts the items' labels into every batch.
   */
  readonly usesLabels?: boolean;
  /** Variables the optimizer updates (encoder and heads; not batch-norm running statistics). */
  trainableVariables(): Variable[];
  /**
   * Loss of one batch: batch.views[v] is view v of the N items ([N, H, W, C] images, [N, D] rows,
   * or named tensors); batch.labels[i] is item i's class.
   */
  loss(batch: Batch): Scalar;
  /** The encoder's representation of one view input, in inference mode: [N, D]. */
  embed(x: ViewInput): Tensor2D;
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
  /** One optimisation step on a batch; returns the loss value. */
  trainStep(batch: Batch, optimizer: Optimizer): number;
  dispose(): void;
}
