import * as tf from '@tensorflow/tfjs-core';

/**
 * [m, m] matrix with -Infinity on the diagonal and 0 elsewhere: added to a similarity matrix, it
 * leaves each row's self-similarity out of a following log-sum-exp (softmax weight and gradient 0).
 */
export function selfMask(m: number): tf.Tensor2D {
  const values = new Float32Array(m * m);
  for (let i = 0; i < m; i++) values[i * m + i] = -Infinity;
  return tf.tensor2d(values, [m, m]);
}
