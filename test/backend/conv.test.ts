import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { addon } from '../../src/backend/addon.js';
import { expectParity } from './parity.js';

// float32 sums in a different order from the cpu loops: tolerance grows with the sum length K.
const tol = (K: number) => ({ rtol: 1e-4, atol: 2e-6 * Math.max(1, K) });

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  f: [number, number, number, number];
  strides?: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
}
const name = (c: Case) =>
  `x=${c.x} f=${c.f} strides=${c.strides ?? 1} pad=${JSON.stringify(c.pad)} dilations=${c.dilations ?? 1}`;
const outShape = (c: Case, depthwise = false) => {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.strides ?? 1, c.dilations ?? 1, c.pad, undefined, depthwise);
  return info.outShape;
};

const KERNELS = [
  'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'FusedConv2D',
  'DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'FusedDepthwiseConv2D',
];

describe('convolution kernels are native', () => {
  afterEach(() => vi.restoreAllMocks());
  it('registered for native, not the cpu ones', () => {
    for (const k of KERNELS) {
      expect(tf.getKernel(k, 'native')?.kernelFunc, k).toBeDefined();
      expect(tf.getKernel(k, 'native')!.kernelFunc, k).not.toBe(tf.getKernel(k, 'cpu')!.kernelFunc);
    }
  });
  it('forward and gradients reach the addon', () => {
    const a = addon as unknown as Record<string, (...args: unknown[]) => void>;
    const spies = ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter', 'depthwiseConv2d', 'depthwiseConv2dBackpropInput', 'depthwiseConv2dBackpropFilter']
      .map((fn) => vi.spyOn(a, fn));
    tf.setBackend('native');
    tf.tidy(() => {
      const x = tf.randomNormal([2, 6, 6, 3]), f = tf.randomNormal([3, 3, 3, 4]), d = tf.randomNormal([3, 3, 3, 2]);
      tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same')))([x, f]);
      tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same')))([x, f]);
      tf.grads((x: tf.Tensor, d: tf.Tensor) => tf.sum(tf.depthwiseConv2d(x as tf.Tensor4D, d as tf.Tensor4D, 1, 'same')))([x, d]);
    });
    for (const s of spies) expect(s).toHaveBeenCalled();
  });
});

const conv2dCases: Case[] = [
  { x: [1, 5, 5, 3], f: [3, 3, 3, 4], pad: 'same' },
  { x: [3, 7, 6, 5], f: [3, 3, 5, 17], strides: 2, pad: 'valid' },
  { x: [2, 8, 8, 1], f: [5, 5, 1, 8], pad: 'same' },
  { x: [1, 1, 1, 3], f: [1, 1, 3, 5], pad: 'valid' },
  { x: [1, 1, 1, 3], f: [3, 3, 3, 5], pad: 'same' },
  { x: [2, 2, 3, 17], f: [3, 3, 17, 3], pad: 'same' },
  { x: [3, 6, 6, 17], f: [1, 1, 17, 5], pad: 'valid' },
  { x: [2, 7, 7, 4], f: [1, 1, 4, 6], strides: 2, pad: 'valid' },
  { x: [2, 5, 5, 4], f: [1, 1, 4, 6], pad: 1 },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 5], pad: 'same', dilations: 2 },
  { x: [1, 10, 9, 5], f: [3, 2, 5, 7], pad: 'valid', dilations: [2, 3] },
  { x: [1, 9, 10, 5], f: [3, 3, 5, 7], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [2, 6, 6, 3], f: [2, 2, 3, 4], pad: 1 },
  { x: [1, 4, 4, 2], f: [5, 5, 2, 3], pad: 'same' },
  { x: [3, 9, 11, 5], f: [5, 5, 5, 9], strides: [1, 2], pad: 'same' },
  { x: [2, 11, 10, 3], f: [3, 3, 3, 16], strides: 2, pad: 'same' },
  { x: [2, 12, 12, 32], f: [3, 3, 32, 40], pad: 'same' },
  { x: [1, 16, 16, 64], f: [3, 3, 64, 24], pad: 'same' },
  { x: [2, 10, 10, 64], f: [3, 3, 64, 33], strides: 2, pad: 'same' },
  // 3x3 stride 1 with >= 16 channels but too few 4x4 tiles for Winograd.
  { x: [3, 7, 9, 17], f: [3, 3, 17, 33], pad: 'same' },
  { x: [1, 2, 3, 16], f: [3, 3, 16, 16], pad: 'same' },
];

