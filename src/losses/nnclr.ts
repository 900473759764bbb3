/**
 * The NNCLR loss: InfoNCE whose positives are nearest neighbours from a support set.
 *
 * Dwibedi, Aytar, Tompson, Sermanet, Zisserman, "With a Little Help from My Friends: Nearest-Neighbor
 * Contrastive Learning of Visual Representations", ICCV 2021, https://arxiv.org/abs/2104.14548
 * (eq. 2 and Algorithm 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import { nearestSupport } from '../ops/nearest-support.js';
import { checkEmbeddings, checkSameShape, checkTemperature } from './checks.js';
import { infoNceLoss } from './infonce.js';

/** Options of {@link nnclrLoss}. */
export interface NnclrLossOptions {
  /** Temperature T > 0 of the softmax over cosine similarities. Default 0.1 (the paper's, section 4). */
  temperature?: number;
}

/**
 * NNCLR over N items: z1, z2 are the projections of the two views, p1, p2 their predictions, Q the
 * support set. With NN(z, Q) the support row nearest to z in cosine similarity (no gradient) and
 * s the cosine similarity,
 *
 *     L(a, b) = -(1 / N) sum_i log( exp(s(a_i, b_i) / T) / sum_k exp(s(a_i, b_k) / T) )
 *     loss    = ( L(NN(z1, Q), p2) + L(NN(z2, Q), p1) ) / 2
 *
 * (the paper's eq. 2, symmetrised as its Algorithm 1; the negatives of a query are the other items'
 * predictions of the other view). The gradient reaches p1 and p2 only: the projections enter
 * through the nearest-neighbour lookup alone, and the projection head learns through the predictor.
 *
 * @param z1 [N, d] projections of the first view; z2 the same of the second.
 * @param p1 [N, d] predictions of the first view; p2 the same of the second.
 * @param support [K, d] the support set (e.g. a MemoryBank's rows).
 * @param options `temperature` (default 0.1).
 * @returns a scalar tensor.
 * @throws Error when the temperature is not a finite number > 0 or the shapes do not match.
 *
 * @example
 * const loss = nnclrLoss(z1, z2, predictor.apply(z1), predictor.apply(z2), bank.rows);
 */
export function nnclrLoss(
  z1: tf.Tensor2D, z2: tf.Tensor2D, p1: tf.Tensor2D, p2: tf.Tensor2D, support: tf.Tensor2D, options: NnclrLossOptions = {},
): tf.Scalar {
  const caller = 'nnclrLoss';
  const temperature = checkTemperature(caller, options.temperature ?? 0.1);
  checkEmbeddings(caller, 'z1', z1);
  for (const [name, t] of [['z1 and z2', z2], ['z1 and p1', p1], ['z1 and p2', p2]] as const) checkSameShape(caller, name, z1, t);
  checkEmbeddings(caller, 'support', support);
  if (support.shape[1] !== z1.shape[1]) {
    throw new Error(`${caller}: support must have d = ${z1.shape[1]} columns like z1, received shape [${support.shape}]`);
  }
  return tf.tidy(() => {
    const n1 = nearestSupport(z1, support), n2 = nearestSupport(z2, support);
    const a = infoNceLoss(n1.rows, p2, undefined, { temperature });
    const b = infoNceLoss(n2.rows, p1, undefined, { temperature });
    return tf.div(tf.add(a, b), 2) as tf.Scalar;
  });
}
