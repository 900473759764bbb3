/**
 * stopGradient(x): x in the forward pass, a zero gradient in the backward pass (PyTorch's
 * `x.detach()`, TensorFlow's `tf.stop_gradient`). tfjs has no such op; a customGrad gives it.
 * SimSiam's loss needs it on the branch whose gradient must not flow (Chen & He 2021, eq. 2).
 *
 * @example
 * const loss = negativeCosine(p1, stopGradient(z2)); // no gradient through z2
 */
import * as tf from '@tensorflow/tfjs-core';

const detach = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x] = args as [tf.Tensor];
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as (x: tf.Tensor) => tf.Tensor;

export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detach(x) as T;
}
