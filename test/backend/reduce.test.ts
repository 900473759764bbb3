/**
 * Parity of the native reductions (Sum, Mean, Max, Min, ArgMax) with tfjs's cpu kernels over
 * axis 0, the last axis, a middle axis, several contiguous and non-contiguous axes (transposed
 * first) and all axes, keepDims true and false, on shapes from [1] to [100003], plus the
 * precision of 1e6-element sums, NaN and tie semantics, and gradients. Sum and mean accumulate in
 * double on both backends: tolerance 1e-5 relative (1e-6 absolute for sums that cancel to ~0;
 * 1e-7 absolute for the means of 1e6 elements, where cpu rounds every x / n first).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { reducePlan } from '../../src/backend/kernels/reduce.js';
import { countAddonCalls, expectParity, runOn } from './parity.js';

const TOL = { rtol: 1e-5, atol: 1e-6 };

const REDUCERS: { kernel: string; op: (x: tf.Tensor, axis: number | number[] | null, keepDims: boolean) => tf.Tensor }[] = [
  { kernel: 'Sum', op: (x, axis, keepDims) => tf.sum(x, axis ?? undefined, keepDims) },
  { kernel: 'Mean', op: (x, axis, keepDims) => tf.mean(x, axis ?? undefined, keepDims) },
  { kernel: 'Max', op: (x, axis, keepDims) => tf.max(x, axis ?? undefined, keepDims) },
  { kernel: 'Min', op: (x, axis, keepDims) => tf.min(x, axis ?? undefined, keepDims) },
];

// [shape, axis lists]: first axis, last axis, middle axes, several (contiguous and not), all (null).
const CASES: [number[], (number | number[] | null)[]][] = [
  [[1], [0, null]],
  [[5], [0, -1, null]],
  [[3, 4], [0, 1, [0, 1], null]],
  [[64, 1000], [0, 1, -1, null]],
  [[2, 3, 4, 5], [0, 1, 2, 3, [1, 2], [0, 1], [2, 3], [0, 2], [1, 3], [0, 3], [0, 1, 3], [3, 1], null]],
  [[100003], [0, null]],
  [[1, 100003], [0, 1]],
  [[100003, 3], [0, 1]],
  [[7, 1, 9], [0, 1, 2, [0, 2], [1, 2]]],
];


describe('registration', () => {
  it('every reduction kernel is overridden on native and taken for float32', () => {
    for (const name of ['Sum', 'Mean', 'Max', 'Min', 'ArgMax']) {
      expect(tf.getKernel(name, 'native')!.kernelFunc, name).not.toBe(tf.getKernel(name, 'cpu')!.kernelFunc);
    }
    tf.setBackend('native');
    const x = tf.ones([4, 5]), i = tf.ones([4, 5], 'int32');
    expect(countAddonCalls('reduce', () => tf.dispose([tf.sum(x, 0), tf.mean(x, 1), tf.max(x), tf.min(x, [0, 1], true)]))).toBe(4);
    expect(countAddonCalls('argMax', () => tf.dispose(tf.argMax(x, 1)))).toBe(1);
    expect(countAddonCalls('reduce', () => tf.dispose(tf.sum(i, 0)))).toBe(0);
    tf.dispose([x, i]);
  });
});

describe('reducePlan', () => {
  it('views contiguous reduced axes as [A, R, B] and transposes the others', () => {
    expect(reducePlan([64, 1000], [1])).toEqual({ perm: null, A: 64, R: 1000, B: 1 });
    expect(reducePlan([64, 1000], [0])).toEqual({ perm: null, A: 1, R: 64, B: 1000 });
    expect(reducePlan([2, 3, 4, 5], [1, 2])).toEqual({ perm: null, A: 2, R: 12, B: 5 });
    expect(reducePlan([2, 3, 4, 5], [0, 2])).toEqual({ perm: [1, 3, 0, 2], A: 15, R: 8, B: 1 });
    // Size-1 dims do not break contiguity.
    expect(reducePlan([7, 1, 9], [0, 2])).toEqual({ perm: null, A: 1, R: 63, B: 1 });
    expect(reducePlan([7, 1, 9], [1])).toEqual({ perm: null, A: 63, R: 1, B: 1 });
  });
});

describe('reduction parity', () => {
  for (const { kernel, op } of REDUCERS) {
    for (const [shape, axes] of CASES) {
      it(`${kernel} of [${shape}]`, () => {
        for (const axis of axes) {
          for (const keepDims of [false, true]) expectParity([{ shape }], (x) => op(x, axis, keepDims), TOL);
        }
      });
    }
  }
  it('ArgMax over every axis', () => {
    for (const [shape] of CASES) {
      for (let axis = 0; axis < shape.length; axis++) expectParity([{ shape }], (x) => tf.argMax(x, axis), { rtol: 0, atol: 0 });
      expectParity([{ shape }], (x) => tf.argMax(x, -1), { rtol: 0, atol: 0 });
    }
  });
  it('scalars', () => {
    for (const { op } of REDUCERS) {
      expectParity([{ shape: [] }], (x) => op(x, null, false));
      expectParity([{ shape: [] }], (x) => op(x, null, true));
    }
  });
  it('empty tensors', () => {
    expectParity([{ shape: [0, 5] }], (x) => [tf.sum(x, 0), tf.mean(x, 1), tf.max(x, 1), tf.min(x, 1, true), tf.sum(x, 1)]);
    expectParity([{ shape: [4, 0] }], (x) => [tf.sum(x, 1), tf.sum(x, 0), tf.sum(x)]);
  });
  it('int32 falls back to cpu', () => {
    const spec = { shape: [13, 17], lo: -9, hi: 9, dtype: 'int32' as const };
    expectParity([spec], (x) => [tf.sum(x, 0), tf.max(x, 1), tf.min(x), tf.argMax(x, 0)], { rtol: 0, atol: 0 });
  });
});

describe('precision and special values', () => {
  it('sums of 1e6 elements match cpu (double accumulation on both) within 1e-5 relative', () => {
    // [0, 1): no cancellation; [-1, 1): the sum cancels to ~sqrt(n), the hard case for float sums.
    for (const [lo, hi] of [[0, 1], [-1, 1]]) {
      for (const [shape, axis] of [[[1000000], 0], [[1000, 1000], 0], [[1000, 1000], 1], [[4, 250000], 1], [[250000, 4], 0]] as [number[], number][]) {
        expectParity([{ shape, lo, hi }], (x) => tf.sum(x, axis), { rtol: 1e-5, atol: 0 });
        // cpu's mean rounds every x / n to float32 before summing: its own error is up to
        // 2^-24 * mean|x|, which dominates when the mean cancels to ~0.
        expectParity([{ shape, lo, hi }], (x) => tf.mean(x, axis), { rtol: 1e-5, atol: 1e-7 });
      }
    }
  });
  it('NaN propagates through max and min; argMax keeps the first of ties and skips later NaN', () => {
    const data = new Float32Array([1, 3, NaN, 3, 2, 5, 5, -1, NaN, 0, 0, 0]);
    const specs = [{ shape: [3, 4] }];
    const f = (x: tf.Tensor) => [tf.max(x, 1), tf.min(x, 1), tf.max(x, 0), tf.min(x, 0), tf.argMax(x, 1), tf.argMax(x, 0), tf.sum(x, 1)];
    const ref = runOn('cpu', specs, [data], f), got = runOn('native', specs, [data], f);
    expect(got.shapes).toEqual(ref.shapes);
    for (let o = 0; o < ref.values.length; o++) expect(Array.from(got.values[o]), `output ${o}`).toEqual(Array.from(ref.values[o]));
    expect(Array.from(got.values[4])).toEqual([1, 1, 0]);
  });
  it('NaN and ties in short rows (reduced 16 rows at a time) and long rows', () => {
    for (const [rows, cols] of [[40, 5], [3, 300], [300, 3]]) {
      // Small integers: many ties; NaN at the start of some rows and inside others.
      const data = new Float32Array(rows * cols).map((_, i) => (i * 7919) % 5);
      for (let i = 0; i < data.length; i += 37) data[i] = NaN;
      const specs = [{ shape: [rows, cols] }];
      const f = (x: tf.Tensor) => [tf.max(x, 1), tf.min(x, 1), tf.max(x, 0), tf.min(x, 0), tf.argMax(x, 1), tf.argMax(x, 0)];
      const ref = runOn('cpu', specs, [data], f), got = runOn('native', specs, [data], f);
      for (let o = 0; o < ref.values.length; o++) expect(Array.from(got.values[o]), `[${rows}, ${cols}] output ${o}`).toEqual(Array.from(ref.values[o]));
    }
  });
  it('infinities', () => {
    const data = new Float32Array([Infinity, 1, -Infinity, 2, -Infinity, -Infinity, 3, 4]);
    const f = (x: tf.Tensor) => [tf.max(x, 1), tf.min(x, 1), tf.sum(x, 0), tf.argMax(x, 1), tf.argMax(x, 0)];
    const ref = runOn('cpu', [{ shape: [2, 4] }], [data], f), got = runOn('native', [{ shape: [2, 4] }], [data], f);
    for (let o = 0; o < ref.values.length; o++) expect(Array.from(got.values[o]), `output ${o}`).toEqual(Array.from(ref.values[o]));
  });
});

describe('gradients', () => {
  const weighted = (t: tf.Tensor) => tf.sum(tf.mul(t, tf.reshape(tf.linspace(-1, 1, t.size), t.shape)));
  for (const { kernel, op } of REDUCERS) {
    it(kernel, () => {
      for (const [shape, axis] of [[[64, 100], 0], [[64, 100], 1], [[2, 3, 4, 5], [0, 2]], [[2, 3, 4, 5], [1, 2]], [[17], null]] as [number[], number | number[] | null][]) {
        for (const keepDims of [false, true]) {
          expectParity([{ shape }], (x) => tf.grads((y: tf.Tensor) => weighted(op(y, axis, keepDims)))([x]), { rtol: 1e-4, atol: 1e-6 });
        }
      }
    });
  }
  it('bias gradient of a dense layer: sum over the batch axis', () => {
    expectParity(
      [{ shape: [256, 40] }, { shape: [40, 30] }, { shape: [30] }],
      (x, w, b) => tf.grads((bb: tf.Tensor) => weighted(tf.relu(tf.add(tf.matMul(x, w), bb))))([b]),
      { rtol: 1e-4, atol: 1e-5 },
    );
  });
});
