/**
 * Triplet losses over a labelled batch: batch all, batch hard (Hermans et al. 2017), semi-hard
 * (Schroff et al. 2015, with TensorFlow Addons' semantics), and the triplet loss on given index
 * tuples that they share (where miners plug in).
 *
 * Hermans, Beyer, Leibe, "In Defense of the Triplet Loss for Person Re-Identification", 2017,
 * https://arxiv.org/abs/1703.07737 (section 2: batch hard, batch all, soft margin).
 * Schroff, Kalenichenko, Philbin, "FaceNet: A Unified Embedding for Face Recognition and
 * Clustering", CVPR 2015, https://arxiv.org/abs/1503.03832 (section 3.2: semi-hard negatives).
 *
 * All of them compute the [N, N] distance matrix once (one matMul), choose triplets on the CPU from
 * the labels (and, for hard and semi-hard, from the distance values, which are data for the choice),
 * and gather the chosen d_ap and d_an from the differentiable matrix.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Distance } from '../distances/distance.js';
import { checkEmbeddings, readLabels, type Labels } from './checks.js';
import { tripletOptions, tripletTerms } from './triplet.js';
import type { TripletMiner } from '../miners/miner.js';
import { allTriplets, hardestTriplets, semiHardTriplets, type TripletIndices } from '../miners/triplet-indices.js';

/** Options shared by the batch triplet losses. */
export interface BatchTripletOptions {
  /** m >= 0 by which the negative must be farther than the positive. Default 1 (TensorFlow Addons). */
  margin?: number;
  /** Use squared Euclidean distances. Default false. Not with `distance`. */
  squared?: boolean;
  /** Distance instead of the Euclidean one; a similarity s (isInverted) is used as d = -s. Default Euclidean. */
  distance?: Distance;
}

/** Options of {@link batchAllTripletLoss}. */
export type BatchAllTripletLossOptions = BatchTripletOptions;

/** Options of {@link batchHardTripletLoss}. */
export interface BatchHardTripletLossOptions extends BatchTripletOptions {
  /** Use softplus(d_ap - d_an) instead of the hinge (Hermans et al.; `margin` is then unused). Default false. */
  softMargin?: boolean;
}

/** Options of {@link semiHardTripletLoss}. */
export type SemiHardTripletLossOptions = BatchTripletOptions;

/** Options of {@link indexedTripletLoss}. */
export interface IndexedTripletLossOptions extends BatchHardTripletLossOptions {
  /** 'all': mean over all given triplets (default); 'nonzero': mean over those with a loss > 0. */
  average?: 'all' | 'nonzero';
}

/**
 * Batch-all triplet loss: every valid triplet (a, p, n) of the batch (a != p same label, n another
 * label), averaged over the triplets whose loss is > 0 (Hermans et al.'s "BA≠0", as Moindrot's
 * TensorFlow batch_all_triplet_loss and pytorch-metric-learning's AvgNonZeroReducer):
 *
 *     l_apn = max(0, d_ap - d_an + m)
 *     loss  = sum_{valid apn} l_apn / #{valid apn : l_apn > 0}      (0 when no triplet has a loss)
 *
 * Memory and time grow with the number of valid triplets, up to N^3.
 *
 * @param embeddings [N, D].
 * @param labels [N] integer class labels.
 * @param options `margin` (default 1), `squared` (default false), `distance` (default Euclidean).
 * @returns a scalar tensor; differentiable with respect to the embeddings.
 */
export function batchAllTripletLoss(embeddings: tf.Tensor, labels: Labels, options: BatchAllTripletLossOptions = {}): tf.Scalar {
  const caller = 'batchAllTripletLoss';
  const { margin, distance } = tripletOptions(caller, options);
  const y = readInputs(caller, embeddings, labels);
  return tf.tidy(() => {
    const d = distanceMatrix(distance, embeddings as tf.Tensor2D); // [N, N]
    return lossOnMatrix(d, allTriplets(y), margin, false, 'nonzero');
  });
}

