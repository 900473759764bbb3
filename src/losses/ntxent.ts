/**
 * NT-Xent, the normalized temperature-scaled cross-entropy loss of SimCLR.
 *
 * Chen, Kornblith, Norouzi, Hinton, "A Simple Framework for Contrastive Learning of Visual
 * Representations", ICML 2020, https://arxiv.org/abs/2002.05709 (eq. 1 and Algorithm 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import { rowLogSumExp } from '../ops/row-log-sum-exp.js';
import { selfMask } from '../ops/self-mask.js';

/** Options of {@link ntXentLoss}. */
export interface NtXentOptions {
  /** Temperature T > 0 that divides the cosine similarities. Default 0.5 (SimCLR's CIFAR-10 setting). */
  temperature?: number;
}

/** Smallest row norm used when normalizing (as torch.nn.functional.normalize): zero rows stay finite. */
const NORM_EPSILON = 1e-12;

/**
 * NT-Xent over the 2N views of a batch of N items.
 *
 * With z = [z1; z2] (2N rows), u_k = z_k / max(||z_k||, 1e-12) and s_ij = u_i . u_j (cosine
 * similarity), every row i is an anchor whose positive is its other view p(i) = (i + N) mod 2N and
 * whose negatives are the other 2N - 2 rows (the self-similarity s_ii is left out):
 *
 *     l_i  = -log( exp(s_i,p(i) / T) / sum_{k != i} exp(s_ik / T) )
 *     loss = (1 / 2N) sum_i l_i
 *
 * computed as a stable log-sum-exp. Its value lies in [0, log(2N - 1) + 2/T]; for identical views
 * whose rows are mutually orthogonal it equals -log(e^{1/T} / (e^{1/T} + 2N - 2)).
 *
 * @param z1 [N, D] embeddings of the first view of each item (N >= 1).
 * @param z2 [N, D] embeddings of the second view, row i pairs with row i of z1.
 * @param options `temperature` (default 0.5).
 * @returns a scalar tensor; differentiable with respect to z1 and z2.
 * @throws Error when the temperature is not a finite number > 0, or the shapes differ or are not [N, D] with N >= 1.
 *
 * @example
 * const loss = ntXentLoss(model.apply(view1), model.apply(view2), { temperature: 0.5 });
 */
export function ntXentLoss(z1: tf.Tensor, z2: tf.Tensor, options: NtXentOptions = {}): tf.Scalar {
  const { temperature = 0.5 } = options;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0) {
    throw new Error(`ntXentLoss: temperature must be a finite number > 0, received ${String(temperature)}`);
  }
  if (z1.rank !== 2 || z2.rank !== 2) {
    throw new Error(`ntXentLoss: z1 and z2 must be 2-D [N, D], received shapes [${z1.shape}] and [${z2.shape}]`);
  }
  if (z1.shape[0] !== z2.shape[0] || z1.shape[1] !== z2.shape[1]) {
    throw new Error(`ntXentLoss: z1 and z2 must have the same shape [N, D], received [${z1.shape}] and [${z2.shape}]`);
  }
  const n = z1.shape[0];
  if (n < 1) throw new Error(`ntXentLoss: the batch size N must be >= 1, received ${n}`);

  return tf.tidy(() => {
    const z = tf.concat([z1, z2], 0); // [2N, D]
    const norms = tf.sqrt(tf.maximum(tf.sum(tf.square(z), 1, true), NORM_EPSILON * NORM_EPSILON)); // [2N, 1]
    const u = tf.div(z, norms); // [2N, D], unit rows
    const logits = tf.div(tf.matMul(u, u, false, true), temperature); // [2N, 2N], s_ij / T
    // -inf on the diagonal drops s_ii from the log-sum-exp (its softmax weight and gradient are 0).
    const logDenominator = rowLogSumExp(tf.add(logits, selfMask(2 * n))); // [2N]
    // The positive logits s_i,p(i) / T: the same N values for the rows of z1 and of z2.
    const [u1, u2] = tf.split(u, 2, 0); // [N, D] each
    const positive = tf.div(tf.sum(tf.mul(u1, u2), 1), temperature); // [N]
    // mean_i (logDenominator_i - positive_i), each positive counted once per view.
    const total = tf.sub(tf.sum(logDenominator), tf.mul(tf.sum(positive), 2));
    return tf.div(total, 2 * n) as tf.Scalar;
  });
}
