/**
 * CoSENT: a ranking loss for scored sentence pairs (STS-style gold similarity scores). Su Jianlin,
 * "CoSENT: a more efficient sentence vector scheme than Sentence-BERT", 2022,
 * https://kexue.fm/archives/8847; sentence-transformers `losses/CoSENTLoss.py`.
 *
 * For pairs (u_i, v_i) with gold scores s_i and cosine similarities c_i = cos(u_i, v_i), every pair
 * of pairs that the gold scores order (s_i > s_j) should be ordered the same way by the cosines:
 *
 *     loss = log( 1 + sum_{(i, j): s_i > s_j} exp(scale (c_j - c_i)) )
 *
 * Only the order of the scores matters (any monotone rescaling of the labels gives the same loss),
 * unlike CosineSimilarityLoss's MSE to the scores. `scale` 20 is the paper's and
 * sentence-transformers' default. With no ordered pair (all scores equal) the loss is log 1 = 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkEmbeddings, checkSameShape } from './checks.js';

/** Options of {@link coSentLoss}. */
export interface CoSentOptions {
  /** Multiplies the cosine differences. Default 20. */
  scale?: number;
}

/**
 * @param u [B, D] first sentence of each pair.
 * @param v [B, D] second sentence of each pair.
 * @param scores B gold similarity scores (any scale; only their order is used).
 * @returns a scalar tensor, differentiable with respect to u and v.
 */
export function coSentLoss(u: tf.Tensor, v: tf.Tensor, scores: ArrayLike<number> | tf.Tensor1D, options: CoSentOptions = {}): tf.Scalar {
  const caller = 'coSentLoss';
  const scale = options.scale ?? 20;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
    throw new Error(`${caller}: scale must be a finite number > 0, received ${JSON.stringify(scale)}`);
  }
  checkEmbeddings(caller, 'u', u);
  checkSameShape(caller, 'u and v', u, v);
  const b = u.shape[0];
  const s = scores instanceof tf.Tensor ? (scores.dataSync() as Float32Array) : scores;
  if (s.length !== b) throw new Error(`${caller}: scores must hold B = ${b} values (one per pair), received ${s.length}`);
  for (let i = 0; i < b; i++) {
    if (!Number.isFinite(s[i])) throw new Error(`${caller}: scores must be finite numbers, received ${s[i]} at ${i}`);
  }
  // ordered[i, j] = 1 where s_i > s_j: the pairs whose cosine difference c_j - c_i is penalised.
  const ordered = new Float32Array(b * b);
  let any = false;
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < b; j++) {
      if (s[i] > s[j]) {
        ordered[i * b + j] = 1;
        any = true;
      }
    }
  }
  return tf.tidy(() => {
    const un = tf.div(u, tf.maximum(tf.norm(u, 'euclidean', 1, true), 1e-12));
    const vn = tf.div(v, tf.maximum(tf.norm(v, 'euclidean', 1, true), 1e-12));
    const c = tf.sum(tf.mul(un, vn), 1); // [B] cosines
    if (!any) return tf.mul(tf.sum(c), 0) as tf.Scalar; // log(1 + 0), still connected to the graph
    const diff = tf.mul(tf.sub(tf.expandDims(c, 0), tf.expandDims(c, 1)), scale); // [B, B]: scale (c_j - c_i)
    // log(1 + sum over ordered pairs of exp(diff)) = logsumexp([0, diff where ordered]), stable:
    const masked = tf.where(tf.cast(tf.tensor2d(ordered, [b, b]), 'bool'), diff, tf.fill([b, b], -Infinity));
    const all = tf.concat([tf.zeros([1]), tf.reshape(masked, [b * b])]);
    return tf.logSumExp(all) as tf.Scalar;
  });
}
