/**
 * Cosine similarity s(x, y) = x . y / (max(||x||, 1e-12) max(||y||, 1e-12)) (a similarity: larger
 * means closer). The floor on the norm is torch.nn.functional.normalize's: a zero row has
 * similarity 0 with everything and a finite gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkPaired, checkPairwise, type Distance } from './distance.js';

/** Smallest row norm used when normalizing (as torch.nn.functional.normalize and ntXentLoss). */
export const NORM_EPSILON = 1e-12;

/** Rows of x [N, D] divided by max(||x_i||, 1e-12): unit rows, zero rows stay zero. */
export function normalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const norms = tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1, true), NORM_EPSILON * NORM_EPSILON)); // [N, 1]
    return tf.div(x, norms) as tf.Tensor2D; // [N, D]
  });
}

/**
 * Cosine similarity: rows normalized, then `pairwise` is one matMul u v^T and `paired` a row-wise
 * dot product. Values lie in [-1, 1].
 *
 * @example
 * const s = new CosineSimilarity().pairwise(z, z); // [N, N], ones on the diagonal
 */
export class CosineSimilarity implements Distance {
  readonly name = 'cosine';
  readonly isInverted = true;

  /** x [N, D], y [M, D] -> [N, M], s_ij = cos(x_i, y_j). */
  pairwise(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
    checkPairwise('CosineSimilarity.pairwise', x, y);
    return tf.tidy(() => {
      const u = normalizeRows(x); // [N, D]
      return tf.matMul(u, x === y ? u : normalizeRows(y), false, true); // [N, M]
    });
  }

  /** x [N, D], y [N, D] -> [N], s_i = cos(x_i, y_i). */
  paired(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor1D {
    checkPaired('CosineSimilarity.paired', x, y);
    return tf.tidy(() => tf.sum(tf.mul(normalizeRows(x), normalizeRows(y)), 1) as tf.Tensor1D);
  }
}
