/**
 * Linear probe: multinomial logistic regression on frozen embeddings, the standard linear
 * evaluation of self-supervised representations (Chen et al. 2020, section 4; lightly's and
 * solo-learn's linear benchmarks train a linear layer on frozen features). Features are
 * standardised with the training set's mean and standard deviation; weights start at zero and
 * are trained with Adam on seeded mini-batches, with L2 weight decay, so a run is deterministic.
 */
import {
  type Variable, add, argMax, losses, matMul, mul, oneHot, scalar, square, sum, tensor1d, tensor2d, tidy, train as optimizers, variable, zeros,
} from '@tensorflow/tfjs-core';
import { Rng } from '../util/random.js';
import type { Matrix } from './points.js';

export interface LinearProbeOptions {
  /** Passes over the training set. Default 100. */
  epochs?: number;
  /** Mini-batch size. Default 1024. */
  batchSize?: number;
  /** Adam learning rate. Default 0.01. */
  learningRate?: number;
  /** L2 penalty on the weights (not the bias), added to the mean cross-entropy. Default 1e-4. */
  weightDecay?: number;
  /** Seed of the mini-batch order. Default 0. */
  seed?: number;
  /** Number of classes (default: 1 + the largest training label). */
  numClasses?: number;
}

export interface LinearProbe {
  /** Predicted class of every row. */
  predict(x: Matrix): Int32Array;
  /** Top-1 accuracy (fraction) on labelled rows. */
  accuracy(x: Matrix, labels: ArrayLike<number>): number;
  dispose(): void;
}

function check(name: string, v: number, ok: boolean, want: string) {
  if (!ok) throw new Error(`linearProbe: ${name} must be ${want}, received ${v}`);
}

export function trainLinearProbe(train: Matrix, labels: ArrayLike<number>, options: LinearProbeOptions = {}): LinearProbe {
  const { epochs = 100, batchSize = 1024, learningRate = 0.01, weightDecay = 1e-4, seed = 0 } = options;
  check('epochs', epochs, Number.isInteger(epochs) && epochs >= 1, 'an integer >= 1');
  check('batchSize', batchSize, Number.isInteger(batchSize) && batchSize >= 1, 'an integer >= 1');
  check('learningRate', learningRate, learningRate > 0 && Number.isFinite(learningRate), 'a finite number > 0');
  check('weightDecay', weightDecay, weightDecay >= 0 && Number.isFinite(weightDecay), 'a finite number >= 0');
  const { values, dim: D } = train;
  const n = values.length / D;
  if (!Number.isInteger(n) || n < 1) throw new Error(`linearProbe: train must hold at least one row of dim ${D}, received ${values.length} values`);
  if (labels.length !== n) throw new Error(`linearProbe: labels has ${labels.length} labels for ${n} rows`);
  let maxLabel = 0;
  for (let i = 0; i < n; i++) maxLabel = Math.max(maxLabel, labels[i]);
  const C = options.numClasses ?? maxLabel + 1;

  // Standardisation from the training rows (float64 sums).
  const mean = new Float64Array(D), sd = new Float64Array(D);
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) mean[j] += values[i * D + j];
  for (let j = 0; j < D; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) sd[j] += (values[i * D + j] - mean[j]) ** 2;
  for (let j = 0; j < D; j++) sd[j] = Math.sqrt(sd[j] / n) || 1;
  const standardise = (x: Matrix) => {
    if (x.dim !== D) throw new Error(`linearProbe: rows must have dim ${D}, received ${x.dim}`);
    const out = new Float32Array(x.values.length);
    for (let i = 0; i < out.length; i++) out[i] = (x.values[i] - mean[i % D]) / sd[i % D];
    return out;
  };

  const X = standardise(train);
  // (inside tidy: the zeros the variables are made from are disposed, the variables are kept)
  const W: Variable = tidy(() => variable(zeros([D, C])));
  const b: Variable = tidy(() => variable(zeros([C])));
  const opt = optimizers.adam(learningRate);
  const rng = new Rng(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const xb = new Float32Array(Math.min(batchSize, n) * D);
  const yb = new Int32Array(Math.min(batchSize, n));
  for (let e = 0; e < epochs; e++) {
    rng.shuffle(order);
    for (let s = 0; s < n; s += batchSize) {
      const m = Math.min(batchSize, n - s);
      for (let r = 0; r < m; r++) {
        const k = order[s + r];
        xb.set(X.subarray(k * D, (k + 1) * D), r * D);
        yb[r] = labels[k];
      }
      const cost = opt.minimize(() => tidy(() => {
        const logits = add(matMul(tensor2d(xb.subarray(0, m * D), [m, D]), W), b);
        const ce = losses.softmaxCrossEntropy(oneHot(tensor1d(yb.subarray(0, m), 'int32'), C), logits);
        return add(ce, mul(sum(square(W)), scalar(weightDecay)));
      }) as never, false, [W, b]);
      cost?.dispose();
    }
  }
  opt.dispose();

  const predict = (x: Matrix): Int32Array => {
    const Z = standardise(x);
    const rows = Z.length / D;
    const t = tidy(() => argMax(add(matMul(tensor2d(Z, [rows, D]), W), b), 1));
    const out = Int32Array.from(t.dataSync() as Int32Array);
    t.dispose();
    return out;
  };
  return {
    predict,
    accuracy(x, y) {
      const p = predict(x);
      if (y.length !== p.length) throw new Error(`linearProbe: ${y.length} labels for ${p.length} rows`);
      let hit = 0;
      for (let i = 0; i < p.length; i++) if (p[i] === y[i]) hit++;
      return p.length ? hit / p.length : 0;
    },
    dispose() {
      W.dispose();
      b.dispose();
    },
  };
}
