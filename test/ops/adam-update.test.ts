/**
 * The fused Adam / AdamW step: the op against tfjs's own ops (bit for bit, both backends), native
 * against the cpu reference kernel (bit for bit, odd sizes, sizes split over threads), in place and
 * not, and the in-place path's safety: a buffer anyone else can see is never overwritten.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { adamCoefficients, adamUpdate, type AdamCoefficients } from '../../src/ops/adam-update.js';
import { countAddonCalls, randomArray } from '../backend/parity.js';

const SHAPES = [[1], [7], [7, 13], [2048, 33], [3, 5, 1025], [100_003]];

function coefficients(t: number, weightDecay = 0): AdamCoefficients {
  const b1 = 0.9, b2 = 0.999;
  let acc1 = Math.fround(b1), acc2 = Math.fround(b2);
  for (let i = 1; i < t; i++) {
    acc1 = Math.fround(acc1 * Math.fround(b1));
    acc2 = Math.fround(acc2 * Math.fround(b2));
  }
  return adamCoefficients({ learningRate: 0.01, beta1: b1, beta2: b2, epsilon: 1e-7, accBeta1: acc1, accBeta2: acc2, weightDecay });
}

/** tfjs's AdamOptimizer step (and ResumableAdamW's decay before it), op for op. */
function withTfjsOps(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, c: AdamCoefficients): tf.Tensor[] {
  const p0 = c.keep !== 1 ? tf.mul(p, tf.scalar(c.keep)) : p;
  const m1 = tf.add(tf.mul(m, c.beta1), tf.mul(g, c.oneMinusBeta1));
  const v1 = tf.add(tf.mul(v, c.beta2), tf.mul(tf.square(g), c.oneMinusBeta2));
  const mh = tf.div(m1, tf.scalar(c.c1)), vh = tf.div(v1, tf.scalar(c.c2));
  return [tf.add(tf.mul(tf.div(mh, tf.add(tf.sqrt(vh), c.epsilon)), c.negLearningRate), p0), m1, v1];
}

/** Inputs of step t: param and grad in [-1, 1), m in [-0.1, 0.1), v in [0, 0.01) (v >= 0). */
function inputs(shape: number[], seed: number): Float32Array[] {
  const n = shape.reduce((a, b) => a * b, 1);
  return [randomArray(n, seed), randomArray(n, seed + 1), randomArray(n, seed + 2, -0.1, 0.1), randomArray(n, seed + 3, 0, 0.01)];
}

function run(backend: string, shape: number[], data: Float32Array[], fn: (...xs: tf.Tensor[]) => tf.Tensor[]): Float32Array[] {
  tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => fn(...data.map((d) => tf.tensor(d, shape))));
  const values = out.map((t) => (t.dataSync() as Float32Array).slice());
  tf.dispose(out);
  expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
  return values;
}

function expectSame(got: Float32Array[], want: Float32Array[], what: string): void {
  got.forEach((g, k) => {
    const bad = g.findIndex((x, i) => !Object.is(x, want[k][i]));
    expect(bad, `${what}: output ${k} differs at ${bad}: ${g[bad]} vs ${want[k][bad]}`).toBe(-1);
  });
}