/**
 * Batch-hard triplet loss: for each anchor a, its farthest positive and its nearest negative in the
 * batch, averaged over the anchors that have at least one positive and one negative (0 when none):
 *
 *     l_a  = max(0, max_{p: y_p = y_a, p != a} d_ap - min_{n: y_n != y_a} d_an + m)
 *            (softplus(max d_ap - min d_an) with softMargin)
 *     loss = mean_a l_a
 *
 * TensorFlow Addons' `triplet_hard_loss` averages over every anchor instead, with a made-up hardest
 * positive distance for anchors without positives; this skips such anchors.
 *
 * @param embeddings [N, D].
 * @param labels [N] integer class labels.
 * @param options `margin` (default 1), `squared` (default false), `softMargin` (default false), `distance`.
 * @returns a scalar tensor; differentiable with respect to the embeddings (through the chosen pairs).
 */
export function batchHardTripletLoss(embeddings: tf.Tensor, labels: Labels, options: BatchHardTripletLossOptions = {}): tf.Scalar {
  const caller = 'batchHardTripletLoss';
  const { margin, softMargin, distance } = tripletOptions(caller, options);
  const y = readInputs(caller, embeddings, labels);
  return tf.tidy(() => {
    const d = distanceMatrix(distance, embeddings as tf.Tensor2D); // [N, N]
    return lossOnMatrix(d, hardestTriplets(d.dataSync(), y), margin, softMargin, 'all');
  });
}

/**
 * Semi-hard triplet loss with TensorFlow Addons' `triplet_semihard_loss` semantics: for each
 * positive pair (a, p), a != p, the negative n with the smallest d_an such that d_an > d_ap (the
 * semi-hard one, FaceNet section 3.2); if there is none, the negative with the largest d_an. The loss
 * is the mean over positive pairs (0 when there is none):
 *
 *     loss = (1 / #pairs) sum_{(a, p)} max(0, d_ap - d_an(a, p) + m)
 *
 * Positive pairs whose anchor has no negative are left out (TF-Addons uses a distance of 0 for them).
 *
 * @param embeddings [N, D].
 * @param labels [N] integer class labels.
 * @param options `margin` (default 1), `squared` (default false), `distance` (default Euclidean).
 * @returns a scalar tensor; differentiable with respect to the embeddings (through the chosen pairs).
 */
export function semiHardTripletLoss(embeddings: tf.Tensor, labels: Labels, options: SemiHardTripletLossOptions = {}): tf.Scalar {
  const caller = 'semiHardTripletLoss';
  const { margin, distance } = tripletOptions(caller, options);
  const y = readInputs(caller, embeddings, labels);
  return tf.tidy(() => {
    const d = distanceMatrix(distance, embeddings as tf.Tensor2D); // [N, N]
    return lossOnMatrix(d, semiHardTriplets(d.dataSync(), y), margin, false, 'all');
  });
}

/**
 * Triplet loss on given index tuples into the batch (from a miner, or {@link allTriplets}): the
 * mean of max(0, d_ap - d_an + m) (or softplus(d_ap - d_an)) over the triplets, or over those with a
 * loss > 0 with `average: 'nonzero'`; 0 for no triplets.
 *
 * @param embeddings [N, D].
 * @param triplets T tuples of row indices in [0, N).
 * @param options `margin` (default 1), `squared`, `softMargin`, `distance`, `average` (default 'all').
 * @returns a scalar tensor; differentiable with respect to the embeddings.
 */
export function indexedTripletLoss(embeddings: tf.Tensor, triplets: TripletIndices, options: IndexedTripletLossOptions = {}): tf.Scalar {
  return indexedLoss('indexedTripletLoss', embeddings, () => triplets, options);
}

/**
 * Triplet loss on the triplets a miner chooses from the batch: `indexedTripletLoss(embeddings,
 * miner.mine(embeddings, labels), options)`. The miner ranks with its own distance, the loss uses
 * `options.distance` (as in pytorch-metric-learning, where miner and loss each hold one); the miner
 * reads values only, so gradients flow through the loss's gathered distances alone.
 *
 * @param embeddings [N, D].
 * @param labels [N] integer class labels.
 * @param miner e.g. `new BatchHardMiner()`, `new SemiHardMiner()`, `new DistanceWeightedMiner()`.
 * @param options as {@link indexedTripletLoss}: `margin` (default 1), `squared`, `softMargin`, `distance`, `average`.
 * @returns a scalar tensor (0 when the miner finds no triplet); differentiable with respect to the embeddings.
 *
 * @example
 * const loss = minedTripletLoss(z, labels, new SemiHardMiner({ margin: 0.2 }), { margin: 0.2 });
 */
