/**
 * Embedding distillation: a student encoder learns to reproduce a frozen teacher's embeddings
 * (mean squared error), the recipe of Reimers & Gurevych, "Making Monolingual Sentence Embeddings
 * Multilingual using Knowledge Distillation", 2020, https://arxiv.org/abs/2004.09813, and
 * sentence-transformers `losses/MSELoss.py`. With a teacher that runs offline (USE-lite from its npm
 * package) it gives a trainable student of any size without labelled pairs:
 *
 *     loss = (1 / (B D)) sum_i sum_d (s_id - t_id)^2
 *
 * The teacher's rows are targets (no gradient flows into them). When the student's width differs
 * from the teacher's, give the student a linear projection to the teacher's width first.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkEmbeddings, checkSameShape } from './checks.js';

/**
 * @param student [B, D] the student's embeddings.
 * @param teacher [B, D] the teacher's embeddings of the same items (targets).
 * @returns a scalar tensor, differentiable with respect to `student`.
 */
export function distillationLoss(student: tf.Tensor, teacher: tf.Tensor): tf.Scalar {
  const caller = 'distillationLoss';
  checkEmbeddings(caller, 'student', student);
  checkSameShape(caller, 'student and teacher', student, teacher);
  return mse(student, teacher);
}

/** Mean squared error whose gradient flows into the student only (the teacher is a target). */
const mse = tf.customGrad(((s: tf.Tensor, t: tf.Tensor, save: tf.GradSaveFunc) => {
  const diff = tf.sub(s, t);
  save([diff]);
  return {
    value: tf.mean(tf.square(diff)) as tf.Scalar,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, tf.mul(saved[0], 2 / saved[0].size)), tf.zerosLike(t)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (s: tf.Tensor, t: tf.Tensor) => tf.Scalar;
