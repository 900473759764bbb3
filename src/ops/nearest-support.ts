/**
 * NNCLR's nearest-neighbour lookup (Dwibedi et al. 2021, https://arxiv.org/abs/2104.14548, eq. 2):
 * NN(z, Q) = argmin_{q in Q} ||z - q|| over L2-normalised rows, i.e. the support row of largest
 * cosine similarity (as lightly's `NNMemoryBankModule`). The lookup carries no gradient: neither
 * the query nor the support set receives one through it (the paper's positives are taken from the
 * support set, a constant of the step).
 */
import * as tf from '@tensorflow/tfjs-core';
import { normalizeRows } from '../distances/cosine.js';
import { checkEmbeddings } from '../losses/checks.js';

/** The result of {@link nearestSupport}. */
export interface NearestSupport {
  /** [N, d]: row i is the support row nearest to query i (as stored in the support set). */
  rows: tf.Tensor2D;
  /** [N] int32: its index in the support set (the first one on ties). */
  indices: tf.Tensor1D;
}

/**
 * For each row of `queries` [N, d], the row of `support` [K, d] with the largest cosine similarity.
 * Both are compared normalised (zero rows stay zero); the returned rows are the support's own.
 *
 * @throws Error when the shapes are not [N, d] and [K >= 1, d].
 *
 * @example
 * const { rows } = nearestSupport(z1, bank.rows); // NNCLR's positives for the first view
 */
export function nearestSupport(queries: tf.Tensor2D, support: tf.Tensor2D): NearestSupport {
  const caller = 'nearestSupport';
  checkEmbeddings(caller, 'queries', queries);
  checkEmbeddings(caller, 'support', support);
  if (support.shape[1] !== queries.shape[1]) {
    throw new Error(`${caller}: support must have d = ${queries.shape[1]} columns like queries, received shape [${support.shape}]`);
  }
  // The queries and the chosen rows are copied out of the gradient tape (fresh tensors): argMax
  // is not differentiable, and the positives are constants of the step, so no gradient reaches the
  // queries or the support set and the backward pass does no work for the lookup.
  const n = queries.shape[0], d = queries.shape[1];
  return tf.tidy(() => {
    const q = normalizeRows(tf.tensor2d(queries.dataSync(), [n, d])); // [N, d]
    const similarity = tf.matMul(q, normalizeRows(support), false, true); // [N, K]
    const indices = tf.argMax(similarity, 1) as tf.Tensor1D; // [N]
    const rows = tf.tensor2d(tf.gather(support, indices).dataSync(), [n, d]); // [N, d]
    return { rows, indices };
  });
}
