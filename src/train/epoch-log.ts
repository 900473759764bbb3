/** What the trainer records of every epoch (checkpointed with the run; reports chart it). */
export interface EpochLog {
  epoch: number;
  /** Mean training loss over the epoch's steps. */
  loss: number;
  /** Learning rate at the epoch's last step. */
  learningRate: number;
  seconds: number;
  /** Items (images, rows, texts) per second of the epoch's steps. */
  itemsPerSecond: number;
  /** kNN monitor top-1 (fraction), when a kNN monitor runs. */
  knnTop1?: number;
  /**
   * Collapse monitor: mean over the epoch's steps of the std of the L2-normalised projections
   * (eval/collapse.ts; 0 = collapsed, about 1/sqrt(d) = spread), when the method records it.
   */
  collapseStd?: number;
  /** Set when the collapse monitor stayed under the trainer's collapse threshold at every step of the epoch. */
  collapsed?: true;
}
