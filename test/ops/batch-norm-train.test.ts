import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { batchNormTrain } from '../../src/ops/batch-norm-train.js';
import { expectParity, randomArray, runOn } from '../backend/parity.js';

const eps = 1e-5;

/** tfjs's own composition: moments + batchNorm, differentiated by tfjs's registered gradients. */
function composed(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return { y: tf.batchNorm(x, mean, variance, offset, scale, eps), mean, variance };
}

/** A loss that uses every output, so the gradients through mean and variance are checked too. */
function loss(f: typeof composed, w: tf.Tensor, a: tf.Tensor, b: tf.Tensor) {
  return (x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) => {
    const { y, mean, variance } = f(x, scale, offset);
    return tf.addN([tf.sum(tf.mul(y, w)), tf.sum(tf.mul(mean, a)), tf.sum(tf.mul(variance, b))]);
  };
}

const ours = (x: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => batchNormTrain(x, s, o, eps);

describe('batchNormTrain', () => {
  for (const shape of [[7, 3], [1, 5], [2, 5, 5, 17], [3, 9, 9, 64], [64, 28, 28, 8]]) {
    const C = shape[shape.length - 1];
    const specs = [{ shape }, { shape: [C], lo: 0.5, hi: 1.5 }, { shape: [C] }, { shape }, { shape: [C] }, { shape: [C] }];
    it(`native matches the reference loops, forward and gradient, x [${shape}]`, () => {
      expectParity(specs, (x, s, o) => { const r = ours(x, s, o); return [r.y, r.mean, r.variance]; }, { rtol: 1e-4, atol: 1e-4 });
      expectParity(specs, (x, s, o, w, a, b) => tf.grads(loss(ours, w, a, b))([x, s, o]), { rtol: 1e-3, atol: 1e-4 });
    });
  }

  it('equals tfjs moments + batchNorm, forward and gradient (through mean and variance too)', () => {
    const shape = [3, 4, 4, 5];
    const data = [randomArray(240, 1, -2, 3), randomArray(5, 2, 0.5, 1.5), randomArray(5, 3), randomArray(240, 4), randomArray(5, 5), randomArray(5, 6)];
    const specs = [{ shape }, { shape: [5] }, { shape: [5] }, { shape }, { shape: [5] }, { shape: [5] }];
    for (const backend of ['cpu', 'native']) {
      const fwd = (f: typeof composed) => (x: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => { const r = f(x, s, o); return [r.y, r.mean, r.variance]; };
      const grad = (f: typeof composed) => (x: tf.Tensor, s: tf.Tensor, o: tf.Tensor, w: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.grads(loss(f, w, a, b))([x, s, o]);
      for (const make of [fwd, grad]) {
        const want = runOn(backend, specs, data, make(composed) as never).values;
        const got = runOn(backend, specs, data, make(ours) as never).values;
        for (let i = 0; i < want.length; i++) {
          for (let j = 0; j < want[i].length; j++) expect(got[i][j]).toBeCloseTo(want[i][j], 4);
        }
      }
    }
  });

  it('a single row normalises to offset (zero variance)', () => {
    const r = tf.tidy(() => batchNormTrain(tf.tensor2d([[3, -1]]), tf.tensor1d([2, 2]), tf.tensor1d([0.5, -0.5])).y.dataSync());
    expect(Array.from(r)).toEqual([0.5, -0.5]);
  });

  it('validates its arguments', () => {
    const x = tf.zeros([2, 3]);
    expect(() => batchNormTrain(x, tf.ones([4]))).toThrow(/scale must have shape \[3\].*received \[4\]/);
    expect(() => batchNormTrain(x, undefined, undefined, -1)).toThrow(/epsilon must be a finite number >= 0, received -1/);
    expect(() => batchNormTrain(tf.scalar(1))).toThrow(/rank >= 1/);
    tf.disposeVariables();
  });
});
