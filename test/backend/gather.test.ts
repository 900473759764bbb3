import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectParity } from './parity.js';

describe('GatherV2 (one memcpy per gathered slice)', () => {
  const idx = (values: number[], shape = [values.length]) => tf.tensor(values, shape, 'int32');
  const cases: [string, number[], number[], number[], number, number][] = [
    // name, x shape, indices, indices shape, axis, batchDims
    ['embedding rows', [50, 8], [3, 0, 49, 3, 7, 7], [2, 3], 0, 0],
    ['middle axis', [3, 6, 4], [5, 0, 2], [3], 1, 0],
    ['last axis', [2, 3, 5], [4, 4, 0, 1], [2, 2], -1, 0],
    ['batchDims 1', [2, 5, 3], [1, 4, 0, 0, 2, 3], [2, 3], 1, 1],
    ['empty indices', [4, 3], [], [0], 0, 0],
  ];
  for (const [name, shape, values, ishape, axis, batchDims] of cases) {
    it(`${name}: [${shape}] axis ${axis} batchDims ${batchDims} equals cpu (float32 and int32), forward and gradient`, () => {
      expectParity([{ shape }], (x) => tf.gather(x, idx(values, ishape), axis, batchDims), { rtol: 0, atol: 0 });
      expectParity([{ shape, dtype: 'int32', lo: -50, hi: 50 }], (x) => tf.gather(x, idx(values, ishape), axis, batchDims), { rtol: 0, atol: 0 });
      if (batchDims === 0 && values.length > 0) {
        const outShape = tf.tidy(() => tf.gather(tf.zeros(shape), idx(values, ishape), axis).shape);
        expectParity([{ shape }, { shape: outShape }], (x, dy) => tf.grad((t: tf.Tensor) => tf.gather(t, idx(values, ishape), axis))(x, dy), { rtol: 1e-6, atol: 1e-6 });
      }
    });
  }

  it('gathers from a float32 tensor cast from int32 (an Int32Array under float32) and from bool', () => {
    expectParity([{ shape: [6, 2], dtype: 'int32', lo: -9, hi: 9 }], (x) => tf.gather(tf.cast(x, 'float32'), idx([5, 1, 1])), { rtol: 0, atol: 0 });
    expectParity([{ shape: [6, 2], dtype: 'int32', lo: 0, hi: 2 }], (x) => tf.cast(tf.gather(tf.cast(x, 'bool'), idx([5, 1])), 'int32'), { rtol: 0, atol: 0 });
  });

  it('a bad index throws as on cpu', () => {
    for (const backend of ['cpu', 'native']) {
      tf.setBackend(backend);
      expect(() => tf.tidy(() => tf.gather(tf.zeros([2, 3]), idx([0, 2])))).toThrow(/GatherV2: the index value 2 is not in \[0, 1\]/);
    }
  });
});
