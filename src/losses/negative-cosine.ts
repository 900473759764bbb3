/**
 * Negative cosine similarity, SimSiam's D.
 *
 * Chen & He, "Exploring Simple Siamese Representation Learning", CVPR 2021,
 * https://arxiv.org/abs/2011.10566 (eq. 1; lightly's `NegativeCosineSimilarity`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CosineSimilarity } from '../distances/cosine.js';
import { checkEmbeddings, checkSameShape } from './checks.js';

/**
 * D(p, z) over a batch of N pairs, with rows divided by max(||x||, 1e-12):
 *
 *     D(p, z) = -(1 / N) sum_i (p_i / ||p_i||) . (z_i / ||z_i||)
 *
 * Its value lies in [-1, 1]: -1 when every p_i points the way of z_i. SimSiam's loss is
 * D(p1, sg(z2)) / 2 + D(p2, sg(z1)) / 2 (eq. 2): the caller applies the stop-gradient
 * (`stopGradient`), this function differentiates with respect to both inputs.
 *
 * @param p [N, D] predictions (N >= 1).
 * @param z [N, D] targets, row i pairs with row i of p.
 * @returns a scalar tensor.
 * @throws Error when the shapes differ or are not [N, D] with N >= 1.
 *
 * @example
 * const loss = tf.add(tf.mul(negativeCosineLoss(p1, stopGradient(z2)), 0.5), tf.mul(negativeCosineLoss(p2, stopGradient(z1)), 0.5));
 */
export function negativeCosineLoss(p: tf.Tensor, z: tf.Tensor): tf.Scalar {
  checkEmbeddings('negativeCosineLoss', 'p', p);
  checkSameShape('negativeCosineLoss', 'p and z', p, z);
  return tf.tidy(() => tf.neg(tf.mean(new CosineSimilarity().paired(p as tf.Tensor2D, z as tf.Tensor2D))) as tf.Scalar);
}
