/**
 * Backend parity harness: run the same computation on `native` and on tfjs's `cpu` from the same
 * seeded inputs and compare element-wise within a stated float32 tolerance.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import '../../src/backend/register.js';
import { addon } from '../../src/backend/addon.js';

/** Deterministic uniform [lo, hi) floats (mulberry32). */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

export interface InputSpec {
  shape: number[];
  lo?: number;
  hi?: number;
  dtype?: 'float32' | 'int32';
}

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

/** Runs fn on `backend` with fresh tensors made from `data`; returns the outputs as arrays. */
export function runOn(
  backend: string,
  specs: InputSpec[],
  data: Float32Array[],
  fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): { values: Float32Array[]; shapes: number[][] } {
  tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const res = tf.tidy(() => {
    const xs = specs.map((s, i) => tf.tensor(data[i], s.shape, s.dtype ?? 'float32'));
    const out = fn(...xs);
    return Array.isArray(out) ? out : [out];
  });
  const values = res.map((t) => Float32Array.from(t.dataSync() as ArrayLike<number>));
  const shapes = res.map((t) => t.shape);
  tf.dispose(res);
  expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
  return { values, shapes };
}

/** Asserts that `native` and `cpu` agree on fn for inputs drawn from `specs` with `seed`. */
export function expectParity(
  specs: InputSpec[],
  fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  { rtol = 1e-4, atol = 1e-5 }: Tolerance = {},
  seed = 1,
): void {
  const data = specs.map((s, i) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const arr = randomArray(n, seed * 7919 + i, s.lo ?? -1, s.hi ?? 1);
    return s.dtype === 'int32' ? arr.map(Math.round) : arr;
  });
  const ref = runOn('cpu', specs, data, fn);
  const got = runOn('native', specs, data, fn);
  expect(got.shapes).toEqual(ref.shapes);
  for (let o = 0; o < ref.values.length; o++) {
    const r = ref.values[o], g = got.values[o];
    let worst = 0, at = -1;
    for (let i = 0; i < r.length; i++) {
      if (r[i] === g[i] || (Number.isNaN(r[i]) && Number.isNaN(g[i]))) continue; // equal, also +-Infinity
      const excess = Math.abs(g[i] - r[i]) - (atol + rtol * Math.abs(r[i]));
      if (!(excess <= worst)) { worst = excess; at = i; }
    }
    expect(at, `output ${o} differs at ${at}: native ${g[at]} vs cpu ${r[at]} (shape ${ref.shapes[o]})`).toBe(-1);
  }
}

/** Counts the calls of one addon function while fn runs (to check that the native path is taken). */
export function countAddonCalls(name: string, fn: () => void): number {
  const a = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  const orig = a[name];
  let calls = 0;
  a[name] = (...args: unknown[]) => {
    calls++;
    return orig(...args);
  };
  try {
    fn();
  } finally {
    a[name] = orig;
  }
  return calls;
}
