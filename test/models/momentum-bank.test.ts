import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { MemoryBank } from '../../src/models/memory-bank.js';
import { copyWeights, updateMomentum } from '../../src/models/momentum.js';
import { mlpBackbone } from '../../src/models/backbones/mlp.js';
import { stopGradient } from '../../src/ops/stop-gradient.js';

const rowsOf = (t: tf.Tensor) => (t.arraySync() as number[][]).map((r) => r.map((v) => Math.round(v * 1e4) / 1e4));

describe('MemoryBank', () => {
  it('starts with seeded random unit rows', () => {
    const a = new MemoryBank({ size: 6, dim: 3, seed: 4 }), b = new MemoryBank({ size: 6, dim: 3, seed: 4 });
    expect(rowsOf(a.rows)).toEqual(rowsOf(b.rows));
    const c = new MemoryBank({ size: 6, dim: 3 }), d = new MemoryBank({ size: 6, dim: 3 }); // the default seed 0 too
    expect(rowsOf(c.rows)).toEqual(rowsOf(d.rows));
    c.dispose();
    d.dispose();
    for (const r of a.rows.arraySync() as number[][]) expect(Math.hypot(...r)).toBeCloseTo(1, 5);
    a.dispose();
    b.dispose();
  });

  it('enqueues first in, first out: wraps around, the oldest rows go first', () => {
    const bank = new MemoryBank({ size: 5, dim: 2 });
    const before = tf.memory().numTensors;
    const init = rowsOf(bank.rows);
    const batch = (v: number, n: number) => tf.tensor2d(Array.from({ length: n }, (_, i) => [v + i, -(v + i)]));
    const b1 = batch(10, 3);
    bank.enqueue(b1); // rows 0-2
    expect(rowsOf(bank.rows)).toEqual([[10, -10], [11, -11], [12, -12], init[3], init[4]]);
    expect(bank.position).toBe(3);
    const b2 = batch(20, 3);
    bank.enqueue(b2); // rows 3, 4, then 0 (the oldest: 10)
    expect(rowsOf(bank.rows)).toEqual([[22, -22], [11, -11], [12, -12], [20, -20], [21, -21]]);
    expect(bank.position).toBe(1);
    const b3 = batch(30, 5);
    bank.enqueue(b3); // a full turn: rows 1..4, 0
    expect(rowsOf(bank.rows)).toEqual([[34, -34], [30, -30], [31, -31], [32, -32], [33, -33]]);
    expect(bank.position).toBe(1);
    tf.dispose([b1, b2, b3]);
    expect(tf.memory().numTensors).toBe(before);
    bank.dispose();
  });

  it('round-trips through getWeights/setWeights (rows and position) and validates', () => {
    const a = new MemoryBank({ size: 4, dim: 2, seed: 1 }), b = new MemoryBank({ size: 4, dim: 2, seed: 2 });
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    a.enqueue(x);
    const before = tf.memory().numTensors;
    b.setWeights(a.getWeights());
    expect(tf.memory().numTensors).toBe(before);
    expect(rowsOf(b.rows)).toEqual(rowsOf(a.rows));
    expect(b.position).toBe(3);
    expect(() => a.enqueue(tf.zeros([2, 3]) as tf.Tensor2D)).toThrow(/MemoryBank: batch must be \[n, 2\], received \[2,3\]/);
    expect(() => a.enqueue(tf.zeros([5, 2]) as tf.Tensor2D)).toThrow(/at most size = 4 rows, received 5/);
    expect(() => new MemoryBank({ size: 0, dim: 2 })).toThrow(/size must be an integer >= 1, received 0/);
    tf.dispose(x);
    a.dispose();
    b.dispose();
  });
});

describe('MemoryBank stage/commit', () => {
  it('stages a normalised copy (inside a tidy too) and enqueues it on commit', () => {
    const bank = new MemoryBank({ size: 4, dim: 2, seed: 3 });
    const x = tf.tensor2d([[3, 4], [0, 2]]);
    tf.tidy(() => bank.stage(tf.mul(x, 1) as tf.Tensor2D)); // staged from inside a tidy: must survive it
    const before = rowsOf(bank.rows);
    bank.commit();
    expect(rowsOf(bank.rows)).toEqual([[0.6, 0.8], [0, 1], before[2], before[3]]);
    expect(bank.position).toBe(2);
    const n = tf.memory().numTensors;
    bank.commit(); // nothing staged: no change
    expect(bank.position).toBe(2);
    expect(tf.memory().numTensors).toBe(n);
    expect(() => bank.stage(tf.zeros([1, 3]) as tf.Tensor2D)).toThrow(/MemoryBank: rows must be \[n, 2\], received \[1,3\]/);
    tf.dispose(x);
    bank.dispose();
  });
});

describe('updateMomentum', () => {
  it('moves trained parameters to m * target + (1 - m) * online; copyWeights copies all', () => {
    const online = mlpBackbone({ inputShape: [2, 2, 1], hidden: [5], outputDim: 3, seed: 1 });
    const target = mlpBackbone({ inputShape: [2, 2, 1], hidden: [5], outputDim: 3, seed: 2 });
    const o = online.getWeights().map((w) => Array.from(w.dataSync()));
    const t = target.getWeights().map((w) => Array.from(w.dataSync()));
    const trainable = online.weights.map((w) => w.trainable);
    const before = tf.memory().numTensors;
    updateMomentum(online, target, 0.9);
    expect(tf.memory().numTensors).toBe(before);
    target.getWeights().forEach((w, i) => {
      const got = Array.from(w.dataSync());
      got.forEach((v, j) => expect(v).toBeCloseTo(trainable[i] ? 0.9 * t[i][j] + 0.1 * o[i][j] : t[i][j], 6));
    });
    updateMomentum(online, target, 0); // m = 0: the online parameters
    target.getWeights().forEach((w, i) => { if (trainable[i]) Array.from(w.dataSync()).forEach((v, j) => expect(v).toBeCloseTo(o[i][j], 6)); });
    copyWeights(online, target);
    target.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(o[i].map((v) => Math.fround(v))));
    expect(() => updateMomentum(online, target, 1.5)).toThrow(/m must be in \[0, 1\], received 1.5/);
    const other = mlpBackbone({ inputShape: [2, 2, 1], hidden: [6], outputDim: 3, seed: 2 });
    expect(() => updateMomentum(online, other, 0.9)).toThrow(/target must have the online network's architecture/);
    [online, target, other].forEach((m) => m.dispose());
  });
});

describe('stopGradient', () => {
  it('passes values forward and no gradient backward', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const f = (v: tf.Tensor) => tf.sum(tf.add(tf.mul(v, v), tf.mul(stopGradient(v), v)));
    // d/dx (x^2 + sg(x) x) = 2x + x = 3x (sg(x) counts as a constant)
    const g = tf.grad(f)(x);
    expect(Array.from(g.dataSync())).toEqual([3, 6, 9]);
    expect(Array.from(stopGradient(x).dataSync())).toEqual([1, 2, 3]);
  });
});
