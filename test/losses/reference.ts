/**
 * Float64 references for the metric-learning tests: the distances written the slow obvious way,
 * gradients by central finite differences, and tolerance checks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

export type Rows = number[][];

/** Row-major Float32Array [n, d] -> number[][] (float64). */
export function rows(values: Float32Array, n: number, d: number): Rows {
  return Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * d, (i + 1) * d)));
}

export function dot(x: number[], y: number[]): number {
  let s = 0;
  for (let k = 0; k < x.length; k++) s += x[k] * y[k];
  return s;
}

export function euclidean(x: number[], y: number[]): number {
  let s = 0;
  for (let k = 0; k < x.length; k++) s += (x[k] - y[k]) ** 2;
  return Math.sqrt(s);
}

export function cosine(x: number[], y: number[]): number {
  return dot(x, y) / (Math.max(Math.sqrt(dot(x, x)), 1e-12) * Math.max(Math.sqrt(dot(y, y)), 1e-12));
}

/**
 * Gradients of f with respect to every element of every input, by central differences
 * (float64, so h = 1e-6 is accurate to ~1e-9 where f is smooth).
 */
export function numericGrad(f: (inputs: Rows[]) => number, inputs: Rows[], h = 1e-6): number[][] {
  return inputs.map((input, which) =>
    input.flatMap((row, i) =>
      row.map((_, d) => {
        const at = (delta: number) => {
          const moved = inputs.map((m) => m.map((r) => r.slice()));
          moved[which][i][d] += delta;
          return f(moved);
        };
        return (at(h) - at(-h)) / (2 * h);
      }),
    ),
  );
}

export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = atol + rtol * Math.abs(want[i]);
    if (!(Math.abs(got[i] - want[i]) <= tol)) {
      expect.fail(`element ${i}: got ${got[i]}, want ${want[i]} (tolerance ${tol})`);
    }
  }
}

export function expectAllFinite(values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) expect.fail(`element ${i} is ${values[i]}`);
  }
}

/** The backends every loop comparison runs on: ours and tfjs's reference cpu. */
export const BACKENDS = ['native', 'cpu'];

/**
 * Value and gradients of f at tensors made from `inputs` ([values, shape] each), read back as
 * float64 arrays; fails if a tensor leaks.
 */
export function lossAndGrads(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: [ArrayLike<number>, number[]][],
): { value: number; grads: number[][] } {
  const before = tf.memory().numTensors;
  let out = { value: Number.NaN, grads: [] as number[][] };
  tf.tidy(() => {
    const xs = inputs.map(([values, shape]) => tf.tensor(Float32Array.from(values), shape));
    const { value, grads } = tf.valueAndGrads(f)(xs);
    out = { value: value.dataSync()[0], grads: grads.map((g) => Array.from(g.dataSync())) };
  });
  expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
  return out;
}

/** f's value on tensors made from `inputs`, with a leak check. */
export function lossValue(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: [ArrayLike<number>, number[]][]): number {
  return lossAndGrads(f, inputs).value;
}

/** n one-hot rows of width d: row i is `scale` e_{index(i)}. */
export function oneHot(n: number, d: number, index: (i: number) => number, scale = 1): Float32Array {
  const values = new Float32Array(n * d);
  for (let i = 0; i < n; i++) values[i * d + index(i)] = scale;
  return values;
}
