/**
 * The run protocol: which items a run trains on and which it is judged on, the same for `train`,
 * `eval` and `embed`, for every source:
 *
 * 1. the fixed split (split.ts: stratified by class, seed 0, 1/7 held out; an unlabelled source is
 *    split the same way as if all its items had one class);
 * 2. `limit` N: a seeded sample of N training items (Rng(seed), the run's seed), and for
 *    evaluation also round(N * 1/6) held-out items (the split's 6 : 1), so a quick check of a run
 *    trained with --limit costs seconds, not a full pass;
 * 3. `labelsPerClass` K: K labelled items per class among those (labelledSubset, same seed): the
 *    labels a supervised run trains on and the kNN bank / probe of a few-labels evaluation;
 * 4. the kNN monitor's fixed subsets (5,000 bank, 1,000 queries, Rng(12345)).
 */
import { Rng } from '../util/random.js';
import { labelledSubset, stratifiedSplit } from './split.js';

export interface ProtocolOptions {
  /** Training items to sample (absent: the whole training split). */
  limit?: number;
  /** Labelled training items per class to keep (absent: all). */
  labelsPerClass?: number;
  /** Seed of the limit sample and of the labelled subset (the run's seed). Default 0. */
  seed?: number;
  /** Seed of the labelled subset when it differs from `seed` (eval --seed). Default: seed. */
  labelsSeed?: number;
}

export interface ProtocolItems {
  /** The training split's items after `limit` (the unlabelled pool). */
  pool: Int32Array;
  /** The items to train on / the labelled bank: the pool, or its `labelsPerClass` subset. */
  train: Int32Array;
  /** Held-out items (after `limit` when `limitTest`). */
  test: Int32Array;
}

function check<O extends ProtocolOptions>(options: O): O & { seed: number } {
  const { limit, labelsPerClass, seed = 0 } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new Error(`protocol: limit must be an integer >= 1, received ${limit}`);
  if (labelsPerClass !== undefined && (!Number.isInteger(labelsPerClass) || labelsPerClass < 1)) throw new Error(`protocol: labelsPerClass must be an integer >= 1, received ${labelsPerClass}`);
  if (!Number.isInteger(seed)) throw new Error(`protocol: seed must be an integer, received ${seed}`);
  if (options.labelsSeed !== undefined && !Number.isInteger(options.labelsSeed)) throw new Error(`protocol: labelsSeed must be an integer, received ${options.labelsSeed}`);
  return { ...options, seed };
}

/** A seeded sample of n of `items`, ascending (all of them when n >= their count). */
export function seededSample(items: Int32Array, n: number, seed: number): Int32Array {
  if (n >= items.length) return items;
  return new Rng(seed).shuffle(Int32Array.from(items)).subarray(0, n).sort();
}

/**
 * The items of a run over a source of `size` items with `labels` (absent or -1: unlabelled).
 * `limitTest`: also sample the held-out items (evaluation; training never reads them but the monitor).
 */
export function protocolItems(size: number, labels: Int32Array | undefined, options: ProtocolOptions & { limitTest?: boolean } = {}): ProtocolItems {
  const o = check(options);
  const split = stratifiedSplit(labels ?? new Int32Array(size));
  const pool = o.limit !== undefined ? seededSample(split.train, o.limit, o.seed) : split.train;
  let train = pool;
  if (o.labelsPerClass !== undefined) {
    if (!labels) throw new Error('protocol: labelsPerClass needs labelled items, the source has no labels');
    const labelled = pool.filter((i) => labels[i] >= 0);
    train = labelledSubset(labelled, labels, o.labelsPerClass, o.labelsSeed ?? o.seed);
  }
  const test = o.limitTest && o.limit !== undefined ? seededSample(split.test, Math.max(1, Math.round(o.limit / 6)), o.seed) : split.test;
  return { pool, train, test };
}

/** The kNN monitor's bank and queries: fixed seeded subsets of at most 5,000 / 1,000 labelled items. */
export function monitorItems(train: Int32Array, test: Int32Array, labels: Int32Array | undefined, sizes = { bank: 5000, queries: 1000 }): { bank: Int32Array; queries: Int32Array } | null {
  if (!labels) return null;
  const labelled = (idx: Int32Array) => idx.filter((i) => labels[i] >= 0);
  const pick = (idx: Int32Array, n: number) => (idx.length <= n ? idx : new Rng(12345).shuffle(Int32Array.from(idx)).subarray(0, n).sort());
  const bank = pick(labelled(train), sizes.bank), queries = pick(labelled(test), sizes.queries);
  return bank.length > 0 && queries.length > 0 ? { bank, queries } : null;
}
