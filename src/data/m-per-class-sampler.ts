/**
 * M-per-class batch sampler: every batch holds `batchSize / m` distinct classes with `m` items of
 * each, so that label-based losses and miners (SupCon, batch-hard and semi-hard triplets) always
 * find positives in a batch. The idea of pytorch-metric-learning's `MPerClassSampler` and of the
 * P x K batches of Hermans, Beyer, Leibe 2017 ("In Defense of the Triplet Loss for Person
 * Re-Identification", https://arxiv.org/abs/1703.07737, P classes x K images).
 *
 * An epoch has floor(size / batchSize) batches, as the trainer's shuffled order. For each batch
 * the classes are drawn uniformly without replacement among the classes that have items; the items
 * of a class come from a per-class queue, reshuffled when it runs out, so every item is used about
 * equally often and a class with fewer than m items repeats some of them within a batch. Seeded:
 * the same (seed, epoch) gives the same order.
 */
import { Rng } from '../util/random.js';

/** What the trainer asks a sampler for: the item order of one epoch (batches are consecutive). */
export interface BatchSampler {
  /** The batch size the order is made for (the trainer checks it equals its own), when fixed. */
  readonly batchSize?: number;
  /** Item indices in [0, size) for `epoch`; batch s is entries [s * batchSize, (s + 1) * batchSize). */
  epochOrder(epoch: number): Int32Array;
}

export interface MPerClassOptions {
  /** Items per class in a batch. Default 4 (Hermans et al.'s K). */
  m?: number;
  /** Items per batch, a multiple of m with batchSize / m <= the number of classes. */
  batchSize: number;
  /** Seed of the draws. Default 0. */
  seed?: number;
}

export class MPerClassSampler implements BatchSampler {
  readonly m: number;
  readonly batchSize: number;
  readonly seed: number;
  private readonly byClass: Int32Array[];

  /** @param labels the class of every item (integers >= 0), e.g. an ImageDataset's labels. */
  constructor(labels: ArrayLike<number>, options: MPerClassOptions) {
    const { m = 4, batchSize, seed = 0 } = options;
    const fail = (name: string, want: string, got: unknown) => {
      throw new Error(`MPerClassSampler: ${name} must be ${want}, received ${JSON.stringify(got)}`);
    };
    if (!Number.isInteger(m) || m < 1) fail('m', 'an integer >= 1', m);
    if (!Number.isInteger(batchSize) || batchSize < m || batchSize % m !== 0) fail('batchSize', `a positive multiple of m = ${m}`, batchSize);
    if (!Number.isInteger(seed)) fail('seed', 'an integer', seed);
    const lists = new Map<number, number[]>();
    for (let i = 0; i < labels.length; i++) {
      const c = labels[i];
      if (!Number.isInteger(c) || c < 0) fail(`labels[${i}]`, 'an integer >= 0', c);
      let list = lists.get(c);
      if (!list) lists.set(c, (list = []));
      list.push(i);
    }
    this.byClass = [...lists.keys()].sort((a, b) => a - b).map((c) => Int32Array.from(lists.get(c)!));
    const classesPerBatch = batchSize / m;
    if (classesPerBatch > this.byClass.length) {
      fail('batchSize / m', `at most the number of classes (${this.byClass.length})`, classesPerBatch);
    }
    if (labels.length < batchSize) fail('batchSize', `at most the number of items (${labels.length})`, batchSize);
    this.m = m;
    this.batchSize = batchSize;
    this.seed = seed;
  }

  /** Number of items (the length of every epoch's data set). */
  get size(): number {
    return this.byClass.reduce((s, c) => s + c.length, 0);
  }

  epochOrder(epoch: number): Int32Array {
    if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`MPerClassSampler: epoch must be an integer >= 0, received ${epoch}`);
    const rng = new Rng((this.seed * 1000003 + epoch * 7919 + 17) | 0);
    const batches = Math.floor(this.size / this.batchSize);
    const out = new Int32Array(batches * this.batchSize);
    const queues = this.byClass.map((c) => rng.shuffle(Int32Array.from(c)));
    const next = new Int32Array(queues.length);
    const classes = Int32Array.from({ length: queues.length }, (_, i) => i);
    const perBatch = this.batchSize / this.m;
    let o = 0;
    for (let b = 0; b < batches; b++) {
      // A partial Fisher-Yates shuffle picks perBatch distinct classes.
      for (let i = 0; i < perBatch; i++) {
        const j = i + rng.int(classes.length - i);
        const t = classes[i]; classes[i] = classes[j]; classes[j] = t;
        const q = queues[classes[i]];
        for (let k = 0; k < this.m; k++) {
          if (next[classes[i]] === q.length) {
            rng.shuffle(q);
            next[classes[i]] = 0;
          }
          out[o++] = q[next[classes[i]]++];
        }
      }
    }
    return out;
  }
}
