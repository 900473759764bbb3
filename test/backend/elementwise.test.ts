/**
 * Parity of the native elementwise kernels (unary, broadcasting binary, AddN, ClipByValue) with
 * tfjs's cpu kernels: forward on edge sizes (scalar, empty, 1, 7, 17, 1000, and 100003: above the
 * threading threshold and not a multiple of the vector width), every broadcast fast path and a
 * general 4-D broadcast, special values (zeros, infinities, NaN, denormals), and gradients.
 * Transcendentals are float32 polynomials on native and double Math.* on cpu: tolerance rtol 1e-4,
 * atol 1e-5 unless stated.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { countAddonCalls, expectParity, runOn, type InputSpec, type Tolerance } from './parity.js';

const SIZES = [[], [0], [1], [7], [17], [1000], [100003]];

/**
 * Like expectParity on explicit values, also counting equal infinities as equal (expectParity
 * computes inf - inf = NaN and would report them).
 */
function expectParityOn(
  specs: InputSpec[],
  data: Float32Array[],
  fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  { rtol = 1e-4, atol = 1e-5 }: Tolerance = {},
): void {
  const ref = runOn('cpu', specs, data, fn);
  const got = runOn('native', specs, data, fn);
  expect(got.shapes).toEqual(ref.shapes);
  for (let o = 0; o < ref.values.length; o++) {
    const r = ref.values[o], g = got.values[o];
    for (let i = 0; i < r.length; i++) {
      if (g[i] === r[i] || (Number.isNaN(g[i]) && Number.isNaN(r[i]))) continue;
      expect(Math.abs(g[i] - r[i]) <= atol + rtol * Math.abs(r[i]), `output ${o} at ${i} (input ${data[0][i]}): native ${g[i]} vs cpu ${r[i]}`).toBe(true);
    }
  }
}

/** sum(t * w) with w a ramp over [-1, 1]: a loss whose gradient dy differs per element. */
function weightedSum(t: tf.Tensor): tf.Tensor {
  return tf.sum(tf.mul(t, tf.reshape(tf.linspace(-1, 1, t.size), t.shape)));
}


interface UnaryCase {
  kernel: string;
  op: (x: tf.Tensor) => tf.Tensor;
  lo: number;
  hi: number;
  /** Skip the gradient test (no gradient, or not useful). */
  noGrad?: boolean;
}

const UNARY: UnaryCase[] = [
  { kernel: 'Relu', op: (x) => tf.relu(x), lo: -1, hi: 1 },
  { kernel: 'Relu6', op: (x) => tf.relu6(x), lo: -3, hi: 9 },
  { kernel: 'Elu', op: (x) => tf.elu(x), lo: -4, hi: 2 },
  { kernel: 'Sigmoid', op: (x) => tf.sigmoid(x), lo: -12, hi: 12 },
  { kernel: 'Exp', op: (x) => tf.exp(x), lo: -20, hi: 20 },
  { kernel: 'Log', op: (x) => tf.log(x), lo: 1e-3, hi: 100 },
  { kernel: 'Log1p', op: (x) => tf.log1p(x), lo: -0.99, hi: 10 },
  { kernel: 'Sqrt', op: (x) => tf.sqrt(x), lo: 1e-3, hi: 100 },
  { kernel: 'Rsqrt', op: (x) => tf.rsqrt(x), lo: 1e-2, hi: 100 },
  { kernel: 'Square', op: (x) => tf.square(x), lo: -3, hi: 3 },
  { kernel: 'Neg', op: (x) => tf.neg(x), lo: -1, hi: 1 },
  { kernel: 'Abs', op: (x) => tf.abs(x), lo: -1, hi: 1 },
  { kernel: 'Tanh', op: (x) => tf.tanh(x), lo: -6, hi: 6 },
  { kernel: 'Step', op: (x) => tf.step(x, 0.25), lo: -1, hi: 1, noGrad: true },
  { kernel: 'LeakyRelu', op: (x) => tf.leakyRelu(x, 0.1), lo: -1, hi: 1 },
  { kernel: 'Reciprocal', op: (x) => tf.reciprocal(x), lo: 0.05, hi: 4 },
  { kernel: 'Softplus', op: (x) => tf.softplus(x), lo: -20, hi: 20 },
  { kernel: 'ClipByValue', op: (x) => tf.clipByValue(x, -0.3, 0.6), lo: -1, hi: 1 },
];

// sameShapeGrad: tfjs's gradient of that op does not sum over broadcast dims (it fails on cpu
// too), so its gradient is tested on equal shapes only.
const BINARY: { kernel: string; op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor; blo?: number; sameShapeGrad?: boolean }[] = [
  { kernel: 'Add', op: (a, b) => tf.add(a, b) },
  { kernel: 'Sub', op: (a, b) => tf.sub(a, b) },
  { kernel: 'Multiply', op: (a, b) => tf.mul(a, b) },
  // b away from 0 so that the gradient a / b^2 stays in float range.
  { kernel: 'RealDiv', op: (a, b) => tf.div(a, b), blo: 0.25 },
  { kernel: 'Maximum', sameShapeGrad: true, op: (a, b) => tf.maximum(a, b) },
  { kernel: 'Minimum', sameShapeGrad: true, op: (a, b) => tf.minimum(a, b) },
  { kernel: 'SquaredDifference', sameShapeGrad: true, op: (a, b) => tf.squaredDifference(a, b) },
  { kernel: 'Prelu', sameShapeGrad: true, op: (a, b) => tf.prelu(a, b) },
];

