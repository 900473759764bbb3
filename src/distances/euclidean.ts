/**
 * Euclidean distance ||x - y||_2, or its square with `{ squared: true }` (a distance: smaller means
 * closer).
 *
 * The square root has an infinite derivative at 0, and autodiff of sqrt(sum((x - y)^2)) at x = y
 * gives 0 * Infinity = NaN. Here every squared distance d2 <= 1e-12 (distance <= 1e-6) is reported
 * as exactly 0 with gradient 0, and larger ones as sqrt(d2) with their exact gradient: the gradient
 * of ||x - y|| at x = y is taken to be 0, a subgradient (TensorFlow Addons' `pairwise_distance`
 * masks the same way). PyTorch's `pairwise_distance` instead adds eps = 1e-6 to every coordinate of
 * x - y; we add nothing, so our values differ from torch's by at most 1e-6 sqrt(D).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkPaired, checkPairwise, type Distance } from './distance.js';

/** Options of {@link EuclideanDistance}. */
export interface EuclideanOptions {
  /** Return ||x - y||^2 instead of ||x - y|| (smooth everywhere, no square root). Default false. */
  squared?: boolean;
}

/** Squared distances at or below this are treated as 0 (distance 0, gradient 0). */
export const SQRT_EPSILON = 1e-12;

/**
 * Euclidean (L2) distance. `pairwise` uses one matMul through
 * ||x_i - y_j||^2 = ||x_i||^2 + ||y_j||^2 - 2 x_i . y_j, clamped at 0 (the expansion can round
 * below 0 and loses about 1e-7 (||x||^2 + ||y||^2) of absolute precision, so two equal rows can be
 * some 1e-4 ||x|| apart, as with torch.cdist's matmul mode); when x and y are the same tensor the
 * diagonal is set to exactly 0 (as TensorFlow Addons' `pairwise_distance`). `paired` sums
 * (x_i - y_i)^2 directly and is exact at x_i = y_i.
 *
 * @example
 * const d = new EuclideanDistance().pairwise(z, z);                 // [N, N]
 * const d2 = new EuclideanDistance({ squared: true }).paired(a, p); // [N]
 */
export class EuclideanDistance implements Distance {
  readonly name: string;
  readonly isInverted = false;
  readonly squared: boolean;

  constructor(options: EuclideanOptions = {}) {
    const { squared = false } = options;
    if (typeof squared !== 'boolean') {
      throw new Error(`EuclideanDistance: squared must be a boolean, received ${String(squared)}`);
    }
    this.squared = squared;
    this.name = squared ? 'squared-euclidean' : 'euclidean';
  }

  /** x [N, D], y [M, D] -> [N, M], d_ij = ||x_i - y_j|| (or its square). */
  pairwise(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
    checkPairwise('EuclideanDistance.pairwise', x, y);
    return tf.tidy(() => {
      const xx = tf.sum(tf.square(x), 1, true); // [N, 1]
      const yy = tf.reshape(tf.sum(tf.square(y), 1), [1, -1]); // [1, M]
      const xy = tf.matMul(x, y, false, true); // [N, M]
      let d2 = tf.relu(tf.sub(tf.add(xx, yy), tf.mul(xy, 2))) as tf.Tensor2D; // [N, M], >= 0
      // pairwise(z, z): the self-distances are exactly 0, not the expansion's rounding noise.
      if (x === y) d2 = tf.mul(d2, tf.sub(1, tf.eye(x.shape[0])));
      return this.squared ? d2 : safeSqrt(d2);
    });
  }

  /** x [N, D], y [N, D] -> [N], d_i = ||x_i - y_i|| (or its square). */
  paired(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor1D {
    checkPaired('EuclideanDistance.paired', x, y);
    return tf.tidy(() => {
      const d2 = tf.sum(tf.square(tf.sub(x, y)), 1) as tf.Tensor1D; // [N]
      return this.squared ? d2 : safeSqrt(d2);
    });
  }
}

/**
 * sqrt(d2) where d2 > 1e-12, else 0; the gradient is dy / (2 sqrt(d2)) where d2 > 1e-12, else 0
 * (finite everywhere: the sqrt only ever sees values >= 1e-12). A customGrad, since tfjs has no
 * gradient for the comparison that makes the mask.
 */
export const safeSqrt = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [d2, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const positive = tf.greater(d2, SQRT_EPSILON); // bool
  const root = tf.sqrt(tf.maximum(d2, SQRT_EPSILON)); // >= 1e-6
  save([positive, root]);
  return {
    value: tf.where(positive, root, tf.zerosLike(root)),
    gradFunc: (dy: tf.Tensor, [mask, r]: tf.Tensor[]) => tf.where(mask, tf.div(tf.mul(dy, 0.5), r), tf.zerosLike(r)),
  };
}) as <T extends tf.Tensor>(d2: T) => T;
