import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { addLayerNorm } from '../../src/ops/add-layer-norm.js';
import { layerNorm } from '../../src/ops/layer-norm.js';
import { addon } from '../../src/backend/addon.js';
import { countAddonCalls, expectParity, randomArray, runOn } from '../backend/parity.js';

/** [calls of the addon's layerNormForward, of them with a residual (the fused add)] while fn runs. */
function fusedCalls(fn: () => void): [number, number] {
  const a = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  const orig = a.layerNormForward;
  let withResidual = 0;
  a.layerNormForward = (...args: unknown[]) => {
    if (args[7]) withResidual++;
    return orig(...args);
  };
  try {
    return [countAddonCalls('layerNormForward', fn), withResidual];
  } finally {
    a.layerNormForward = orig;
  }
}

const unfused = (eps: number) => (x: tf.Tensor, r: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => layerNorm(tf.add(x, r), g, b, eps);

describe('addLayerNorm (residual add + LayerNorm in one pass, inference)', () => {
  for (const shape of [[1, 1], [3, 7], [2, 5, 33], [4, 16, 384], [300, 17]]) {
    const H = shape[shape.length - 1];
    const specs = [{ shape, lo: -3, hi: 5 }, { shape, lo: -1, hi: 2 }, { shape: [H], lo: 0.5, hi: 1.5 }, { shape: [H] }];
    it(`native fused kernel equals the unfused cpu path and, exactly, the unfused native path, x [${shape}]`, () => {
      expectParity(specs, (x, r, g, b) => addLayerNorm(x, r, g, b, 1e-12), { rtol: 1e-5, atol: 1e-5 });
      const data = specs.map((s, i) => randomArray(s.shape.reduce((a, b) => a * b, 1), 60 + i, s.lo, s.hi));
      const fused = runOn('native', specs, data, (x, r, g, b) => addLayerNorm(x, r, g, b, 1e-12)).values[0];
      const want = runOn('native', specs, data, unfused(1e-12)).values[0];
      expect(fused).toEqual(want); // the same float sum, statistics and row pass
    });
  }

  it('runs the fused kernel only when no gradient is recorded; gradients flow through Add and LayerNorm', () => {
    tf.setBackend('native');
    const x = tf.randomNormal([6, 8]), r = tf.randomNormal([6, 8]), g = tf.randomNormal([8]), b = tf.randomNormal([8]);
    expect(fusedCalls(() => tf.tidy(() => { addLayerNorm(x, r, g, b, 1e-5).dataSync(); }))).toEqual([1, 1]);
    const grad = () => tf.tidy(() => { tf.grads((p: tf.Tensor, q: tf.Tensor, s: tf.Tensor, t: tf.Tensor) => tf.sum(addLayerNorm(p, q, s, t, 1e-5)))([x, r, g, b]).map((d) => d.dataSync()); });
    expect(fusedCalls(grad)).toEqual([1, 0]);
    tf.dispose([x, r, g, b]);
    const specs = [{ shape: [5, 24] }, { shape: [5, 24] }, { shape: [24], lo: 0.5, hi: 1.5 }, { shape: [24] }, { shape: [5, 24] }];
    const loss = (p: tf.Tensor, q: tf.Tensor, s: tf.Tensor, t: tf.Tensor, w: tf.Tensor) =>
      tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor, e: tf.Tensor) => tf.sum(tf.mul(addLayerNorm(a, c, d, e, 1e-5), w)))([p, q, s, t]);
    expectParity(specs, loss, { rtol: 1e-4, atol: 1e-4 });
  });

  it('broadcasts a residual of another shape through the composed ops', () => {
    const specs = [{ shape: [4, 6] }, { shape: [6] }, { shape: [6] }, { shape: [6] }];
    expectParity(specs, (x, r, g, b) => addLayerNorm(x, r, g, b, 1e-5), { rtol: 1e-5, atol: 1e-5 });
  });

  it('rejects bad gamma, beta and epsilon with a clear error', () => {
    tf.setBackend('native');
    tf.tidy(() => {
      const x = tf.zeros([2, 4]);
      expect(() => addLayerNorm(x, x, tf.ones([3]), tf.zeros([4]), 1e-5)).toThrow(/gamma and beta must be float32 \[4\]/);
      expect(() => addLayerNorm(x, x, tf.ones([4]), tf.zeros([4]), 0)).toThrow(/epsilon must be a finite number > 0/);
    });
  });
});
