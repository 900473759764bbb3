/**
 * MultipleNegativesRankingLoss (MNRL): the loss sentence encoders are trained with on (anchor,
 * positive[, hard negative]) pairs, e.g. (question, answer), (definition, word), (sentence,
 * paraphrase). Henderson et al., "Efficient Natural Language Response Suggestion for Smart Reply",
 * 2017, https://arxiv.org/abs/1705.00652; sentence-transformers `losses/MultipleNegativesRankingLoss.py`
 * and `MultipleNegativesSymmetricRankingLoss.py`.
 *
 * For anchor a_i the candidates are every positive of the batch and every hard negative of the
 * batch (each anchor's own and the others'); the right one is p_i:
 *
 *     l_i  = -log( exp(scale cos(a_i, p_i)) / (sum_j exp(scale cos(a_i, p_j)) + sum_{j,m} exp(scale cos(a_i, n_jm))) )
 *     loss = (1 / B) sum_i l_i
 *
 * `scale` is the inverse temperature: sentence-transformers' default 20 is InfoNCE at T = 0.05 (the
 * value SimCSE found best, Gao et al. 2021, arXiv:2104.08821). `symmetric` adds the other direction
 * (each positive must find its anchor among all anchors, hard negatives not involved) and averages
 * the two, as MultipleNegativesSymmetricRankingLoss. In-batch negatives make a duplicate in a batch
 * (two identical positives) a false negative: sample batches without duplicates (the issue's
 * no-duplicates sampler).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkBoolean, checkEmbeddings, checkSameShape } from './checks.js';
import { infoNceLoss } from './infonce.js';

/** Options of {@link mnrlLoss}. */
export interface MnrlOptions {
  /** Inverse temperature multiplying the cosine similarities. Default 20 (sentence-transformers; T = 0.05). */
  scale?: number;
  /** Also rank anchors for each positive and average both directions. Default false. */
  symmetric?: boolean;
}

/**
 * MNRL over B (anchor, positive) pairs and optional hard negatives.
 *
 * @param anchor [B, D].
 * @param positive [B, D], row i the positive of anchor i.
 * @param negatives hard negatives: [B, D] (one per anchor) or [B * M, D] (M per anchor, anchor-major),
 *   all of them candidates for every anchor (optional).
 * @returns a scalar tensor, differentiable with respect to every input.
 */
export function mnrlLoss(anchor: tf.Tensor, positive: tf.Tensor, negatives?: tf.Tensor, options: MnrlOptions = {}): tf.Scalar {
  const caller = 'mnrlLoss';
  const scale = options.scale ?? 20;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
    throw new Error(`${caller}: scale must be a finite number > 0, received ${JSON.stringify(scale)}`);
  }
  const symmetric = checkBoolean(caller, 'symmetric', options.symmetric ?? false);
  checkEmbeddings(caller, 'anchor', anchor);
  checkSameShape(caller, 'anchor and positive', anchor, positive);
  if (negatives !== undefined) {
    checkEmbeddings(caller, 'negatives', negatives);
    const [b, d] = anchor.shape;
    if (negatives.shape[1] !== d || negatives.shape[0] % b !== 0) {
      throw new Error(`${caller}: negatives must have shape [B * M, ${d}] (M >= 1 per anchor, B = ${b}), received [${negatives.shape}]`);
    }
  }
  const temperature = 1 / scale;
  return tf.tidy(() => {
    const forward = infoNceLoss(anchor, positive, negatives, { temperature });
    if (!symmetric) return forward;
    const backward = infoNceLoss(positive, anchor, undefined, { temperature });
    return tf.div(tf.add(forward, backward), 2) as tf.Scalar;
  });
}
