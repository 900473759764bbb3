/**
 * The contrastive (siamese, margin) loss of Hadsell, Chopra and LeCun, on given row pairs
 * (`contrastiveLoss`) or on index pairs into one batch from a pair miner (`pairContrastiveLoss`).
 *
 * Hadsell, Chopra, LeCun, "Dimensionality Reduction by Learning an Invariant Mapping", CVPR 2006,
 * https://doi.org/10.1109/CVPR.2006.100 (eq. 4; the paper has no arXiv version). The paper's label
 * Y is 0 for similar pairs; ours, `similar`, is 1 for similar pairs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Distance } from '../distances/distance.js';
import { EuclideanDistance } from '../distances/euclidean.js';
import type { PairIndices } from '../miners/miner.js';
import { checkDistance, checkEmbeddings, checkMargin, checkSameShape, isTensor } from './checks.js';

/** Options of {@link contrastiveLoss}. */
export interface ContrastiveLossOptions {
  /** m >= 0: dissimilar pairs closer than m are pushed apart, farther ones cost nothing. Default 1. */
  margin?: number;
  /** Distance D between the two rows of a pair (not a similarity). Default Euclidean (the paper's). */
  distance?: Distance;
}

/** 1 for a similar pair, 0 for a dissimilar one: a 1-D tensor [N] or an array of N numbers. */
export type PairLabels = tf.Tensor1D | ArrayLike<number>;

/**
 * Contrastive loss over N pairs (a_i, b_i) with D_i = ||a_i - b_i||_2 and y_i = similar_i:
 *
 *     loss = (1 / N) sum_i [ y_i * 0.5 * D_i^2 + (1 - y_i) * 0.5 * max(0, m - D_i)^2 ]
 *
 * Similar pairs are pulled together, dissimilar pairs pushed to at least the margin m. At D_i = 0
 * the Euclidean distance's gradient is taken as 0 (see EuclideanDistance), so a dissimilar pair of
 * identical rows gets no gradient (no direction is preferred).
 *
 * @param a [N, D] first rows of the pairs (N >= 1).
 * @param b [N, D] second rows, row i pairs with row i of a.
 * @param similar [N] of 0 (dissimilar) or 1 (similar).
 * @param options `margin` (default 1), `distance` (default Euclidean).
 * @returns a scalar tensor; differentiable with respect to a and b.
 * @throws Error when the margin is not a finite number >= 0, the shapes differ, or `similar` is not N values of 0 or 1.
 *
 * @example
 * const loss = contrastiveLoss(encoder.apply(left), encoder.apply(right), [1, 0, 1], { margin: 2 });
 */
export function contrastiveLoss(a: tf.Tensor, b: tf.Tensor, similar: PairLabels, options: ContrastiveLossOptions = {}): tf.Scalar {
  const caller = 'contrastiveLoss';
  const margin = checkMargin(caller, options.margin ?? 1);
  const distance = checkDistance(caller, 'distance', options.distance ?? new EuclideanDistance(), false);
  checkEmbeddings(caller, 'a', a);
  checkSameShape(caller, 'a and b', a, b);
  const n = a.shape[0];
  const y = readPairLabels(caller, similar, n);

  return tf.tidy(() => {
    const d = distance.paired(a as tf.Tensor2D, b as tf.Tensor2D); // [N]
    const target = tf.tensor1d(y); // [N], 1 = similar
    const pull = tf.mul(target, tf.square(d)); // [N]
    const push = tf.mul(tf.sub(1, target), tf.square(tf.relu(tf.sub(margin, d)))); // [N]
    return tf.div(tf.sum(tf.add(pull, push)), 2 * n) as tf.Scalar;
  });
}

/**
 * Contrastive loss on index pairs into one batch (from a pair miner such as
 * `HardNegativePairMiner`): the rows anchors[t] and others[t] are gathered from the embeddings and
 * passed to {@link contrastiveLoss} with `similar`, so
 *
 *     loss = (1 / T) sum_t [ s_t * 0.5 * D_t^2 + (1 - s_t) * 0.5 * max(0, m - D_t)^2 ]
 *
 * over the T pairs, D_t = ||z_{anchors[t]} - z_{others[t]}||. 0 (still a function of the
 * embeddings, with a zero gradient) when there is no pair.
 *
 * @param embeddings [N, D].
 * @param pairs T pairs of row indices in [0, N) with their 0/1 `similar` flags.
 * @param options `margin` (default 1), `distance` (default Euclidean).
 * @returns a scalar tensor; differentiable with respect to the embeddings.
 * @throws Error on a bad margin or distance, pair lists of unequal lengths, indices outside [0, N) or flags other than 0/1.
 *
 * @example
 * const loss = pairContrastiveLoss(z, new HardNegativePairMiner().mine(z, labels), { margin: 1 });
 */
export function pairContrastiveLoss(embeddings: tf.Tensor, pairs: PairIndices, options: ContrastiveLossOptions = {}): tf.Scalar {
  const caller = 'pairContrastiveLoss';
  const margin = checkMargin(caller, options.margin ?? 1);
  const distance = checkDistance(caller, 'distance', options.distance ?? new EuclideanDistance(), false);
  checkEmbeddings(caller, 'embeddings', embeddings);
  const n = embeddings.shape[0];
  if (pairs === null || typeof pairs !== 'object' || !pairs.anchors || !pairs.others || !pairs.similar) {
    throw new Error(`${caller}: pairs must be PairIndices {anchors, others, similar}, received ${String(pairs)}`);
  }
  const { anchors, others, similar } = pairs;
  if (anchors.length !== others.length || anchors.length !== similar.length) {
    throw new Error(`${caller}: pairs must have equal lengths, received ${anchors.length}, ${others.length} and ${similar.length}`);
  }
  for (const list of [anchors, others]) {
    for (const i of list) {
      if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new Error(`${caller}: pair indices must be integers in [0, ${n}), received ${i}`);
    }
  }
  const y = readPairLabels(caller, similar, similar.length);
  if (anchors.length === 0) return tf.tidy(() => tf.mul(tf.sum(tf.square(embeddings)), 0) as tf.Scalar); // +0, a function of the embeddings
  return tf.tidy(() => {
    const a = tf.gather(embeddings, tf.tensor1d(Int32Array.from(anchors), 'int32')) as tf.Tensor2D; // [T, D]
    const b = tf.gather(embeddings, tf.tensor1d(Int32Array.from(others), 'int32')) as tf.Tensor2D; // [T, D]
    return contrastiveLoss(a, b, y, { margin, distance });
  });
}

/** The 0/1 pair labels as a Float32Array of length n. */
function readPairLabels(caller: string, similar: PairLabels, n: number): Float32Array {
  let values: ArrayLike<number>;
  if (isTensor(similar)) {
    if (similar.rank !== 1) throw new Error(`${caller}: similar must be 1-D [N], received shape [${similar.shape}]`);
    values = similar.dataSync();
  } else if (similar !== null && typeof similar === 'object' && typeof similar.length === 'number') {
    values = similar;
  } else {
    throw new Error(`${caller}: similar must be a 1-D tensor or an array of 0/1, received ${String(similar)}`);
  }
  if (values.length !== n) throw new Error(`${caller}: similar must have one entry per pair (${n}), received ${values.length}`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (values[i] !== 0 && values[i] !== 1) throw new Error(`${caller}: similar must be 0 or 1, received ${String(values[i])} at index ${i}`);
    out[i] = values[i];
  }
  return out;
}
