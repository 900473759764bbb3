/**
 * Parity of the native MaxPool, AvgPool (and their gradients), FusedBatchNorm, Softmax and
 * Transpose kernels with tfjs's cpu backend: forward and gradient, odd and edge shapes, ties in
 * max pooling (the gradient must go where cpu sends it), NaN/-inf, empty tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { simplifyPermutation } from '../../src/backend/kernels/Transpose.js';
import { expectParity } from './parity.js';

// Pooling sums at most 9 floats in a different order/precision from cpu (which sums in double).
const poolTol = { rtol: 1e-5, atol: 1e-6 };
// Polynomial exp (~1-2 ulp) and a float row sum.
const softmaxTol = { rtol: 2e-5, atol: 1e-7 };

describe('native kernels are registered', () => {
  for (const name of ['MaxPool', 'MaxPoolGrad', 'AvgPool', 'AvgPoolGrad', 'FusedBatchNorm', 'Softmax', 'Transpose']) {
    it(name, () => {
      const n = tf.getKernel(name, 'native'), c = tf.getKernel(name, 'cpu');
      expect(n).toBeDefined();
      expect(n?.kernelFunc).not.toBe(c?.kernelFunc);
    });
  }
});

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
interface PoolCase {
  name: string;
  filter: [number, number] | number;
  strides: [number, number] | number;
  pad: Pad;
  round?: 'floor' | 'round' | 'ceil';
}
const poolCases: PoolCase[] = [
  { name: '2x2 stride 2 valid', filter: 2, strides: 2, pad: 'valid' },
  { name: '3x3 stride 1 same', filter: 3, strides: 1, pad: 'same' },
  { name: '3x3 stride 2 valid', filter: 3, strides: 2, pad: 'valid' },
  { name: '3x2 strides [2,1] same', filter: [3, 2], strides: [2, 1], pad: 'same' },
  { name: '3x3 stride 2 explicit pad', filter: 3, strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { name: '2x2 stride 2 pad 1 ceil', filter: 2, strides: 2, pad: 1, round: 'ceil' },
];

/** Maps +-inf to +-3e38: the parity harness compares finite values and NaN only. */
const finite = (t: tf.Tensor) => tf.clipByValue(t, -3e38, 3e38);

/** Forward max and avg pooling plus both gradients (dy = w, random) in one parity check. */
function poolParity(xShape: number[], c: PoolCase, ties: boolean, seed = 1): void {
  const x0 = tf.tidy(() => tf.maxPool(tf.zeros<tf.Rank>(xShape) as tf.Tensor4D, c.filter, c.strides, c.pad, c.round));
  const yShape = x0.shape;
  x0.dispose();
  expectParity(
    [{ shape: xShape, lo: -3, hi: 3 }, { shape: yShape }],
    (x, w) => {
      // Rounded values make ties in most windows; the gradient is taken at the rounded point.
      const z = ties ? tf.round(x) : x;
      const mp = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, c.filter, c.strides, c.pad, c.round);
      const ap = (t: tf.Tensor) => tf.avgPool(t as tf.Tensor4D, c.filter, c.strides, c.pad, c.round);
      const [gMax] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(mp(t), w)))([z]);
      const [gAvg] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(ap(t), w)))([z]);
      return [finite(mp(z)), ap(z), gMax, gAvg];
    },
    poolTol,
    seed,
  );
}