describe('Conv2D parity', () => {
  for (const c of conv2dCases) {
    it(name(c), () => {
      const K = c.f[0] * c.f[1] * c.f[2];
      expectParity([{ shape: c.x }, { shape: c.f }], (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides ?? 1, c.pad, 'NHWC', c.dilations ?? 1), tol(K));
    });
  }
  it('empty batch', () => {
    expectParity([{ shape: [0, 4, 4, 3] }, { shape: [3, 3, 3, 2] }], (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'));
  });
  it('rank-3 input', () => {
    expectParity([{ shape: [5, 5, 3] }, { shape: [3, 3, 3, 2] }], (x, f) => tf.conv2d(x as tf.Tensor3D, f as tf.Tensor4D, 1, 'same'), tol(27));
  });
  it('NCHW falls back to cpu', () => {
    expectParity([{ shape: [2, 3, 5, 5] }, { shape: [3, 3, 3, 4] }], (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same', 'NCHW'), tol(27));
  });
});

describe('Conv2D gradients (Conv2DBackpropInput, Conv2DBackpropFilter)', () => {
  for (const c of conv2dCases.filter((c) => (c.dilations ?? 1) === 1)) {
    it(name(c), () => {
      const y = outShape(c);
      // dx sums FH*FW*O terms, dW sums B*OH*OW terms.
      const K = Math.max(c.f[0] * c.f[1] * c.f[3], y[0] * y[1] * y[2]);
      expectParity(
        [{ shape: c.x }, { shape: c.f }, { shape: y }],
        (x, f, dy) => tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides ?? 1, c.pad))([x, f], dy),
        tol(K),
      );
    });
  }
  it('second order: gradient of Conv2DBackpropInput', () => {
    expectParity(
      [{ shape: [2, 7, 7, 3] }, { shape: [3, 3, 3, 5] }],
      (x, f) => tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.square(tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'))))(x))))([x, f]),
      { rtol: 1e-3, atol: 1e-3 },
    );
  });
});

describe('FusedConv2D parity', () => {
  const c: Case = { x: [2, 7, 6, 5], f: [3, 3, 5, 17], strides: 1, pad: 'same' };
  for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const) {
    it(`bias + ${activation}`, () => {
      expectParity(
        [{ shape: c.x }, { shape: c.f }, { shape: [17] }],
        (x, f, bias) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', bias, activation, leakyreluAlpha: 0.15 }),
        tol(45),
      );
    });
  }
  it('prelu with per-channel weights, stride 2, no bias', () => {
    expectParity(
      [{ shape: c.x }, { shape: c.f }, { shape: [17] }],
      (x, f, w) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 2, pad: 'valid', activation: 'prelu', preluActivationWeights: w }),
      tol(45),
    );
  });
  it('scalar bias, 1x1 kernel (plain GEMM path), dilation 2', () => {
    expectParity(
      [{ shape: [3, 5, 5, 17] }, { shape: [1, 1, 17, 5] }, { shape: [] }],
      (x, f, bias) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'valid', bias, activation: 'relu' }),
      tol(17),
    );
    expectParity(
      [{ shape: [1, 9, 9, 3] }, { shape: [3, 3, 3, 5] }, { shape: [5] }],
      (x, f, bias) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', dilations: 2, bias, activation: 'elu' }),
      tol(27),
    );
  });
  it('bias of another broadcast shape falls back to cpu', () => {
    expectParity(
      [{ shape: [1, 4, 4, 3] }, { shape: [3, 3, 3, 2] }, { shape: [4, 4, 2] }],
      (x, f, bias) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', bias }),
      tol(27),
    );
  });
  for (const activation of ['relu', 'linear'] as const) {
    it(`gradient wrt x, filter and bias through ${activation}`, () => {
      for (const [strides, pad] of [[1, 'same'], [2, 'valid']] as const) {
        const y = outShape({ ...c, strides, pad });
        expectParity(
          [{ shape: c.x }, { shape: c.f }, { shape: [17] }, { shape: y }],
          (x, f, b, dy) =>
            tf.grads((x: tf.Tensor, f: tf.Tensor, b: tf.Tensor) =>
              tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides, pad, bias: b, activation }))([x, f, b], dy),
          tol(200),
        );
      }
    });
  }
});

