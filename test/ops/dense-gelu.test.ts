import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { denseGelu } from '../../src/ops/dense-gelu.js';
import { gelu } from '../../src/ops/gelu.js';
import { countAddonCalls, expectParity, randomArray, runOn } from '../backend/parity.js';

const unfused = (x: tf.Tensor, k: tf.Tensor, b: tf.Tensor) => gelu(tf.fused.matMul({ a: x, b: k, bias: b }));

describe('denseGelu (GELU in the GEMM epilogue, inference)', () => {
  // rows past and short of the 14-row tiles, columns short of a 32-wide panel and past the 384-column
  // block, K over one 384-deep k block (the epilogue only after the last), MiniLM's shape
  for (const [N, K, I] of [[1, 1, 1], [3, 5, 7], [29, 40, 33], [15, 800, 70], [64, 384, 1536], [50, 17, 400]]) {
    const specs = [{ shape: [N, K], lo: -2, hi: 2 }, { shape: [K, I], lo: -0.5, hi: 0.5 }, { shape: [I], lo: -1, hi: 1 }];
    it(`native fused kernel equals the unfused cpu path and the unfused native path, x [${N}, ${K}] kernel [${K}, ${I}]`, () => {
      expectParity(specs, denseGelu, { rtol: 1e-4, atol: 1e-5 });
      const data = specs.map((s, i) => randomArray(s.shape.reduce((a, b) => a * b, 1), 50 + i, s.lo, s.hi));
      const fused = runOn('native', specs, data, denseGelu).values[0];
      const want = runOn('native', specs, data, unfused).values[0];
      for (let i = 0; i < want.length; i++) expect(Math.abs(fused[i] - want[i])).toBeLessThanOrEqual(1e-6 + 1e-6 * Math.abs(want[i]));
    });
  }

  it('runs one fused GEMM only when no gradient is recorded; gradients flow through the unfused ops', () => {
    tf.setBackend('native');
    const x = tf.randomNormal([6, 8]), k = tf.randomNormal([8, 5]), b = tf.randomNormal([5]);
    const spy = (fn: () => void) => {
      const calls = { gelu: 0, matmul: 0 };
      calls.gelu = countAddonCalls('gelu', () => { calls.matmul = countAddonCalls('matmul', fn); });
      return calls;
    };
    expect(spy(() => tf.tidy(() => { denseGelu(x, k, b).dataSync(); }))).toEqual({ gelu: 0, matmul: 1 });
    const grad = () => tf.tidy(() => { tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(denseGelu(a, c, d)))([x, k, b]).map((t) => t.dataSync()); });
    expect(spy(grad).gelu).toBe(1);
    tf.dispose([x, k, b]);
    const specs = [{ shape: [7, 9] }, { shape: [9, 34] }, { shape: [34] }, { shape: [7, 34] }];
    expectParity(specs, (a, c, d, w) => tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.sum(tf.mul(denseGelu(p, q, r), w)))([a, c, d]), { rtol: 1e-4, atol: 1e-4 });
  });

  it('rejects bad shapes and dtypes with a clear error', () => {
    tf.setBackend('native');
    tf.tidy(() => {
      expect(() => denseGelu(tf.zeros([2, 3]), tf.zeros([4, 5]), tf.zeros([5]))).toThrow(/kernel must be \[3, outputs\]/);
      expect(() => denseGelu(tf.zeros([2, 3]), tf.zeros([3, 5]), tf.zeros([4]))).toThrow(/bias must be \[5\]/);
      expect(() => denseGelu(tf.zeros([2, 3, 1]), tf.zeros([1, 5]), tf.zeros([5]))).toThrow(/x must be \[rows, inputs\]/);
      expect(() => denseGelu(tf.zeros([2, 3], 'int32'), tf.zeros([3, 5]), tf.zeros([5]))).toThrow(/x must be float32/);
    });
  });
});