describe('MaxPool / AvgPool and gradients parity', () => {
  for (const c of poolCases) {
    for (const C of [1, 3, 17, 64]) {
      for (const B of [1, 4]) {
        it(`${c.name}, [${B},7,5,${C}]`, () => {
          poolParity([B, 7, 5, C], c, false, C + B);
          poolParity([B, 7, 5, C], c, true, C + B + 100);
        });
      }
    }
  }
  it('1x1 images', () => {
    for (const C of [1, 3, 17]) {
      poolParity([2, 1, 1, C], { name: '', filter: 2, strides: 2, pad: 'same' }, true, C);
      poolParity([2, 1, 1, C], { name: '', filter: 3, strides: 1, pad: 'same' }, false, C);
    }
  });
  it('multi-threaded sizes (SimCLR CNN shapes, smaller batch)', () => {
    poolParity([4, 28, 28, 32], poolCases[0], true);
    poolParity([1, 28, 28, 64], poolCases[1], true);
    poolParity([8, 14, 14, 64], poolCases[0], false);
  });
  it('a 1x1 window that keeps the shape is the identity (cpu path)', () => {
    poolParity([2, 5, 4, 3], { name: '', filter: 1, strides: 1, pad: 'valid' }, false);
  });
  it('3-D input (op adds the batch axis)', () => {
    expectParity([{ shape: [6, 5, 3] }], (x) => [tf.maxPool(x as tf.Tensor3D, 2, 1, 'same'), tf.avgPool(x as tf.Tensor3D, 2, 1, 'same')], poolTol);
  });
  it('NaN is skipped, windows of -inf give -inf and no gradient', () => {
    expectParity(
      [{ shape: [2, 6, 6, 5] }, { shape: [2, 3, 3, 5] }],
      (x, w) => {
        const withNaN = tf.where(tf.greater(x, 0.7), tf.fill(x.shape, NaN), x);
        const z = tf.where(tf.less(withNaN, 0.2), tf.fill(x.shape, -Infinity), withNaN);
        const mp = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid');
        const [g] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(mp(t), w)))([z]);
        return [finite(mp(z)), g];
      },
      poolTol,
    );
  });
  it('empty batch and empty channels', () => {
    poolParity([0, 7, 5, 3], poolCases[1], false);
    poolParity([2, 7, 5, 0], poolCases[0], false);
  });
  it('int32 input falls back to cpu', () => {
    expectParity([{ shape: [1, 4, 4, 2], dtype: 'int32', lo: -5, hi: 5 }], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'));
  });
});

describe('FusedBatchNorm parity', () => {
  const bnTol = { rtol: 1e-5, atol: 1e-6 };
  const gradTol = { rtol: 1e-4, atol: 1e-4 };
  for (const shape of [[4, 7, 5, 3], [1, 1, 1, 1], [2, 3, 3, 17], [4, 8, 8, 64], [9, 33], [13]]) {
    const C = shape[shape.length - 1];
    it(`x [${shape}], parameters [${C}] with and without offset/scale`, () => {
      const specs = [{ shape }, { shape: [C] }, { shape: [C], lo: 0.1, hi: 2 }, { shape: [C] }, { shape: [C], lo: 0.5, hi: 1.5 }];
      expectParity(specs, (x, m, v, o, s) => [tf.batchNorm(x, m, v, o, s, 1e-3), tf.batchNorm(x, m, v), tf.batchNorm(x, m, v, undefined, s, 0.1)], bnTol);
    });
    it(`x [${shape}] gradient`, () => {
      const specs = [{ shape }, { shape: [C] }, { shape: [C], lo: 0.1, hi: 2 }, { shape: [C] }, { shape: [C], lo: 0.5, hi: 1.5 }, { shape }];
      expectParity(specs, (x, m, v, o, s, w) => tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor, e: tf.Tensor) => tf.sum(tf.mul(tf.batchNorm(a, b, c, d, e), w)))([x, m, v, o, s]), gradTol);
    });
  }
  it('size-1 parameters broadcast, parameters shaped [1,1,1,C]', () => {
    expectParity([{ shape: [2, 5, 5, 6] }, { shape: [1] }, { shape: [1], lo: 0.1, hi: 2 }, { shape: [1] }, { shape: [6] }], (x, m, v, o, s) => tf.batchNorm(x, m, v, o, s), bnTol);
    expectParity([{ shape: [2, 5, 5, 6] }, { shape: [1, 1, 1, 6] }, { shape: [1, 1, 1, 6], lo: 0.1, hi: 2 }], (x, m, v) => tf.batchNorm(x, m, v), bnTol);
  });
  it('parameters of the full shape fall back to cpu', () => {
    expectParity([{ shape: [2, 3, 4] }, { shape: [2, 3, 4] }, { shape: [2, 3, 4], lo: 0.1, hi: 2 }], (x, m, v) => tf.batchNorm(x, m, v), bnTol);
  });
  it('empty x', () => {
    expectParity([{ shape: [0, 4] }, { shape: [4] }, { shape: [4], lo: 0.1, hi: 2 }], (x, m, v) => tf.batchNorm(x, m, v), bnTol);
  });
});