// [a shape, b shape, pattern]: every fast path of the addon, both operand orders, and the general walk.
const PATTERNS: [number[], number[], string][] = [
  [[7], [7], 'same shape'],
  [[100003], [100003], 'same shape, threaded'],
  [[3, 5, 7], [3, 5, 7], 'same shape rank 3'],
  [[17], [], 'scalar b'],
  [[], [17], 'scalar a'],
  [[100003], [1], 'size-1 b, threaded'],
  [[], [], 'both scalars'],
  [[33, 17], [17], 'bias [N, C] op [C]'],
  [[17], [33, 17], '[C] op [N, C]'],
  [[300, 257], [1, 257], 'bias, threaded'],
  [[33, 17], [33, 1], '[N, C] op [N, 1]'],
  [[33, 1], [33, 17], '[N, 1] op [N, C]'],
  [[4, 33, 17], [4, 33, 1], '[B, N, C] op [B, N, 1]'],
  [[2, 1, 3, 1], [1, 4, 1, 5], 'general 4-D'],
  [[6, 1, 40], [1, 500, 40], 'general, threaded'],
  [[5, 1], [1, 6], 'outer product'],
  [[0, 5], [5], 'empty'],
];

describe('registration', () => {
  it('every elementwise kernel is overridden on native', () => {
    const names = [...UNARY.map((c) => c.kernel), ...BINARY.map((c) => c.kernel), 'EluGrad', 'AddN'];
    for (const name of names) {
      const n = tf.getKernel(name, 'native'), c = tf.getKernel(name, 'cpu');
      expect(n, name).toBeDefined();
      expect(n!.kernelFunc, name).not.toBe(c!.kernelFunc);
    }
  });
  it('float32 takes the addon, int32 falls back to cpu', () => {
    tf.setBackend('native');
    const x = tf.tensor([1, -2, 3]), i = tf.tensor([1, -2, 3], [3], 'int32');
    expect(countAddonCalls('unary', () => tf.dispose(tf.relu(x)))).toBe(1);
    expect(countAddonCalls('binary', () => tf.dispose(tf.add(x, tf.scalar(2))))).toBe(1);
    expect(countAddonCalls('binary', () => tf.dispose(tf.add(tf.ones([2, 1, 3, 1]), tf.ones([1, 4, 1, 5]))))).toBe(1);
    expect(countAddonCalls('unary', () => tf.dispose(tf.abs(i)))).toBe(0);
    expect(countAddonCalls('binary', () => tf.dispose(tf.add(i, i)))).toBe(0);
    tf.dispose([x, i]);
  });
});

describe('unary parity', () => {
  for (const c of UNARY) {
    it(`${c.kernel} forward`, () => {
      for (const shape of SIZES) expectParity([{ shape, lo: c.lo, hi: c.hi }], c.op);
      expectParity([{ shape: [3, 4, 5], lo: c.lo, hi: c.hi }], c.op);
    });
    if (!c.noGrad) {
      it(`${c.kernel} gradient`, () => {
        for (const shape of [[17], [1000]]) {
          expectParity([{ shape, lo: c.lo, hi: c.hi }], (x) => tf.grads((y: tf.Tensor) => weightedSum(c.op(y)))([x]), { rtol: 1e-4, atol: 1e-4 });
        }
      });
    }
  }
  it('int32 inputs fall back to cpu', () => {
    for (const op of [tf.abs, tf.neg, tf.square, tf.relu] as ((x: tf.Tensor) => tf.Tensor)[]) {
      expectParity([{ shape: [17], lo: -5, hi: 5, dtype: 'int32' }], op);
    }
  });
});

