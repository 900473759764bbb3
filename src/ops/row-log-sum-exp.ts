/**
 * Row-wise log-sum-exp with a direct gradient, for the softmax cross-entropy losses.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Row-wise log-sum-exp of x [M, K] -> [M], with its gradient written directly as
 * dy[:, None] * exp(x - lse[:, None]) (= dy * softmax(x)): two elementwise passes instead of the
 * autodiff of logSumExp's max, subtract, exp, sum and log. Entries of -Infinity are left out (their
 * softmax weight and gradient are 0); a row must keep at least one finite entry.
 */
export const rowLogSumExp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
  const lse = tf.logSumExp(x, 1) as tf.Tensor1D; // [M]
  save([x, lse]);
  return {
    value: lse,
    gradFunc: (dy: tf.Tensor1D, [xs, lses]: tf.Tensor[]) =>
      tf.mul(tf.expandDims(dy, 1), tf.exp(tf.sub(xs, tf.expandDims(lses, 1)))), // [M, K]
  };
}) as (x: tf.Tensor2D) => tf.Tensor1D;
