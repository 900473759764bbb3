/**
 * The VICReg loss: variance, invariance and covariance regularisation of two views' embeddings.
 *
 * Bardes, Ponce, LeCun, "VICReg: Variance-Invariance-Covariance Regularization for Self-Supervised
 * Learning", ICLR 2022, https://arxiv.org/abs/2105.04906 (eq. 1 to 6, Algorithm 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkEmbeddings, checkSameShape, checkWeight } from './checks.js';

/** Options of {@link vicregLoss}; the defaults are the paper's (section 4.1: lambda = mu = 25, nu = 1). */
export interface VICRegLossOptions {
  /** lambda >= 0, weight of the invariance (mean squared error) term. Default 25. */
  invarianceWeight?: number;
  /** mu >= 0, weight of the variance (hinge on the standard deviation) term. Default 25. */
  varianceWeight?: number;
  /** nu >= 0, weight of the covariance (off-diagonal) term. Default 1. */
  covarianceWeight?: number;
  /** gamma >= 0, the target standard deviation of every dimension. Default 1. */
  gamma?: number;
  /** epsilon >= 0 added to the variance under the square root (stability). Default 1e-4. */
  epsilon?: number;
}

/**
 * VICReg over N items with d-dimensional embeddings (the expander's outputs):
 *
 *     s(Z, Z')  = (1 / (N d)) sum_b sum_j (z_bj - z'_bj)^2                   invariance
 *     S_j(Z)    = sqrt(Var_b(z_bj) + epsilon)       (unbiased variance, N - 1)
 *     v(Z)      = (1 / d) sum_j max(0, gamma - S_j(Z))                         variance
 *     C(Z)      = (1 / (N - 1)) sum_b (z_b - mean z)(z_b - mean z)^T           [d, d]
 *     c(Z)      = (1 / d) sum_{i != j} C(Z)_ij^2                               covariance
 *     loss      = lambda s(Z, Z') + mu (v(Z) + v(Z')) / 2 + nu (c(Z) + c(Z'))
 *
 * as the authors' code (facebookresearch/vicreg `main_vicreg.py`) and lightly's `VICRegLoss` compute
 * it: the invariance term is a mean over the d dimensions too (`F.mse_loss`) and the two variance
 * terms are averaged (the paper's eq. 6 writes their sum and a sum over dimensions; the weights
 * 25 / 25 / 1 were tuned with the code's form). Each term is 0 in its closed form: s for identical
 * views, v when every dimension's deviation is at least gamma (up to epsilon), c for decorrelated
 * dimensions.
 *
 * @param z1 [N, d] embeddings of the first view, N >= 2.
 * @param z2 [N, d] embeddings of the second view; row i pairs with row i of z1.
 * @param options the weights lambda, mu, nu (25, 25, 1), `gamma` (1) and `epsilon` (1e-4).
 * @returns a scalar tensor; differentiable with respect to z1 and z2.
 * @throws Error when an option is not a finite number >= 0, or the shapes are not the same [N >= 2, d].
 *
 * @example
 * const loss = vicregLoss(expander.apply(v1), expander.apply(v2)); // 25 / 25 / 1
 */
export function vicregLoss(z1: tf.Tensor, z2: tf.Tensor, options: VICRegLossOptions = {}): tf.Scalar {
  const caller = 'vicregLoss';
  const lambda = checkWeight(caller, 'invarianceWeight', options.invarianceWeight ?? 25);
  const mu = checkWeight(caller, 'varianceWeight', options.varianceWeight ?? 25);
  const nu = checkWeight(caller, 'covarianceWeight', options.covarianceWeight ?? 1);
  const gamma = checkWeight(caller, 'gamma', options.gamma ?? 1);
  const epsilon = checkWeight(caller, 'epsilon', options.epsilon ?? 1e-4);
  checkEmbeddings(caller, 'z1', z1, 2);
  checkSameShape(caller, 'z1 and z2', z1, z2);
  const [n, d] = z1.shape;

  return tf.tidy(() => {
    const offDiagonal = tf.sub(1, tf.eye(d)); // [d, d], 0 on the diagonal
    /** [v(Z), c(Z)] of one view. */
    const regularisers = (z: tf.Tensor): [tf.Scalar, tf.Scalar] => {
      const centered = tf.sub(z, tf.mean(z, 0, true)); // [N, d]
      const variance = tf.div(tf.sum(tf.square(centered), 0), n - 1); // [d], unbiased
      const v = tf.mean(tf.relu(tf.sub(gamma, tf.sqrt(tf.add(variance, epsilon))))) as tf.Scalar;
      const cov = tf.div(tf.matMul(centered, centered, true, false), n - 1); // [d, d]
      const c = tf.div(tf.sum(tf.mul(tf.square(cov), offDiagonal)), d) as tf.Scalar;
      return [v, c];
    };
    const invariance = tf.mean(tf.squaredDifference(z1, z2));
    const [v1, c1] = regularisers(z1);
    const [v2, c2] = regularisers(z2);
    const variance = tf.div(tf.add(v1, v2), 2);
    const covariance = tf.add(c1, c2);
    return tf.addN([tf.mul(invariance, lambda), tf.mul(variance, mu), tf.mul(covariance, nu)]) as tf.Scalar;
  });
}