describe('Softmax parity', () => {
  for (const shape of [[3, 1], [5, 7], [4, 10], [6, 1000], [10], [2, 3, 7], [300, 100], [2, 33]]) {
    it(`[${shape}] forward and gradient`, () => {
      expectParity([{ shape, lo: -20, hi: 20 }, { shape }], (x, w) => {
        const [g] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(tf.softmax(t), w)))([x]);
        return [tf.softmax(x), g];
      }, softmaxTol);
    });
  }
  it('large logits, -inf and -1e9 masks, rows that are all -inf or hold NaN/+inf', () => {
    expectParity([{ shape: [8, 37], lo: -100, hi: 100 }], (x) => {
      const masked = tf.where(tf.less(x, -60), tf.fill(x.shape, -Infinity), x);
      const big = tf.where(tf.greater(x, 60), tf.fill(x.shape, -1e9), masked);
      const rows = tf.concat([big, tf.fill([1, 37], -Infinity), tf.fill([1, 37], 3), tf.tensor2d([[NaN, ...Array(36).fill(1)]]), tf.tensor2d([[Infinity, ...Array(36).fill(1)]])]);
      return [tf.softmax(big), tf.softmax(rows)];
    }, softmaxTol);
  });
  it('exp accuracy over the whole range', () => {
    // Softmax of [0, t] is [1/(1+e^t), e^t/(1+e^t)]: exercises exp(t) for t in [-100, 0].
    expectParity([{ shape: [2000, 1], lo: -100, hi: 0 }], (t) => tf.softmax(tf.concat([tf.zerosLike(t), t], 1)), softmaxTol);
  });
  it('empty', () => {
    expectParity([{ shape: [0, 5] }], (x) => tf.softmax(x));
  });
});

/** Every permutation of [0, n). */
function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) {
    for (let i = 0; i <= p.length; i++) out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
  }
  return out;
}

describe('Transpose parity', () => {
  it('simplifies permutations', () => {
    expect(simplifyPermutation([2, 3, 4, 5], [0, 2, 3, 1])).toEqual({ shape: [2, 3, 20], perm: [0, 2, 1] });
    expect(simplifyPermutation([2, 3, 4, 5], [0, 3, 1, 2])).toEqual({ shape: [2, 12, 5], perm: [0, 2, 1] });
    expect(simplifyPermutation([2, 1, 4], [2, 1, 0])).toEqual({ shape: [2, 4], perm: [1, 0] });
    expect(simplifyPermutation([2, 3, 4], [0, 1, 2])).toEqual({ shape: [24], perm: [0] });
    expect(simplifyPermutation([1, 1], [1, 0])).toEqual({ shape: [], perm: [] });
  });
  const shapes: number[][] = [[7], [5, 9], [3, 1, 4], [2, 3, 4, 5], [3, 2, 1, 5, 4]];
  for (const shape of shapes) {
    it(`rank ${shape.length} [${shape}], every permutation, forward and gradient`, () => {
      for (const perm of permutations(shape.length)) {
        expectParity([{ shape }, { shape: perm.map((a) => shape[a]) }], (x, w) => {
          const [g] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(tf.transpose(t, perm), w)))([x]);
          return [tf.transpose(x, perm), g];
        }, { rtol: 0, atol: 0 });
      }
    });
  }
  it('2-D tiles with ragged edges, large 2-D, NHWC <-> NCHW', () => {
    const exact = { rtol: 0, atol: 0 };
    for (const shape of [[67, 45], [8, 8], [33, 17], [1024, 784], [1, 300], [300, 2]]) expectParity([{ shape }], (x) => tf.transpose(x), exact);
    expectParity([{ shape: [3, 9, 11, 17] }], (x) => [tf.transpose(x, [0, 3, 1, 2]), tf.transpose(tf.transpose(x, [0, 3, 1, 2]), [0, 2, 3, 1])], exact);
    expectParity([{ shape: [16, 28, 28, 32] }], (x) => tf.transpose(x, [0, 3, 1, 2]), exact);
    expectParity([{ shape: [2, 3, 4, 5, 6, 7] }], (x) => [tf.transpose(x, [5, 3, 1, 0, 2, 4]), tf.transpose(x, [1, 0, 2, 3, 5, 4])], exact);
    expectParity([{ shape: [2, 3, 2, 3, 2, 3, 2] }], (x) => [tf.transpose(x, [6, 0, 5, 1, 4, 2, 3]), tf.transpose(x, [6, 5, 4, 3, 2, 1, 0])], exact);
  });
  it('empty tensors and scalars', () => {
    expectParity([{ shape: [0, 3] }], (x) => tf.transpose(x));
    expectParity([{ shape: [2, 0, 3] }], (x) => tf.transpose(x, [2, 0, 1]));
    expectParity([{ shape: [] }], (x) => tf.transpose(x));
  });
  it('int32 falls back to cpu', () => {
    expectParity([{ shape: [3, 4], dtype: 'int32', lo: -9, hi: 9 }], (x) => tf.transpose(x));
  });
});

