/**
 * Dot-product similarity s(x, y) = x . y (a similarity: larger means closer).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkPaired, checkPairwise, type Distance } from './distance.js';

/**
 * Dot-product similarity: `pairwise` is x y^T, `paired` is sum_d x_id y_id.
 *
 * @example
 * const s = new DotProductSimilarity().pairwise(queries, keys); // [N, M]
 */
export class DotProductSimilarity implements Distance {
  readonly name = 'dot';
  readonly isInverted = true;

  /** x [N, D], y [M, D] -> [N, M], s_ij = x_i . y_j. */
  pairwise(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
    checkPairwise('DotProductSimilarity.pairwise', x, y);
    return tf.matMul(x, y, false, true);
  }

  /** x [N, D], y [N, D] -> [N], s_i = x_i . y_i. */
  paired(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor1D {
    checkPaired('DotProductSimilarity.paired', x, y);
    return tf.tidy(() => tf.sum(tf.mul(x, y), 1) as tf.Tensor1D);
  }
}