// 3x3, stride 1, >= 16 channels on both sides and, with 2 threads, >= 2 * 14 * 2 = 56 output tiles
// of 4x4: the Winograd F(4x4, 3x3) forward / input gradient and F(3x3, 4x4) filter gradient.
describe('Winograd convolutions (threads pinned to 2)', () => {
  const a = addon!;
  let threads = 1;
  beforeAll(() => {
    threads = a.getThreads();
    a.setThreads(2);
  });
  afterAll(() => a.setThreads(threads));
  const cases: Case[] = [
    { x: [4, 14, 14, 17], f: [3, 3, 17, 33], pad: 'same' },
    { x: [2, 30, 29, 16], f: [3, 3, 16, 16], pad: 'same' },
    { x: [5, 18, 14, 20], f: [3, 3, 20, 18], pad: 'valid' },
    { x: [4, 17, 16, 24], f: [3, 3, 24, 17], pad: [[0, 0], [2, 0], [0, 3], [0, 0]] },
    { x: [4, 14, 13, 32], f: [3, 3, 32, 48], pad: 1 },
  ];
  for (const c of cases) {
    it(`forward and gradients, ${name(c)}`, () => {
      const y = outShape(c);
      const K = Math.max(c.f[0] * c.f[1] * Math.max(c.f[2], c.f[3]), y[0] * y[1] * y[2]);
      expectParity(
        [{ shape: c.x }, { shape: c.f }, { shape: y }],
        (x, f, dy) => [
          tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, c.pad),
          ...tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, c.pad))([x, f], dy),
        ],
        tol(K),
      );
    });
  }
  it('forward with more than 256 input channels (K split over micro-kernel calls)', () => {
    expectParity([{ shape: [4, 13, 13, 260] }, { shape: [3, 3, 260, 16] }], (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'), tol(9 * 260));
  });
  it('fused: bias + relu6, prelu, gradient through relu', () => {
    const x = [4, 14, 14, 20], f = [3, 3, 20, 24];
    expectParity(
      [{ shape: x }, { shape: f }, { shape: [24] }],
      (x, f, bias) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', bias, activation: 'relu6' }),
      tol(216),
    );
    expectParity(
      [{ shape: x }, { shape: f }, { shape: [24] }, { shape: [24] }],
      (x, f, bias, w) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', bias, activation: 'prelu', preluActivationWeights: w }),
      tol(216),
    );
    expectParity(
      [{ shape: x }, { shape: f }, { shape: [24] }, { shape: [4, 14, 14, 24] }],
      (x, f, b, dy) =>
        tf.grads((x: tf.Tensor, f: tf.Tensor, b: tf.Tensor) =>
          tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: 'relu' }))([x, f, b], dy),
      tol(4 * 14 * 14),
    );
  });
});