describe('Tile parity', () => {
  it('is the native kernel', () => {
    expect(tf.getKernel('Tile', 'native')!.kernelFunc).not.toBe(tf.getKernel('Tile', 'cpu')!.kernelFunc);
  });
  const cases: [number[], number[]][] = [
    [[5], [3]], [[1], [7]], [[3, 4], [1, 1]], [[3, 4], [2, 3]], [[2, 1, 3], [1, 5, 2]],
    [[1, 1, 1, 17], [4, 7, 7, 1]], [[2, 3, 1, 4, 5], [2, 1, 3, 1, 2]], [[64, 8], [40, 40]], [[0, 3], [2, 2]], [[3, 2], [0, 1]],
  ];
  for (const [shape, reps] of cases) {
    it(`x [${shape}] reps [${reps}], forward and gradient`, () => {
      expectParity([{ shape }], (x) => tf.tile(x, reps), { rtol: 0, atol: 0 });
      // tfjs has no Tile gradient above rank 4 (on any backend).
      if (shape.length <= 4 && shape.every((d) => d > 0) && reps.every((r) => r > 0)) {
        expectParity([{ shape }], (x) => tf.grad((y: tf.Tensor) => tf.sum(tf.square(tf.tile(y, reps))))(x), { rtol: 1e-5, atol: 1e-5 });
      }
    });
  }
  it('int32 falls back to cpu', () => {
    expectParity([{ shape: [2, 3], dtype: 'int32' }], (x) => tf.tile(x, [2, 2]), { rtol: 0, atol: 0 });
  });
});

describe('UnsortedSegmentSum parity (the gradient of Gather)', () => {
  it('is the native kernel', () => {
    expect(tf.getKernel('UnsortedSegmentSum', 'native')!.kernelFunc).not.toBe(tf.getKernel('UnsortedSegmentSum', 'cpu')!.kernelFunc);
  });
  const cases: [number[], number[], number][] = [
    [[6], [0, 2, 2, 5, 1, 0], 7], [[5, 3], [4, 0, 4, 1, 1], 5], [[4, 2, 3], [1, 1, 1, 1], 3], [[0, 4], [], 3],
  ];
  for (const [shape, ids, segments] of cases) {
    it(`x [${shape}], ${segments} segments`, () => {
      expectParity([{ shape }], (x) => tf.unsortedSegmentSum(x, tf.tensor1d(ids, 'int32'), segments), { rtol: 1e-6, atol: 1e-6 });
    });
  }
  it('the gradient of gather with repeated indices, as cpu', () => {
    expectParity([{ shape: [7, 4] }], (x) => tf.grad((y: tf.Tensor) => tf.sum(tf.square(tf.gather(y, tf.tensor1d([3, 0, 3, 6, 3, 1], 'int32')))))(x));
  });
  it('int32 falls back to cpu', () => {
    expectParity([{ shape: [4], dtype: 'int32' }], (x) => tf.unsortedSegmentSum(x, tf.tensor1d([0, 1, 0, 2], 'int32'), 3), { rtol: 0, atol: 0 });
  });
});
