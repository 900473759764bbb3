/**
 * BYOL's loss: the mean squared error of L2-normalised predictions and targets.
 *
 * Grill et al., "Bootstrap Your Own Latent: A New Approach to Self-Supervised Learning", NeurIPS
 * 2020, https://arxiv.org/abs/2006.07733 (eq. 2).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CosineSimilarity } from '../distances/cosine.js';
import { checkEmbeddings, checkSameShape } from './checks.js';

/**
 * L(p, z) over a batch of N pairs, with rows divided by max(||x||, 1e-12):
 *
 *     L(p, z) = (1 / N) sum_i || p_i / ||p_i|| - z_i / ||z_i|| ||^2
 *             = (1 / N) sum_i (2 - 2 cos(p_i, z_i))
 *
 * Its value lies in [0, 4]: 0 when every p_i points the way of z_i, 4 when opposite. BYOL's
 * total is the symmetric L(p1, sg(z2')) + L(p2, sg(z1')) (section 3.1), z' from the target
 * network; the caller applies the stop-gradient, this function differentiates with respect to
 * both inputs. (It equals 2 + 2 negativeCosineLoss(p, z).)
 *
 * @param p [N, D] online predictions (N >= 1).
 * @param z [N, D] target projections, row i pairs with row i of p.
 * @returns a scalar tensor.
 * @throws Error when the shapes differ or are not [N, D] with N >= 1.
 *
 * @example
 * const loss = tf.add(byolLoss(p1, stopGradient(z2)), byolLoss(p2, stopGradient(z1)));
 */
export function byolLoss(p: tf.Tensor, z: tf.Tensor): tf.Scalar {
  checkEmbeddings('byolLoss', 'p', p);
  checkSameShape('byolLoss', 'p and z', p, z);
  return tf.tidy(() => tf.sub(2, tf.mul(2, tf.mean(new CosineSimilarity().paired(p as tf.Tensor2D, z as tf.Tensor2D)))) as tf.Scalar);
}
