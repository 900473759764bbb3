import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { headContext, headScores } from '../../src/ops/attention-heads.js';
import { countAddonCalls, expectParity, randomArray, runOn } from '../backend/parity.js';

/** tfjs's composition: heads transposed to [B, G, L, D], batched matMuls, merged back. */
function split(x: tf.Tensor, G: number): tf.Tensor {
  const [B, L, H] = x.shape;
  return tf.transpose(tf.reshape(x, [B, L, G, H / G]), [0, 2, 1, 3]);
}
const composedScores = (q: tf.Tensor, k: tf.Tensor, G: number) => tf.matMul(split(q, G), split(k, G), false, true);
function composedContext(p: tf.Tensor, v: tf.Tensor): tf.Tensor {
  const [B, G, Lq] = p.shape as number[], H = v.shape[2] as number;
  return tf.reshape(tf.transpose(tf.matMul(p, split(v, G)), [0, 2, 1, 3]), [B, Lq, H]);
}

/** Both ops chained as attention uses them, with a loss on the output. */
const chain = (G: number) => (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, w: tf.Tensor) =>
  tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(headContext(tf.tanh(headScores(a, b, G)), c), w)))([q, k, v]);
const chainComposed = (G: number) => (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, w: tf.Tensor) =>
  tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(composedContext(tf.tanh(composedScores(a, b, G)), c), w)))([q, k, v]);

describe('headScores / headContext ops', () => {
  for (const [B, Lq, Lk, H, G] of [[2, 3, 5, 6, 2], [1, 1, 1, 1, 1], [3, 17, 9, 60, 5], [4, 64, 64, 384, 12]]) {
    const specs = [{ shape: [B, Lq, H] }, { shape: [B, Lk, H] }, { shape: [B, Lk, H] }, { shape: [B, Lq, H] }];
    it(`native matches the cpu reference kernels, forward and gradient, B ${B} Lq ${Lq} Lk ${Lk} H ${H} heads ${G}`, () => {
      expectParity(specs.slice(0, 2), (q, k) => headScores(q, k, G), { rtol: 1e-4, atol: 1e-5 });
      expectParity([{ shape: [B, G, Lq, Lk] }, specs[2]], (p, v) => headContext(p, v), { rtol: 1e-4, atol: 1e-5 });
      expectParity(specs, chain(G), { rtol: 1e-3, atol: 1e-4 });
    });
  }

  for (const backend of ['cpu', 'native']) {
    it(`equal tfjs' transpose + matMul composition, forward and gradients (${backend})`, () => {
      const [B, Lq, Lk, H, G] = [2, 5, 4, 12, 3];
      const specs = [{ shape: [B, Lq, H] }, { shape: [B, Lk, H] }, { shape: [B, Lk, H] }, { shape: [B, Lq, H] }];
      const data = specs.map((s, i) => randomArray(s.shape.reduce((a, b) => a * b, 1), 10 + i));
      const fwd = (f: typeof composedScores, g: typeof composedContext) => (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => [f(q, k, G), g(tf.sigmoid(f(q, k, G)), v)];
      const got = [...runOn(backend, specs.slice(0, 3), data.slice(0, 3), fwd(headScores, headContext)).values, ...runOn(backend, specs, data, chain(G)).values];
      const want = [...runOn(backend, specs.slice(0, 3), data.slice(0, 3), fwd(composedScores, composedContext)).values, ...runOn(backend, specs, data, chainComposed(G)).values];
      want.forEach((w, o) => w.forEach((v, i) => expect(Math.abs(got[o][i] - v)).toBeLessThanOrEqual(1e-5)));
    });
  }

  it('run on the addon on native, forward (2 calls) and backward (4 calls); validate their arguments', () => {
    tf.setBackend('native');
    const q = tf.tensor3d(randomArray(24, 1), [2, 3, 4]);
    expect(countAddonCalls('headsMatMul', () => tf.tidy(() => headContext(headScores(q, q, 2), q).dataSync()))).toBe(2);
    expect(countAddonCalls('headsMatMul', () => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(headContext(headScores(a, a, 2), b)))([q, q])))).toBe(2 + 4);
    expect(() => headScores(q, tf.zeros([2, 3, 5]), 2)).toThrow(/k must be \[2, seqLen, 4\]/);
    expect(() => headScores(q, q, 3)).toThrow(/numHeads must be an integer >= 1 dividing hidden 4, received 3/);
    expect(() => headContext(tf.zeros([2, 2, 3, 5]), q)).toThrow(/v must be \[2, 5, heads \* D\]/);
    q.dispose();
  });
});
