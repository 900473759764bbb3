/**
 * The triplet margin loss on given (anchor, positive, negative) rows.
 *
 * Schroff, Kalenichenko, Philbin, "FaceNet: A Unified Embedding for Face Recognition and
 * Clustering", CVPR 2015, https://arxiv.org/abs/1503.03832 (eq. 1, with squared distances), and
 * PyTorch's `nn.TripletMarginLoss` (p = 2, margin = 1, plain distances). The soft margin is
 * Hermans, Beyer, Leibe, "In Defense of the Triplet Loss for Person Re-Identification", 2017,
 * https://arxiv.org/abs/1703.07737 (section 2).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Distance } from '../distances/distance.js';
import { EuclideanDistance } from '../distances/euclidean.js';
import { checkBoolean, checkDistance, checkEmbeddings, checkMargin, checkSameShape } from './checks.js';

/** Options of {@link tripletLoss}. */
export interface TripletLossOptions {
  /** m >= 0 by which the negative must be farther than the positive. Default 1 (PyTorch). Unused with softMargin. */
  margin?: number;
  /** Use squared Euclidean distances (FaceNet) instead of plain ones (PyTorch). Default false. Not with `distance`. */
  squared?: boolean;
  /** Use softplus(d_ap - d_an) = log(1 + exp(d_ap - d_an)) instead of the hinge (Hermans et al.). Default false. */
  softMargin?: boolean;
  /**
   * Distance to use instead of the Euclidean one. A similarity s (isInverted, e.g. cosine) is used
   * as d = -s, so the hinge reads max(0, s_an - s_ap + m). Default Euclidean (squared if `squared`).
   */
  distance?: Distance;
}

/**
 * Triplet margin loss, the mean over N triplets with d the Euclidean distance:
 *
 *     loss = (1 / N) sum_i max(0, d(a_i, p_i) - d(a_i, n_i) + m)          (default)
 *     loss = (1 / N) sum_i log(1 + exp(d(a_i, p_i) - d(a_i, n_i)))       (softMargin)
 *
 * With the defaults this is PyTorch's `TripletMarginLoss()` except for its eps: torch computes
 * d = ||a - p + 1e-6||_2 (1e-6 added to every coordinate); we compute ||a - p||_2 exactly, with a
 * zero gradient at a = p (see EuclideanDistance). The two differ by at most 1e-6 sqrt(D) per distance.
 *
 * @param anchor [N, D] (N >= 1).
 * @param positive [N, D], same class as the anchor of its row.
 * @param negative [N, D], another class than the anchor of its row.
 * @param options `margin` (default 1), `squared` (default false), `softMargin` (default false), `distance`.
 * @returns a scalar tensor; differentiable with respect to the three inputs.
 * @throws Error when the margin is not a finite number >= 0, a flag is not a boolean, or the shapes differ.
 *
 * @example
 * const loss = tripletLoss(net.apply(a), net.apply(p), net.apply(n), { margin: 0.2, squared: true });
 */
export function tripletLoss(anchor: tf.Tensor, positive: tf.Tensor, negative: tf.Tensor, options: TripletLossOptions = {}): tf.Scalar {
  const caller = 'tripletLoss';
  const { margin, softMargin, distance } = tripletOptions(caller, options);
  checkEmbeddings(caller, 'anchor', anchor);
  checkSameShape(caller, 'anchor and positive', anchor, positive);
  checkSameShape(caller, 'anchor and negative', anchor, negative);

  return tf.tidy(() => {
    const sign = distance.isInverted ? -1 : 1; // similarities become distances
    const dap = tf.mul(distance.paired(anchor as tf.Tensor2D, positive as tf.Tensor2D), sign); // [N]
    const dan = tf.mul(distance.paired(anchor as tf.Tensor2D, negative as tf.Tensor2D), sign); // [N]
    return tf.mean(tripletTerms(dap, dan, margin, softMargin)) as tf.Scalar;
  });
}

/** Validated triplet options with their defaults; the distance is Euclidean unless injected. */
export function tripletOptions(
  caller: string,
  options: { margin?: number; squared?: boolean; softMargin?: boolean; distance?: Distance },
): { margin: number; softMargin: boolean; distance: Distance } {
  const margin = checkMargin(caller, options.margin ?? 1);
  const softMargin = checkBoolean(caller, 'softMargin', options.softMargin ?? false);
  const squared = checkBoolean(caller, 'squared', options.squared ?? false);
  if (options.distance !== undefined && options.squared !== undefined) {
    throw new Error(`${caller}: pass either squared or distance, not both, received squared ${String(options.squared)} and distance ${String(options.distance?.name)}`);
  }
  const distance = checkDistance(caller, 'distance', options.distance ?? new EuclideanDistance({ squared }));
  return { margin, softMargin, distance };
}

/** Per-triplet losses [T] from d_ap [T] and d_an [T]: the hinge max(0, d_ap - d_an + m), or softplus(d_ap - d_an). */
export function tripletTerms(dap: tf.Tensor1D | tf.Tensor, dan: tf.Tensor1D | tf.Tensor, margin: number, softMargin: boolean): tf.Tensor1D {
  return tf.tidy(() => {
    const gap = tf.sub(dap, dan); // [T]
    return (softMargin ? tf.softplus(gap) : tf.relu(tf.add(gap, margin))) as tf.Tensor1D;
  });
}
