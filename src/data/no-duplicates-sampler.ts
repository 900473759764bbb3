/**
 * No-duplicates batch sampler: batches in which no text occurs twice. With in-batch negatives
 * (MNRL, SimCSE, InfoNCE) a text that appears in two pairs of one batch is the positive of one
 * anchor and, at the same time, a negative of it: a false negative that pushes identical texts
 * apart. sentence-transformers' `NoDuplicatesBatchSampler` (`sampler.py`) fills each batch from a
 * shuffled order, deferring an item whose texts are already in the batch to a later batch; this is
 * the same. Items that cannot fill a last whole batch without a duplicate are left out of the epoch
 * (as the trainer drops its last partial batch). Seeded: the same (seed, epoch) gives the same order.
 */
import { Rng } from '../util/random.js';
import type { BatchSampler } from './m-per-class-sampler.js';

export interface NoDuplicatesOptions {
  /** Items per batch. */
  batchSize: number;
  /** Seed of the shuffles. Default 0. */
  seed?: number;
}

export class NoDuplicatesSampler implements BatchSampler {
  readonly batchSize: number;
  readonly seed: number;
  private readonly keys: readonly (readonly string[])[];

  /**
   * @param keys the texts of each item (e.g. [anchor, positive, negative]); two items with a text in
   *   common never share a batch.
   */
  constructor(keys: readonly (readonly string[] | string)[], options: NoDuplicatesOptions) {
    const { batchSize, seed = 0 } = options ?? ({} as NoDuplicatesOptions);
    if (!Array.isArray(keys)) throw new Error(`NoDuplicatesSampler: keys must be an array (the texts of each item), received ${String(keys)}`);
    if (!Number.isInteger(batchSize) || batchSize < 2) throw new Error(`NoDuplicatesSampler: batchSize must be an integer >= 2, received ${JSON.stringify(batchSize)}`);
    if (keys.length < batchSize) throw new Error(`NoDuplicatesSampler: the data must hold at least one batch of ${batchSize} items, received ${keys.length}`);
    if (!Number.isInteger(seed)) throw new Error(`NoDuplicatesSampler: seed must be an integer, received ${JSON.stringify(seed)}`);
    this.keys = keys.map((k) => (typeof k === 'string' ? [k] : k));
    this.batchSize = batchSize;
    this.seed = seed;
  }

  epochOrder(epoch: number): Int32Array {
    const n = this.keys.length, b = this.batchSize;
    let remaining = new Rng(this.seed * 1000003 + epoch + 17).shuffle(Int32Array.from({ length: n }, (_, i) => i));
    const order: number[] = [];
    while (remaining.length >= b) {
      const batch: number[] = [], seen = new Set<string>(), deferred: number[] = [];
      let k = 0;
      for (; k < remaining.length && batch.length < b; k++) {
        const i = remaining[k];
        if (this.keys[i].some((t) => seen.has(t))) {
          deferred.push(i);
          continue;
        }
        batch.push(i);
        for (const t of this.keys[i]) seen.add(t);
      }
      if (batch.length < b) break; // no whole batch without a duplicate is left
      order.push(...batch);
      remaining = Int32Array.from([...deferred, ...remaining.subarray(k)]);
    }
    return Int32Array.from(order);
  }
}