export function minedTripletLoss(embeddings: tf.Tensor, labels: Labels, miner: TripletMiner, options: IndexedTripletLossOptions = {}): tf.Scalar {
  const caller = 'minedTripletLoss';
  if (typeof miner !== 'object' || miner === null || typeof miner.mine !== 'function') {
    throw new Error(`${caller}: miner must be a TripletMiner (with mine), received ${String(miner)}`);
  }
  return indexedLoss(caller, embeddings, () => miner.mine(embeddings as tf.Tensor2D, labels), options);
}

/** The triplet loss on the tuples `choose` returns, options and embeddings checked first. */
function indexedLoss(caller: string, embeddings: tf.Tensor, choose: () => TripletIndices, options: IndexedTripletLossOptions): tf.Scalar {
  const { margin, softMargin, distance } = tripletOptions(caller, options);
  const average = options.average ?? 'all';
  if (average !== 'all' && average !== 'nonzero') {
    throw new Error(`${caller}: average must be 'all' or 'nonzero', received ${String(average)}`);
  }
  checkEmbeddings(caller, 'embeddings', embeddings);
  const triplets = choose();
  const n = embeddings.shape[0];
  const { anchors, positives, negatives } = triplets;
  if (anchors.length !== positives.length || anchors.length !== negatives.length) {
    throw new Error(`${caller}: triplets must have equal lengths, received ${anchors.length}, ${positives.length} and ${negatives.length}`);
  }
  for (const list of [anchors, positives, negatives]) {
    for (const i of list) {
      if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new Error(`${caller}: triplet indices must be integers in [0, ${n}), received ${i}`);
    }
  }
  return tf.tidy(() => lossOnMatrix(distanceMatrix(distance, embeddings as tf.Tensor2D), triplets, margin, softMargin, average));
}

/** Checks embeddings [N, D] and reads the labels. */
function readInputs(caller: string, embeddings: tf.Tensor, labels: Labels): Int32Array {
  checkEmbeddings(caller, 'embeddings', embeddings);
  return readLabels(caller, labels, embeddings.shape[0]);
}

/** [N, N] distances between the rows (similarities negated: smaller is always closer). */
function distanceMatrix(distance: Distance, x: tf.Tensor2D): tf.Tensor2D {
  const d = distance.pairwise(x, x); // the same tensor twice: Euclidean's diagonal is exactly 0
  return distance.isInverted ? tf.neg(d) : d;
}

/** The triplet loss of the given triplets, gathered from d [N, N]; call inside a tidy. */
function lossOnMatrix(d: tf.Tensor2D, triplets: TripletIndices, margin: number, softMargin: boolean, average: 'all' | 'nonzero'): tf.Scalar {
  const n = d.shape[0];
  const count = triplets.anchors.length;
  if (count === 0) return tf.mul(tf.sum(d), 0) as tf.Scalar; // 0, still a function of the embeddings
  const ap = new Int32Array(count), an = new Int32Array(count);
  for (let t = 0; t < count; t++) {
    ap[t] = triplets.anchors[t] * n + triplets.positives[t];
    an[t] = triplets.anchors[t] * n + triplets.negatives[t];
  }
  const flat = tf.reshape(d, [n * n]); // [N * N]
  const dap = tf.gather(flat, tf.tensor1d(ap, 'int32')); // [T]
  const dan = tf.gather(flat, tf.tensor1d(an, 'int32')); // [T]
  const terms = tripletTerms(dap, dan, margin, softMargin); // [T]
  let divisor = count;
  if (average === 'nonzero') {
    divisor = 0;
    for (const v of terms.dataSync()) if (v > 0) divisor++;
  }
  return tf.div(tf.sum(terms), Math.max(divisor, 1)) as tf.Scalar;
}
