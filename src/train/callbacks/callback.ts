/**
 * Trainer callbacks: what runs around the training loop without being part of it (progress bars,
 * monitors, logging). The trainer calls each hook of each callback in the order given and awaits
 * it; a hook that throws stops training (the checkpoints written so far stay).
 */
import type { Method } from '../../methods/method.js';
import type { EpochLog } from '../epoch-log.js';

export interface TrainBeginInfo {
  /** Epochs of the whole run (a resumed run continues up to this many). */
  epochs: number;
  /** The first epoch this call trains (1-based; > 1 when resumed). */
  startEpoch: number;
  stepsPerEpoch: number;
  batchSize: number;
  /** Items the batches are drawn from. */
  items: number;
  /** The last epoch's log of a resumed run. */
  last?: EpochLog;
}

export interface StepInfo {
  /** 1-based epoch and step within it. */
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  /** Mean loss of the epoch so far. */
  loss: number;
  /** Mean collapse measure of the epoch so far, when the method records it. */
  collapseStd?: number;
  /** Items per second of the epoch so far. */
  itemsPerSecond: number;
}

export interface TrainerCallback {
  onTrainBegin?(info: TrainBeginInfo): unknown;
  /** Before the first step of `epoch` (1-based). */
  onEpochBegin?(epoch: number, info: TrainBeginInfo): unknown;
  onStepEnd?(info: StepInfo): unknown;
  /**
   * After the epoch's last step, before its checkpoint: a monitor adds its figures to `log`
   * (kNN top-1), so that they are saved with it.
   */
  onEpochEvaluate?(log: EpochLog, method: Method): void | Promise<void>;
  /** After the epoch's checkpoint is written. */
  onEpochEnd?(log: EpochLog): unknown;
  /** After the loop, also when it stopped on an error (then `error` is set). */
  onTrainEnd?(history: EpochLog[], error?: unknown): void;
}