describe('special values', () => {
  const specials = new Float32Array([
    0, -0, 1, -1, 0.5, -0.5, 1e-7, -1e-7, 1e-30, 1e-40, -1e-40, 0.62, 0.63, -0.63, 13.9, 14, -13.9, -14,
    20, -20, 87, 88.5, 88.8, 89, 100, -87.5, -100, -103, -104, -110, 1e30, -1e30, Infinity, -Infinity, NaN,
    -0.999, -1.5, 0.3, -0.34, 0.36,
  ]);
  for (const c of UNARY) {
    it(c.kernel, () => {
      // The full float range: sums of tiny and huge values, zeros, NaN and infinities.
      expectParityOn([{ shape: [specials.length] }], [specials], c.op, { rtol: 2e-6, atol: 1e-37 });
    });
  }
  it('log of 0 is -Infinity, sqrt of a negative is NaN, exp overflows to Infinity on both', () => {
    const x = new Float32Array([0, -1, 100]);
    tf.setBackend('native');
    const t = tf.tensor(x);
    const [l, s, e] = [tf.log(t), tf.sqrt(t), tf.exp(t)].map((r) => r.dataSync());
    expect(l[0]).toBe(-Infinity);
    expect(Number.isNaN(s[1])).toBe(true);
    expect(e[2]).toBe(Infinity);
    tf.dispose(t);
    expectParityOn([{ shape: [3] }], [x], (y) => [tf.log(y), tf.sqrt(y), tf.exp(y)]);
  });
  it('binary ops on zeros, infinities and NaN', () => {
    const a = new Float32Array([0, -0, 1, -1, Infinity, -Infinity, NaN, 2, NaN, 0, 3]);
    const b = new Float32Array([0, 1, 0, -0, Infinity, 1, 2, NaN, NaN, -2, -Infinity]);
    for (const c of BINARY) expectParityOn([{ shape: [a.length] }, { shape: [b.length] }], [a, b], c.op, { rtol: 1e-6, atol: 0 });
  });
  it('every unary op over a dense sweep of [-30, 30]', () => {
    const x = new Float32Array(60001).map((_, i) => -30 + i * 1e-3);
    for (const c of UNARY) expectParityOn([{ shape: [x.length] }], [x], c.op, { rtol: 3e-6, atol: 1e-30 });
  });
});

describe('binary parity', () => {
  for (const c of BINARY) {
    it(`${c.kernel} forward, every broadcast pattern`, () => {
      for (const [as, bs] of PATTERNS) {
        expectParity([{ shape: as }, { shape: bs, lo: c.blo ?? -1, hi: c.blo ? 4 : 1 }], c.op);
      }
    });
    it(`${c.kernel} gradient`, () => {
      const broadcast = [[[33, 17], [17]], [[33, 17], [33, 1]], [[2, 1, 3, 1], [1, 4, 1, 5]], [[7], []]] as [number[], number[]][];
      for (const [as, bs] of [[[1000], [1000]], [[3, 5, 7], [3, 5, 7]], ...(c.sameShapeGrad ? [] : broadcast)] as [number[], number[]][]) {
        expectParity(
          [{ shape: as }, { shape: bs, lo: c.blo ?? -1, hi: c.blo ? 4 : 1 }],
          (a, b) => tf.grads((x: tf.Tensor, y: tf.Tensor) => weightedSum(c.op(x, y)))([a, b]),
          { rtol: 1e-4, atol: 1e-4 },
        );
      }
    });
  }
  it('rank 7 after collapsing falls back to cpu', () => {
    expectParity([{ shape: [2, 1, 2, 1, 2, 1, 2] }, { shape: [1, 2, 1, 2, 1, 2, 1] }], (a, b) => tf.add(a, b));
  });
  it('int32 falls back to cpu', () => {
    expectParity([{ shape: [33, 17], lo: -9, hi: 9, dtype: 'int32' }, { shape: [17], lo: -9, hi: 9, dtype: 'int32' }], (a, b) => tf.mul(a, b));
  });
  it('float32 tensors cast from int32 or bool (cpu keeps their integer arrays) are read as floats', () => {
    expectParity([{ shape: [33, 17], lo: -9, hi: 9, dtype: 'int32' }, { shape: [17] }], (a, b) => tf.add(tf.cast(a, 'float32'), b));
    expectParity([{ shape: [1000] }, { shape: [1000] }], (a, b) => tf.relu(tf.cast(tf.greater(a, b), 'float32')));
    expectParity([{ shape: [7], lo: -9, hi: 9, dtype: 'int32' }, { shape: [7] }], (a, b) => tf.addN([tf.cast(a, 'float32'), b]));
  });
  it('EluGrad through the gradient of elu', () => {
    expectParity([{ shape: [100003], lo: -3, hi: 3 }], (x) => tf.grads((y: tf.Tensor) => tf.sum(tf.elu(y)))([x]));
  });
});

describe('AddN parity', () => {
  for (const n of [1, 2, 3, 7]) {
    for (const shape of [[], [7], [100003], [0, 3]]) {
      it(`${n} tensors of shape [${shape}]`, () => {
        expectParity(Array.from({ length: n }, () => ({ shape })), (...xs) => tf.addN(xs), { rtol: 0, atol: 0 });
      });
    }
  }
  it('takes the addon', () => {
    tf.setBackend('native');
    const xs = [tf.ones([5]), tf.ones([5]), tf.ones([5])];
    expect(countAddonCalls('addN', () => tf.dispose(tf.addN(xs)))).toBe(1);
    tf.dispose(xs);
  });
  it('gradient', () => {
    expectParity([{ shape: [17] }, { shape: [17] }, { shape: [17] }], (a, b, c) => tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(tf.square(tf.addN([x, y, z]))))([a, b, c]));
  });
});
