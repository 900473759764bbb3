import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { erf64, gelu } from '../../src/ops/gelu.js';
import { countAddonCalls, expectParity, runOn } from '../backend/parity.js';

/** erf by Simpson's rule on 2/sqrt(pi) exp(-t^2) over [0, x] (4000 intervals): independent of erf64. */
function erfSimpson(x: number): number {
  const n = 4000, h = x / n;
  let s = 1 + Math.exp(-x * x);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return (2 / Math.sqrt(Math.PI)) * (h / 3) * s;
}

describe('gelu op', () => {
  it('erf64 equals the integral definition to 1e-12 on [-7, 7], and its known values', () => {
    for (let x = -7; x <= 7; x += 0.173) expect(Math.abs(erf64(x) - erfSimpson(x))).toBeLessThan(1e-12);
    expect(erf64(1)).toBeCloseTo(0.8427007929497149, 15);
    expect(erf64(3)).toBeCloseTo(0.9999779095030014, 15);
    expect(erf64(-Infinity)).toBe(-1);
  });

  for (const backend of ['cpu', 'native']) {
    it(`equals x Phi(x) and the closed form Phi(x) + x phi(x) of its derivative on [-10, 10] (${backend})`, () => {
      const xs = Float32Array.from({ length: 2001 }, (_, i) => -10 + i * 0.01);
      const dys = Float32Array.from(xs, (_, i) => 1 + (i % 7) / 7);
      const specs = [{ shape: [xs.length] }, { shape: [xs.length] }];
      const [y] = runOn(backend, specs.slice(0, 1), [xs], (x) => gelu(x)).values;
      const [dx] = runOn(backend, specs, [xs, dys], (x, dy) => tf.grad((t: tf.Tensor) => gelu(t))(x, dy)).values;
      xs.forEach((v, i) => {
        const Phi = 0.5 * (1 + erfSimpson(v / Math.SQRT2));
        const want = v * Phi, dwant = dys[i] * (Phi + (v * Math.exp(-v * v / 2)) / Math.sqrt(2 * Math.PI));
        // float32: the native erf is within 5e-7, times |x| <= 10
        expect(Math.abs(y[i] - want)).toBeLessThanOrEqual(3e-6 + 2e-7 * Math.abs(want));
        expect(Math.abs(dx[i] - dwant)).toBeLessThanOrEqual(3e-6 + 2e-7 * Math.abs(dwant));
      });
    });
  }

  for (const shape of [[1], [7, 13], [2048, 33], [3, 5, 1025]]) {
    it(`native matches the cpu reference kernels, forward and gradient, x [${shape}]`, () => {
      expectParity([{ shape, lo: -6, hi: 6 }], (x) => gelu(x), { rtol: 1e-6, atol: 2e-6 });
      expectParity([{ shape, lo: -6, hi: 6 }, { shape }], (x, dy) => tf.grad((t: tf.Tensor) => gelu(t))(x, dy), { rtol: 1e-6, atol: 2e-6 });
    });
  }

  it('NaN stays NaN; runs on the addon on native; refuses int32', () => {
    tf.setBackend('native');
    const x = tf.tensor1d([NaN, 0, 1]);
    expect(countAddonCalls('gelu', () => expect(Number.isNaN(tf.tidy(() => gelu(x).dataSync())[0])).toBe(true))).toBe(1);
    expect(countAddonCalls('geluGrad', () => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(x).dataSync()))).toBe(1);
    x.dispose();
    expect(() => gelu(tf.zeros([2], 'int32'))).toThrow(/x must be float32, received int32/);
  });
});