const depthwiseCases: Case[] = [
  { x: [1, 5, 5, 3], f: [3, 3, 3, 1], pad: 'same' },
  { x: [3, 7, 6, 5], f: [3, 3, 5, 2], strides: 2, pad: 'valid' },
  { x: [2, 8, 8, 1], f: [5, 5, 1, 3], pad: 'same' },
  { x: [1, 1, 1, 3], f: [1, 1, 3, 1], pad: 'valid' },
  { x: [1, 1, 1, 17], f: [3, 3, 17, 1], pad: 'same' },
  { x: [2, 2, 3, 17], f: [3, 3, 17, 1], pad: 'same' },
  { x: [2, 9, 9, 32], f: [3, 3, 32, 1], strides: 2, pad: 'same' },
  { x: [1, 9, 10, 5], f: [3, 3, 5, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [2, 6, 7, 4], f: [2, 3, 4, 3], pad: 1 },
  { x: [3, 9, 11, 5], f: [5, 5, 5, 1], strides: [1, 2], pad: 'same' },
  { x: [2, 16, 16, 24], f: [3, 3, 24, 1], pad: 'same' },
];

describe('DepthwiseConv2dNative parity', () => {
  const withDilation: Case[] = [
    { x: [2, 9, 9, 3], f: [3, 3, 3, 1], pad: 'same', dilations: 2 },
    { x: [1, 10, 9, 5], f: [3, 2, 5, 2], pad: 'valid', dilations: [2, 3] },
  ];
  for (const c of [...depthwiseCases, ...withDilation]) {
    it(name(c), () => {
      expectParity([{ shape: c.x }, { shape: c.f }], (x, f) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides ?? 1, c.pad, 'NHWC', c.dilations ?? 1), tol(c.f[0] * c.f[1]));
    });
  }
  it('empty batch', () => {
    expectParity([{ shape: [0, 4, 4, 3] }, { shape: [3, 3, 3, 2] }], (x, f) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'));
  });
});

describe('DepthwiseConv2dNative gradients', () => {
  for (const c of depthwiseCases) {
    it(name(c), () => {
      const y = outShape(c, true);
      const K = Math.max(c.f[0] * c.f[1] * c.f[3], y[0] * y[1] * y[2]);
      expectParity(
        [{ shape: c.x }, { shape: c.f }, { shape: y }],
        (x, f, dy) => tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides ?? 1, c.pad))([x, f], dy),
        tol(K),
      );
    });
  }
});

describe('FusedDepthwiseConv2D parity', () => {
  for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const) {
    it(`bias + ${activation}`, () => {
      expectParity(
        [{ shape: [2, 7, 6, 5] }, { shape: [3, 3, 5, 2] }, { shape: [10] }],
        (x, f, bias) => tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', bias, activation, leakyreluAlpha: 0.15 }),
        tol(9),
      );
    });
  }
  it('prelu with per-channel weights', () => {
    expectParity(
      [{ shape: [2, 7, 6, 17] }, { shape: [3, 3, 17, 1] }, { shape: [17] }, { shape: [17] }],
      (x, f, bias, w) => tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 2, pad: 'same', bias, activation: 'prelu', preluActivationWeights: w }),
      tol(9),
    );
  });
  it('gradient wrt x, filter and bias through relu', () => {
    expectParity(
      [{ shape: [2, 7, 6, 5] }, { shape: [3, 3, 5, 2] }, { shape: [10] }, { shape: [2, 7, 6, 10] }],
      (x, f, b, dy) =>
        tf.grads((x: tf.Tensor, f: tf.Tensor, b: tf.Tensor) =>
          tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: 'relu' }))([x, f, b], dy),
      tol(84),
    );
  });
});

describe('with the other GEMM micro-kernels (other MR x NR panels)', () => {
  const a = addon!;
  const original = a.kernelName();
  afterEach(() => {
    a.setKernel(original);
  });
  const cases: Case[] = [
    { x: [2, 7, 9, 17], f: [3, 3, 17, 20], pad: 'same' },
    { x: [2, 7, 9, 5], f: [3, 3, 5, 7], strides: 2, pad: 'same' },
    { x: [1, 6, 6, 3], f: [5, 5, 3, 4], pad: 'valid' },
  ];
  for (const kernel of ['avx2', 'generic']) {
    it(kernel, () => {
      if (!a.setKernel(kernel)) return; // not supported by this CPU
      for (const c of cases) {
        const y = outShape(c);
        expectParity(
          [{ shape: c.x }, { shape: c.f }, { shape: y }],
          (x, f, dy) => [
            tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides ?? 1, c.pad),
            ...tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides ?? 1, c.pad))([x, f], dy),
          ],
          tol(Math.max(c.f[0] * c.f[1] * Math.max(c.f[2], c.f[3]), y[0] * y[1] * y[2])),
        );
      }
    });
  }
});
