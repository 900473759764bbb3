/**
 * Helpers for the miner tests: float64 distance matrices written the slow obvious way, and a
 * `mine` wrapper that makes the embeddings tensor, runs the miner and checks that no tensor leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { PairIndices, PairMiner, TripletIndices, TripletMiner } from '../../src/index.js';
import { cosine, euclidean, rows, type Rows } from '../losses/reference.js';

/** [n][n] float64 distances, smaller is closer: Euclidean, or -cosine for the cosine similarity. */
export function distances(z: Rows, kind: 'euclidean' | 'cosine' = 'euclidean'): number[][] {
  return z.map((x) => z.map((y) => (kind === 'cosine' ? -cosine(x, y) : euclidean(x, y))));
}

/** Rows scaled to unit length (float64). */
export function unitRows(z: Rows): Rows {
  return z.map((x) => {
    const norm = Math.sqrt(x.reduce((s, v) => s + v * v, 0));
    return x.map((v) => v / norm);
  });
}

/** values [n * d] as float64 rows. */
export function asRows(values: Float32Array, n: number, d: number): Rows {
  return rows(values, n, d);
}

/** miner.mine on a tensor made from values [n, d], with a leak check. */
export function mine<M extends TripletMiner | PairMiner>(
  miner: M,
  values: ArrayLike<number>,
  shape: [number, number],
  labels: number[] | Int32Array,
): M extends PairMiner ? PairIndices : TripletIndices {
  const before = tf.memory().numTensors;
  const z = tf.tensor2d(Float32Array.from(values), shape);
  const out = miner.mine(z, labels);
  z.dispose();
  expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
  return out as M extends PairMiner ? PairIndices : TripletIndices;
}

/** Triplets as plain arrays, for toEqual on readable values. */
export function triplets(t: TripletIndices): { anchors: number[]; positives: number[]; negatives: number[] } {
  return { anchors: Array.from(t.anchors), positives: Array.from(t.positives), negatives: Array.from(t.negatives) };
}

/** Pairs as plain arrays. */
export function pairs(p: PairIndices): { anchors: number[]; others: number[]; similar: number[] } {
  return { anchors: Array.from(p.anchors), others: Array.from(p.others), similar: Array.from(p.similar) };
}
