/**
 * The distance interface shared by the metric-learning losses (after pytorch-metric-learning's
 * `distances/base_distance.py`): a distance computes a full [N, M] matrix with one matMul, or the
 * N values of row i against row i, and says whether larger values mean closer (a similarity).
 */
import type * as tf from '@tensorflow/tfjs-core';

/** A distance or similarity between embedding rows. */
export interface Distance {
  /** Short name for messages and reports, e.g. 'euclidean', 'cosine'. */
  readonly name: string;
  /** True when larger values mean closer (a similarity: cosine, dot), false for a distance. */
  readonly isInverted: boolean;
  /** [N, M] values between every row of x [N, D] and every row of y [M, D], with one matMul. */
  pairwise(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D;
  /** [N] values between row i of x [N, D] and row i of y [N, D]. */
  paired(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor1D;
}

/** Throws unless x and y are 2-D with the same number of columns D. */
export function checkPairwise(caller: string, x: tf.Tensor, y: tf.Tensor): void {
  if (x.rank !== 2 || y.rank !== 2) {
    throw new Error(`${caller}: x and y must be 2-D [N, D] and [M, D], received shapes [${x.shape}] and [${y.shape}]`);
  }
  if (x.shape[1] !== y.shape[1]) {
    throw new Error(`${caller}: x and y must have the same number of columns D, received [${x.shape}] and [${y.shape}]`);
  }
}

/** Throws unless x and y are 2-D with the same shape [N, D]. */
export function checkPaired(caller: string, x: tf.Tensor, y: tf.Tensor): void {
  if (x.rank !== 2 || y.rank !== 2 || x.shape[0] !== y.shape[0] || x.shape[1] !== y.shape[1]) {
    throw new Error(`${caller}: x and y must have the same shape [N, D], received [${x.shape}] and [${y.shape}]`);
  }
}
