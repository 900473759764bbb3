/**
 * The supervised contrastive loss SupCon (L_out).
 *
 * Khosla, Teterwak, Wang, Sarna, Tian, Isola, Maschinot, Liu, Krishnan, "Supervised Contrastive
 * Learning", NeurIPS 2020, https://arxiv.org/abs/2004.11362 (eq. 2, L^sup_out).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CosineSimilarity } from '../distances/cosine.js';
import type { Distance } from '../distances/distance.js';
import { rowLogSumExp } from '../ops/row-log-sum-exp.js';
import { checkDistance, checkEmbeddings, checkTemperature, readLabels, type Labels } from './checks.js';

/** Options of {@link supConLoss}. */
export interface SupConOptions {
  /** Temperature T > 0 that divides the similarities. Default 0.07 (the paper's). */
  temperature?: number;
  /** Similarity s (isInverted: larger is closer). Default cosine (the paper's normalized embeddings). */
  similarity?: Distance;
}

/**
 * SupCon L_out over N labelled rows (with several views per item, stack the views as rows and repeat
 * their labels). With s_ij the cosine similarity, P(i) = {p != i : y_p = y_i} and A(i) = {a != i}:
 *
 *     l_i  = -(1 / |P(i)|) sum_{p in P(i)} log( exp(s_ip / T) / sum_{a in A(i)} exp(s_ia / T) )
 *     loss = mean of l_i over the anchors i with |P(i)| >= 1     (0 when there is none)
 *
 * The reference code's extra factor T / base_temperature (base 0.07) is left out: it is 1 at the
 * default T. Anchors without positives add nothing (not NaN) and are not counted in the mean.
 *
 * @param z [N, D] embeddings (N >= 1).
 * @param labels [N] integer class labels (Int32Array, number[] or int32 tensor).
 * @param options `temperature` (default 0.07), `similarity` (default cosine).
 * @returns a scalar tensor; differentiable with respect to z.
 * @throws Error when the temperature is not a finite number > 0, z is not [N, D], or the labels are not N integers.
 *
 * @example
 * const loss = supConLoss(tf.concat([head(view1), head(view2)]), [...labels, ...labels]);
 */
export function supConLoss(z: tf.Tensor, labels: Labels, options: SupConOptions = {}): tf.Scalar {
  const caller = 'supConLoss';
  const temperature = checkTemperature(caller, options.temperature ?? 0.07);
  const similarity = checkDistance(caller, 'similarity', options.similarity ?? new CosineSimilarity(), true);
  checkEmbeddings(caller, 'z', z);
  const n = z.shape[0];
  const y = readLabels(caller, labels, n);

  // Weights from the labels: anchor i weighs 1/A in the log-denominators, positive p of anchor i
  // weighs 1/(A |P(i)|) in the numerators, A the number of anchors with positives.
  const positives = new Int32Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (j !== i && y[j] === y[i]) positives[i]++;
  const anchors = positives.reduce((count, p) => count + (p > 0 ? 1 : 0), 0);
  const anchorWeights = new Float32Array(n);
  const pairWeights = new Float32Array(n * n);
  const selfMask = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    selfMask[i * n + i] = -Infinity;
    if (positives[i] === 0) continue;
    anchorWeights[i] = 1 / anchors;
    for (let j = 0; j < n; j++) if (j !== i && y[j] === y[i]) pairWeights[i * n + j] = 1 / (anchors * positives[i]);
  }

  return tf.tidy(() => {
    const logits = tf.div(similarity.pairwise(z as tf.Tensor2D, z as tf.Tensor2D), temperature) as tf.Tensor2D; // [N, N]
    if (anchors === 0) return tf.mul(tf.sum(logits), 0) as tf.Scalar; // 0, still a function of z
    // -inf on the diagonal drops a = i from the denominators (A(i) = all rows but i).
    const logDenominator = rowLogSumExp(tf.add(logits, tf.tensor2d(selfMask, [n, n]))); // [N]
    const denominators = tf.sum(tf.mul(logDenominator, tf.tensor1d(anchorWeights))); // scalar
    const numerators = tf.sum(tf.mul(logits, tf.tensor2d(pairWeights, [n, n]))); // scalar
    return tf.sub(denominators, numerators) as tf.Scalar;
  });
}
