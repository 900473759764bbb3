import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { countAddonCalls, expectParity } from './parity.js';

describe('Slice / SplitV / GatherNd (native memcpy runs)', () => {
  const cases: [number[], number[], number[]][] = [
    [[4, 6], [1, 2], [2, 3]],
    [[3, 5, 7], [0, 1, 0], [3, 3, 7]],
    [[3, 5, 7], [1, 0, 2], [2, 5, 4]],
    [[2, 3, 4, 5, 6], [1, 1, 0, 2, 3], [1, 2, 4, 3, 2]],
    [[32, 64, 384], [0, 0, 0], [32, 1, 384]], // CLS pooling
    [[5, 1], [2, 0], [3, 1]], // contiguous: the cpu kernel's view
  ];
  for (const [shape, begin, size] of cases) {
    it(`slice [${shape}] begin [${begin}] size [${size}] equals cpu, forward and gradient`, () => {
      expectParity([{ shape }], (x) => tf.slice(x, begin, size), { rtol: 0, atol: 0 });
      expectParity([{ shape }, { shape: size }], (x, dy) => tf.grad((t: tf.Tensor) => tf.slice(t, begin, size))(x, dy), { rtol: 0, atol: 0 });
    });
  }

  for (const [shape, splits, axis] of [[[4, 9, 6], [2, 3, 4], 1], [[2, 5, 12], 3, -1], [[6, 4], [1, 5], 0], [[8, 3, 768], 3, 2]] as [number[], number | number[], number][]) {
    it(`split [${shape}] into ${JSON.stringify(splits)} along ${axis} equals cpu`, () => {
      expectParity([{ shape }], (x) => tf.split(x, splits, axis), { rtol: 0, atol: 0 });
    });
  }

  it('takes the native path for a non-contiguous float32 slice only', () => {
    tf.setBackend('native');
    const x = tf.zeros([4, 6]);
    expect(countAddonCalls('slice', () => tf.tidy(() => tf.split(x, 3, 1).map((t) => t.dataSync())))).toBe(3);
    expect(countAddonCalls('slice', () => tf.tidy(() => tf.slice(x, [1, 0], [2, 6]).dataSync()))).toBe(0);
    expect(countAddonCalls('slice', () => tf.tidy(() => tf.slice(tf.cast(x, 'int32'), [0, 1], [4, 2]).dataSync()))).toBe(0);
    x.dispose();
  });

  it('gatherNd equals cpu (slices, single elements, int32; tfjs has no gradient for it); a bad index throws as on cpu', () => {
    const idx = (rows: number[][]) => tf.tensor2d(rows, [rows.length, rows[0].length], 'int32');
    for (const [shape, rows] of [[[4, 5, 6], [[1, 2], [3, 0], [1, 2], [0, 4]]], [[3, 4], [[2, 3], [0, 0]]], [[2, 3, 4], [[1]]]] as [number[], number[][]][]) {
      expectParity([{ shape }], (x) => tf.gatherND(x, idx(rows)), { rtol: 0, atol: 0 });
      expectParity([{ shape, dtype: 'int32', lo: -50, hi: 50 }], (x) => tf.gatherND(x, idx(rows)), { rtol: 0, atol: 0 });
    }
    for (const backend of ['cpu', 'native']) {
      tf.setBackend(backend);
      expect(() => tf.tidy(() => tf.gatherND(tf.zeros([2, 3]), idx([[2, 0]])))).toThrow(/Invalid indices: 2,0 does not index into 2,3/);
    }
  });
});