describe('adamUpdate op', () => {
  for (const shape of SHAPES) {
    for (const wd of [0, 0.1]) {
      it(`equals tfjs's ops bit for bit on cpu and native; native equals cpu: [${shape}], weight decay ${wd}`, () => {
        for (const t of [1, 2, 7]) {
          const data = inputs(shape, 100 * t + shape.length), c = coefficients(t, wd);
          const ref = run('cpu', shape, data, (p, g, m, v) => withTfjsOps(p, g, m, v, c));
          expectSame(run('cpu', shape, data, (p, g, m, v) => adamUpdate(p, g, m, v, c)), ref, 'cpu op vs tfjs ops');
          expectSame(run('native', shape, data, (p, g, m, v) => withTfjsOps(p, g, m, v, c)), ref, 'native tfjs ops vs cpu tfjs ops');
          expectSame(run('native', shape, data, (p, g, m, v) => adamUpdate(p, g, m, v, c)), ref, 'native op vs cpu');
        }
      });
    }
  }

  it('special values: zero gradients, v = 0 (eps keeps it finite), huge gradients, NaN propagates', () => {
    const shape = [6];
    const data = [
      Float32Array.from([1, -2, 0, 3, 4, 5]),
      Float32Array.from([0, 0, 1e30, -1e30, Number.NaN, 1e-30]),
      Float32Array.from([0, 0.5, 0, 0, 0, 0]),
      new Float32Array(6),
    ];
    const c = coefficients(1, 0.1);
    const ref = run('cpu', shape, data, (p, g, m, v) => withTfjsOps(p, g, m, v, c));
    expectSame(run('cpu', shape, data, (p, g, m, v) => adamUpdate(p, g, m, v, c)), ref, 'cpu');
    expectSame(run('native', shape, data, (p, g, m, v) => adamUpdate(p, g, m, v, c)), ref, 'native');
    expect(Number.isNaN(ref[0][4])).toBe(true);
    expect(Number.isFinite(ref[0][0])).toBe(true);
  });

  it('runs on the addon on native (one call per variable); checks dtypes and shapes', () => {
    tf.setBackend('native');
    const [p, g, m, v] = inputs([5, 3], 9).map((d) => tf.tensor2d(d, [5, 3]));
    expect(countAddonCalls('adamUpdate', () => tf.dispose(adamUpdate(p, g, m, v, coefficients(1))))).toBe(1);
    expect(() => adamUpdate(p, tf.zeros([3, 5]), m, v, coefficients(1))).toThrow(/grad must have param's shape \[5,3\], received \[3,5\]/);
    expect(() => adamUpdate(p, g, tf.zeros([5, 3], 'int32'), v, coefficients(1))).toThrow(/m must be float32, received int32/);
    tf.dispose([p, g, m, v]);
  });
});

describe('adamUpdate op with overwrite (native)', () => {
  const shape = [300, 257]; // 77100 elements: pool-sized buffers, split over threads

  /** Variables whose buffers come from the pool: the outputs of one step assigned back. */
  function pooledState(seed: number): tf.Variable[] {
    const vars = inputs(shape, seed).map((d) => tf.variable(tf.tensor(d, shape), false));
    tf.tidy(() => {
      const [p, , m, v] = vars;
      const out = adamUpdate(p, vars[1], m, v, coefficients(1));
      p.assign(out[0]);
      m.assign(out[1]);
      v.assign(out[2]);
    });
    return vars;
  }

  const buffer = (t: tf.Tensor) => (tf.backend() as MathBackendCPU).data.get(t.dataId).values;
  /** x's values without reading x's own buffer out (which would make it public). */
  const snapshot = (x: tf.Tensor) => tf.tidy(() => tf.add(x, 0).dataSync() as Float32Array);

  it('writes into private buffers, with the results of the copying path, and leaks nothing', () => {
    tf.setBackend('native');
    const a = pooledState(5), b = pooledState(5);
    const before = tf.memory().numTensors;
    for (let t = 2; t <= 5; t++) {
      const c = coefficients(t, 0.01);
      const g = tf.tensor(randomArray(shape[0] * shape[1], 50 + t), shape);
      const bufs = [a[0], a[2], a[3]].map(buffer);
      for (const [vars, overwrite] of [[a, true], [b, false]] as const) {
        tf.tidy(() => {
          const [p, , m, v] = vars;
          const [p1, m1, v1] = adamUpdate(p, g, m, v, c, overwrite);
          p.assign(p1);
          m.assign(m1);
          v.assign(v1);
        });
      }
      g.dispose();
      // In place: the same buffers hold the new values.
      [a[0], a[2], a[3]].forEach((x, k) => expect(buffer(x) === bufs[k]).toBe(true));
      expect(buffer(b[0]) === buffer(a[0])).toBe(false); // (not.toBe would deep-compare the arrays)
      expect(tf.memory().numTensors).toBe(before);
    }
    expectSame([a[0], a[2], a[3]].map((x) => (x.dataSync() as Float32Array).slice()), [b[0], b[2], b[3]].map((x) => x.dataSync() as Float32Array), 'in place vs copies');
    tf.dispose([...a, ...b]);
  });

  it('never overwrites a buffer someone else can see (read out, shared by another tensor, a view); the private ones still are', () => {
    tf.setBackend('native');
    const cases: [string, (p: tf.Variable) => () => void][] = [
      ['read out by dataSync', (p) => {
        const seen = p.dataSync() as Float32Array, copy = seen.slice();
        return () => expectSame([seen], [copy], 'a read-out array');
      }],
      ['shared by a reshape', (p) => {
        const alias = tf.reshape(p, [-1]), copy = snapshot(alias);
        return () => {
          expectSame([alias.dataSync() as Float32Array], [copy], 'a tensor sharing the buffer');
          alias.dispose();
        };
      }],
      ['viewed by a slice', (p) => {
        const row = tf.slice(p, [1, 0], [1, shape[1]]), copy = snapshot(row);
        return () => {
          expectSame([snapshot(row)], [copy], 'a slice of the buffer');
          row.dispose();
        };
      }],
    ];
    for (const [what, hold] of cases) {
      const [p, g, m, v] = pooledState(7);
      const check = hold(p);
      const before = buffer(p), mBefore = buffer(m), vBefore = buffer(v);
      tf.tidy(() => {
        const [p1, m1, v1] = adamUpdate(p, g, m, v, coefficients(2), true);
        p.assign(p1);
        m.assign(m1);
        v.assign(v1);
      });
      expect(buffer(p) === before, what).toBe(false);
      // m and v, private, still take their step in place.
      expect(buffer(m) === mBefore && buffer(v) === vBefore, what).toBe(true);
      check();
      // The same values as the copying path.
      const twin = pooledState(7);
      tf.tidy(() => {
        const out = adamUpdate(twin[0], twin[1], twin[2], twin[3], coefficients(2), false);
        [0, 2, 3].forEach((j, k) => twin[j].assign(out[k]));
      });
      expectSame([p, m, v].map((x) => (x.dataSync() as Float32Array).slice()), [0, 2, 3].map((j) => twin[j].dataSync() as Float32Array), what);
      tf.dispose([p, g, m, v, ...twin]);
    }
  });
});
