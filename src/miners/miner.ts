/**
 * The miner interfaces (after pytorch-metric-learning's `miners/base_miner.py`): a miner looks at
 * a batch of embeddings and their labels and returns index tuples into the batch, the triplets or
 * pairs a loss should use. Distances are read back as data (`dataSync` inside a tidy); a miner
 * returns plain typed arrays, keeps no tensor and never creates gradients. The loss then gathers
 * the chosen rows or distances from the differentiable embeddings (`indexedTripletLoss`,
 * `pairContrastiveLoss`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Distance } from '../distances/distance.js';
import { normalizeRows } from '../distances/cosine.js';
import { EuclideanDistance } from '../distances/euclidean.js';
import { checkDistance, checkEmbeddings, readLabels, type Labels } from '../losses/checks.js';

/** Triplets (anchors[t], positives[t], negatives[t]) as row indices into a batch. */
export interface TripletIndices {
  readonly anchors: Int32Array;
  readonly positives: Int32Array;
  readonly negatives: Int32Array;
}

/**
 * Ordered pairs (anchors[t], others[t]) as row indices into a batch, with similar[t] = 1 when the
 * two rows share a label (a positive pair) and 0 otherwise (a negative pair).
 *
 * pytorch-metric-learning's pair miners return (a1, p, a2, n): positive and negative pairs as two
 * lists. Here they are one list with a flag, the form `contrastiveLoss` takes (`similar`), so that
 * `pairContrastiveLoss(z, pairs)` needs no reassembly. A miner lists its positive pairs first.
 */
export interface PairIndices {
  readonly anchors: Int32Array;
  readonly others: Int32Array;
  /** 1 for a positive (same-label) pair, 0 for a negative pair. */
  readonly similar: Uint8Array;
}

/** Chooses triplets from a labelled batch. */
export interface TripletMiner {
  /** Short name for messages and reports, e.g. 'batch-hard'. */
  readonly name: string;
  /**
   * @param embeddings [N, D].
   * @param labels [N] integer class labels.
   * @returns triplets of row indices in [0, N): anchors[t] and positives[t] share a label, negatives[t] has another.
   */
  mine(embeddings: tf.Tensor2D, labels: Labels): TripletIndices;
}

/** Chooses positive and negative pairs from a labelled batch. */
export interface PairMiner {
  /** Short name for messages and reports, e.g. 'hard-negative-pair'. */
  readonly name: string;
  /**
   * @param embeddings [N, D].
   * @param labels [N] integer class labels.
   * @returns ordered pairs of row indices in [0, N), each flagged similar (1) or not (0).
   */
  mine(embeddings: tf.Tensor2D, labels: Labels): PairIndices;
}

/** Options every miner takes. */
export interface MinerOptions {
  /** The distance the miner ranks by; a similarity (isInverted) is used as d = -s. Default Euclidean. */
  distance?: Distance;
}

/** The validated distance of a miner's options (Euclidean by default). */
export function minerDistance(caller: string, options: MinerOptions): Distance {
  if (options === null || typeof options !== 'object') throw new Error(`${caller}: options must be an object, received ${String(options)}`);
  return checkDistance(caller, 'distance', options.distance ?? new EuclideanDistance());
}

/** A batch as a miner sees it: n rows, their labels, and the [n, n] distances row-major (smaller is closer). */
export interface MinerBatch {
  readonly n: number;
  readonly labels: Int32Array;
  readonly d: Float32Array;
}

/**
 * Checks the embeddings [N, D] and the labels, and reads the [N, N] distances (a similarity s as
 * d = -s) back as data, inside a tidy: no tensor is kept and nothing is differentiated. With
 * `normalize` the rows are scaled to unit length first.
 */
export function readBatch(caller: string, distance: Distance, embeddings: tf.Tensor2D, labels: Labels, normalize = false): MinerBatch {
  checkEmbeddings(caller, 'embeddings', embeddings);
  const n = embeddings.shape[0];
  const y = readLabels(caller, labels, n);
  const d = tf.tidy(() => {
    const x = normalize ? normalizeRows(embeddings) : embeddings; // [N, D]
    const m = distance.pairwise(x, x); // [N, N]
    // A copy taken while the tensor lives: a backend may recycle the buffer once it is disposed.
    return Float32Array.from((distance.isInverted ? tf.neg(m) : m).dataSync());
  });
  return { n, labels: y, d };
}
