/**
 * The Barlow Twins loss: make the cross-correlation matrix of two views' embeddings the identity.
 *
 * Zbontar, Jing, Misra, LeCun, Deny, "Barlow Twins: Self-Supervised Learning via Redundancy
 * Reduction", ICML 2021, https://arxiv.org/abs/2103.03230 (eq. 1 and 2, Algorithm 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNormTrain } from '../ops/batch-norm-train.js';
import { checkEmbeddings, checkSameShape, checkWeight } from './checks.js';

/** Options of {@link barlowTwinsLoss}. */
export interface BarlowTwinsLossOptions {
  /**
   * Weight lambda >= 0 of the redundancy-reduction (off-diagonal) term. Default 5e-3 (the paper's
   * section 4 value, and lightly's `lambda_param`).
   */
  lambda?: number;
  /** Added to the variance before the square root of the normalisation. Default 1e-5 (PyTorch's BatchNorm1d, as the paper's code). */
  epsilon?: number;
}

/**
 * Barlow Twins over N items with d-dimensional embeddings. Each dimension of z1 and of z2 is
 * standardised over the batch as the paper's `BatchNorm1d(affine=False)` does (biased variance):
 *
 *     zn_bj = (z_bj - mean_b z_bj) / sqrt(var_b z_bj + epsilon)
 *     C_ij  = (1 / N) sum_b zn1_bi zn2_bj                           (cross-correlation, [d, d])
 *     loss  = sum_i (1 - C_ii)^2 + lambda sum_i sum_{j != i} C_ij^2
 *
 * The first term makes each dimension invariant to the augmentation, the second decorrelates the
 * dimensions (redundancy reduction). It is 0 exactly when C is the identity: identical views whose
 * standardised columns are orthogonal. lightly's `BarlowTwinsLoss` standardises with the unbiased
 * deviation and no epsilon instead; the difference is a factor N / (N - 1) in C.
 *
 * @param z1 [N, d] embeddings (projections) of the first view, N >= 2.
 * @param z2 [N, d] embeddings of the second view; row i pairs with row i of z1.
 * @param options `lambda` (default 5e-3), `epsilon` (default 1e-5).
 * @returns a scalar tensor; differentiable with respect to z1 and z2.
 * @throws Error when lambda or epsilon is not a finite number >= 0, or the shapes are not the same [N >= 2, d].
 *
 * @example
 * const loss = barlowTwinsLoss(projector.apply(v1), projector.apply(v2), { lambda: 5e-3 });
 */
export function barlowTwinsLoss(z1: tf.Tensor, z2: tf.Tensor, options: BarlowTwinsLossOptions = {}): tf.Scalar {
  const caller = 'barlowTwinsLoss';
  const lambda = checkWeight(caller, 'lambda', options.lambda ?? 5e-3);
  const epsilon = checkWeight(caller, 'epsilon', options.epsilon ?? 1e-5);
  checkEmbeddings(caller, 'z1', z1, 2);
  checkSameShape(caller, 'z1 and z2', z1, z2);
  const [n, d] = z1.shape;

  return tf.tidy(() => {
    const zn1 = batchNormTrain(z1, undefined, undefined, epsilon).y; // [N, d]
    const zn2 = batchNormTrain(z2, undefined, undefined, epsilon).y; // [N, d]
    const c = tf.div(tf.matMul(zn1, zn2, true, false), n); // [d, d]
    const eye = tf.eye(d); // [d, d]
    const diagonal = tf.sum(tf.mul(c, eye), 1); // [d], C_ii
    const onDiagonal = tf.sum(tf.square(tf.sub(1, diagonal)));
    const offDiagonal = tf.sum(tf.mul(tf.square(c), tf.sub(1, eye)));
    return tf.add(onDiagonal, tf.mul(offDiagonal, lambda)) as tf.Scalar;
  });
}
