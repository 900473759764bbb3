/**
 * ResumableAdam / ResumableAdamW on the `native` backend run each variable's step as one fused
 * kernel. Against: tfjs's AdamOptimizer path (the same classes with `fused = false`, on native and
 * on cpu: equal bit for bit, weights and saved state), a literal float64 loop of Adam / AdamW
 * (within float32 rounding), a save / restore in the middle (bit for bit), and leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { ResumableAdam, ResumableAdamW } from '../../src/train/adam.js';
import { addon } from '../../src/backend/addon.js';
import { randomArray } from '../backend/parity.js';

// Rank 2 (decays under AdamW; [300, 257] is large enough for the pool, so it runs in place from the
// second step), rank 3, rank 1 (never decays), odd sizes.
const SHAPES = [[300, 257], [7, 13], [3, 5, 11], [257], [1]];
const STEPS = 6;
const LR = 0.01, B1 = 0.9, B2 = 0.999, EPS = 1e-7;

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const gradient = (k: number, t: number) => randomArray(size(SHAPES[k]), 1000 * t + k, -2, 2);

type Opt = ResumableAdam;
let nextRun = 0;

/** Trains fresh variables for `steps` steps with seeded gradients (as a map); restoreAt: a checkpoint round trip before that step. */
async function train(backend: string, make: () => Opt, opts: { fused?: boolean; steps?: number; restoreAt?: number; nullGradient?: number } = {}) {
  tf.setBackend(backend);
  const run = nextRun++;
  const vars = SHAPES.map((s, k) => tf.tidy(() => tf.variable(tf.tensor(randomArray(size(s), 7 + k), s), true, `run${run}/w${k}`)));
  let opt = make();
  opt.fused = opts.fused ?? true;
  const counts: number[] = [];
  let inPlace = 0; // steps that wrote the first variable's step into its own buffer
  for (let t = 1; t <= (opts.steps ?? STEPS); t++) {
    if (opts.restoreAt === t) {
      // A checkpoint's round trip: the saved tensors copied out, a new optimizer restored from them.
      const saved = await opt.getWeights();
      const copies = saved.map((w) => ({ name: w.name, tensor: tf.tensor(w.tensor.dataSync().slice(), w.tensor.shape, w.tensor.dtype) }));
      tf.dispose(saved.filter((w) => w.name === 'iter').map((w) => w.tensor)); // made by getWeights
      opt.dispose();
      opt = make();
      opt.fused = opts.fused ?? true;
      await opt.setWeights(copies);
      tf.dispose(copies.map((c) => c.tensor));
    }
    const grads: Record<string, tf.Tensor> = {};
    vars.forEach((v, k) => {
      if (opts.nullGradient !== k) grads[v.name] = tf.tensor(gradient(k, t), v.shape);
    });
    if (opts.nullGradient !== undefined) (grads as Record<string, tf.Tensor | null>)[vars[opts.nullGradient].name] = null;
    const buffer = () => (tf.backend() as unknown as { data: { get(id: object): { values: unknown } } }).data.get(vars[0].dataId).values;
    const before = buffer();
    opt.applyGradients(grads as unknown as Parameters<Opt['applyGradients']>[0]);
    if (buffer() === before) inPlace++;
    tf.dispose(Object.values(grads).filter((g) => g));
    counts.push(tf.memory().numTensors);
  }
  const weights = vars.map((v) => (v.dataSync() as Float32Array).slice());
  const saved = await opt.getWeights();
  const state = saved.map((w) => ({ name: w.name.replace(/^run\d+\//, ''), values: Float32Array.from(w.tensor.dataSync()) }));
  tf.dispose(saved.filter((w) => w.name === 'iter').map((w) => w.tensor)); // made by getWeights
  opt.dispose();
  tf.dispose(vars);
  return { weights, state, counts, inPlace };
}

function expectSame(a: Float32Array[], b: Float32Array[], what: string): void {
  a.forEach((x, k) => {
    const bad = x.findIndex((y, i) => !Object.is(y, b[k][i]));
    expect(bad, `${what}: variable ${k} differs at ${bad}`).toBe(-1);
  });
}

/** Adam / AdamW, the textbook loop in float64 (PyTorch's order: decay first, then the step). */
function float64Reference(weightDecay: number): number[][] {
  return SHAPES.map((s, k) => {
    const w = Array.from(randomArray(size(s), 7 + k)), m = w.map(() => 0), v = w.map(() => 0);
    const decays = weightDecay > 0 && s.length >= 2;
    for (let t = 1; t <= STEPS; t++) {
      const g = gradient(k, t);
      for (let i = 0; i < w.length; i++) {
        if (decays) w[i] *= 1 - LR * weightDecay;
        m[i] = B1 * m[i] + (1 - B1) * g[i];
        v[i] = B2 * v[i] + (1 - B2) * g[i] * g[i];
        const mh = m[i] / (1 - B1 ** t), vh = v[i] / (1 - B2 ** t);
        w[i] -= (LR * mh) / (Math.sqrt(vh) + EPS);
      }
    }
    return w;
  });
}

for (const [label, make, wd] of [
  ['ResumableAdam', () => new ResumableAdam(LR, B1, B2, EPS), 0],
  ['ResumableAdamW (weight decay 0.1)', () => new ResumableAdamW(LR, 0.1, B1, B2, EPS), 0.1],
] as const) {
  describe(`${label}, fused on native`, () => {
    it('equals tfjs\'s path bit for bit (weights and saved state), on native and on cpu; one kernel per variable', async () => {
      tf.setBackend('native');
      // Count the addon's calls around the fused run (countAddonCalls takes a synchronous function).
      const a = addon as unknown as Record<string, (...args: unknown[]) => unknown>, real = a.adamUpdate;
      let calls = 0;
      a.adamUpdate = (...args: unknown[]) => (calls++, real(...args));
      const fused = await train('native', make).finally(() => { a.adamUpdate = real; });
      expect(calls).toBe(SHAPES.length * STEPS);
      expect(fused.inPlace).toBe(STEPS - 1); // the [300, 257] weights: in place from the second step
      const unfusedNative = await train('native', make, { fused: false });
      const cpu = await train('cpu', make);
      for (const other of [unfusedNative, cpu]) {
        expectSame(fused.weights, other.weights, 'weights');
        expect(fused.state.map((s) => s.name)).toEqual(other.state.map((s) => s.name));
        expectSame(fused.state.map((s) => s.values), other.state.map((s) => s.values), 'saved state');
      }
    });

    it('equals a float64 Adam / AdamW loop within float32 rounding', async () => {
      const { weights } = await train('native', make);
      const ref = float64Reference(wd);
      // float32 rounding: each step moves a weight by ~lr, with relative error ~1e-7 of its terms
      const worst = Math.max(...weights.map((w, k) => w.reduce((e, x, i) => Math.max(e, Math.abs(x - ref[k][i]) / (1 + Math.abs(ref[k][i]))), 0)));
      expect(worst).toBeLessThan(2e-6);
      if (wd > 0) {
        // The decay is there: without it the rank-2 weights would differ by ~lr wd |w| per step.
        const noDecay = (await train('native', () => new ResumableAdam(LR, B1, B2, EPS))).weights[0];
        expect(weights[0].reduce((d, x, i) => Math.max(d, Math.abs(x - noDecay[i])), 0)).toBeGreaterThan(1e-4);
      }
    });

    it('restored in the middle from its saved state, continues bit for bit', async () => {
      const straight = await train('native', make);
      const resumed = await train('native', make, { restoreAt: 4 });
      expectSame(resumed.weights, straight.weights, 'weights');
      expectSame(resumed.state.map((s) => s.values), straight.state.map((s) => s.values), 'saved state');
    });

    it('leaks no tensors: the count is the same after every step (from the second on)', async () => {
      tf.setBackend('native');
      const before = tf.memory().numTensors;
      const { counts } = await train('native', make);
      expect(new Set(counts.slice(1)).size).toBe(1);
      expect(counts[0]).toBe(counts[1]);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('a variable without a gradient: no step (its moments made), the decay still applied, as tfjs\'s path', async () => {
      const fused = await train('native', make, { nullGradient: 1 });
      const cpu = await train('cpu', make, { nullGradient: 1 });
      expectSame(fused.weights, cpu.weights, 'weights');
      expectSame(fused.state.map((s) => s.values), cpu.state.map((s) => s.values), 'saved state');
    });
  });
}

describe('ResumableAdamW, fused on native: what the kernel does not take', () => {
  it('a gradient that broadcasts (tfjs\'s ops take it) steps with tfjs\'s ops, as the unfused path', async () => {
    const run = async (backend: string) => {
      tf.setBackend(backend);
      const w = tf.tidy(() => tf.variable(tf.tensor2d([[0.5, -1, 2], [0.25, 3, -0.5]]), true, `broadcast-${backend}`));
      const opt = new ResumableAdamW(LR, 0.1, B1, B2, EPS);
      for (let t = 1; t <= 3; t++) {
        const g = tf.tensor1d([0.1 * t, -0.2, 0.3]); // [3] against [2, 3]
        opt.applyGradients([{ name: w.name, tensor: g }]);
        g.dispose();
      }
      const out = (w.dataSync() as Float32Array).slice();
      opt.dispose();
      w.dispose();
      return out;
    };
    expectSame([await run('native')], [await run('cpu')], 'weights');
  });
});
