/**
 * InfoNCE with in-batch negatives (and optional extra negatives).
 *
 * van den Oord, Li, Vinyals, "Representation Learning with Contrastive Predictive Coding", 2018,
 * https://arxiv.org/abs/1807.03748 (eq. 4), in the in-batch form of sentence-transformers'
 * `MultipleNegativesRankingLoss` (Henderson et al. 2017, https://arxiv.org/abs/1705.00652).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CosineSimilarity } from '../distances/cosine.js';
import type { Distance } from '../distances/distance.js';
import { rowLogSumExp } from '../ops/row-log-sum-exp.js';
import { checkBoolean, checkDistance, checkEmbeddings, checkSameShape, checkTemperature } from './checks.js';

/** Options of {@link infoNceLoss}. */
export interface InfoNceOptions {
  /** Temperature T > 0 that divides the similarities. Default 0.07 (as MoCo and CLIP's initial value). */
  temperature?: number;
  /** Similarity s (isInverted: larger is closer). Default cosine; a DotProductSimilarity gives raw dot products. */
  similarity?: Distance;
  /**
   * Whether the other queries' positives count as negatives. Default true. False gives MoCo's
   * logits [l_pos, l_neg] (He et al. 2019, arXiv:1911.05722, Algorithm 1): each query's candidates
   * are its own positive and the K rows of `negatives` only (the queue), which are then required.
   */
  inBatchNegatives?: boolean;
}

/**
 * InfoNCE over B (query, positive) pairs. For query q_i the candidates are all B positives and the K
 * rows of `negatives`; the right one is p_i:
 *
 *     l_i  = -log( exp(s(q_i, p_i) / T) / (sum_j exp(s(q_i, p_j) / T) + sum_k exp(s(q_i, n_k) / T)) )
 *     loss = (1 / B) sum_i l_i
 *
 * with s the cosine similarity (rows divided by max(||x||, 1e-12)), as a stable log-sum-exp. This is
 * sentence-transformers' MultipleNegativesRankingLoss with scale = 1 / T (its default scale 20 is
 * T = 0.05), where `negatives` are its hard-negative column(s) stacked into one [K, D] matrix and
 * shared by every query. Unlike ntXentLoss it is one-directional (queries to candidates) and does not
 * compare queries with queries. Its value lies in [0, log(B + K) + 2/T] for cosine.
 *
 * With `inBatchNegatives: false` the sum over j keeps only j = i (MoCo: a queue of K keys are the
 * negatives), and the value lies in [0, log(1 + K) + 2/T].
 *
 * @param query [B, D] (B >= 1).
 * @param positive [B, D], row i the positive of query i.
 * @param negatives [K, D] extra negatives for every query (optional).
 * @param options `temperature` (default 0.07), `similarity` (default cosine), `inBatchNegatives` (default true).
 * @returns a scalar tensor; differentiable with respect to all inputs.
 * @throws Error when the temperature is not a finite number > 0 or the shapes do not match.
 *
 * @example
 * const loss = infoNceLoss(encode(questions), encode(answers), undefined, { temperature: 0.05 });
 */
export function infoNceLoss(query: tf.Tensor, positive: tf.Tensor, negatives?: tf.Tensor, options: InfoNceOptions = {}): tf.Scalar {
  const caller = 'infoNceLoss';
  const temperature = checkTemperature(caller, options.temperature ?? 0.07);
  const similarity = checkDistance(caller, 'similarity', options.similarity ?? new CosineSimilarity(), true);
  const inBatch = checkBoolean(caller, 'inBatchNegatives', options.inBatchNegatives ?? true);
  checkEmbeddings(caller, 'query', query);
  checkSameShape(caller, 'query and positive', query, positive);
  if (negatives !== undefined) {
    checkEmbeddings(caller, 'negatives', negatives, 0);
    if (negatives.shape[1] !== query.shape[1]) {
      throw new Error(`${caller}: negatives must have D = ${query.shape[1]} columns like query, received shape [${negatives.shape}]`);
    }
  }
  if (!inBatch && (negatives === undefined || negatives.shape[0] < 1)) {
    throw new Error(`${caller}: negatives must hold K >= 1 rows when inBatchNegatives is false, received ${negatives === undefined ? 'none' : `shape [${negatives.shape}]`}`);
  }
  const b = query.shape[0];

  if (!inBatch) {
    return tf.tidy(() => {
      const right = tf.div(similarity.paired(query as tf.Tensor2D, positive as tf.Tensor2D), temperature) as tf.Tensor1D; // [B], l_pos
      const wrong = tf.div(similarity.pairwise(query as tf.Tensor2D, negatives as tf.Tensor2D), temperature); // [B, K], l_neg
      // log-sum-exp of the row [l_pos, l_neg] as lse([l_pos, lse(l_neg)]): no [B, 1 + K] concat, whose
      // gradient (a split along the columns) costs more than the rest of the loss.
      const logDenominator = rowLogSumExp(tf.stack([right, rowLogSumExp(wrong as tf.Tensor2D)], 1) as tf.Tensor2D); // [B]
      return tf.mean(tf.sub(logDenominator, right)) as tf.Scalar;
    });
  }
  return tf.tidy(() => {
    const candidates = negatives === undefined ? positive : tf.concat([positive, negatives], 0); // [B + K, D]
    const logits = tf.div(similarity.pairwise(query as tf.Tensor2D, candidates as tf.Tensor2D), temperature) as tf.Tensor2D; // [B, B + K]
    const width = logits.shape[1];
    const diagonal = new Int32Array(b).map((_, i) => i * width + i); // flat index of logits[i, i]
    const right = tf.gather(tf.reshape(logits, [-1]), tf.tensor1d(diagonal, 'int32')); // [B], s(q_i, p_i) / T
    return tf.mean(tf.sub(rowLogSumExp(logits), right)) as tf.Scalar;
  });
}
