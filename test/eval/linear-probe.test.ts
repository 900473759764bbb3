import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { trainLinearProbe } from '../../src/eval/linear-probe.js';
import { Rng } from '../../src/util/random.js';

/** Gaussian blobs around C random centres in D dimensions. */
function blobs(n: number, D: number, C: number, spread: number, seed: number) {
  const rng = new Rng(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const centres = Array.from({ length: C }, () => Array.from({ length: D }, () => 3 * g()));
  const values = new Float32Array(n * D), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % C;
    labels[i] = c;
    for (let j = 0; j < D; j++) values[i * D + j] = centres[c][j] + spread * g() + 100; // offset: standardisation must handle it
  }
  return { x: { values, dim: D }, labels };
}

describe('linear probe', () => {
  it('separates separable blobs, generalises, is deterministic and leaks nothing', () => {
    const tr = blobs(600, 12, 5, 0.5, 1), te = blobs(300, 12, 5, 0.5, 1);
    const before = tf.memory().numTensors;
    const p = trainLinearProbe(tr.x, tr.labels, { epochs: 30, batchSize: 64 });
    expect(p.accuracy(tr.x, tr.labels)).toBe(1);
    expect(p.accuracy(te.x, te.labels)).toBeGreaterThan(0.97);
    const q = trainLinearProbe(tr.x, tr.labels, { epochs: 30, batchSize: 64 });
    expect(q.predict(te.x)).toEqual(p.predict(te.x));
    p.dispose(); q.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  it('is at chance on labels independent of the features', () => {
    const tr = blobs(400, 8, 4, 1, 2);
    const shuffled = new Rng(9).shuffle(Int32Array.from(tr.labels));
    const te = blobs(400, 8, 4, 1, 3);
    const p = trainLinearProbe(tr.x, shuffled, { epochs: 10 });
    expect(p.accuracy(te.x, new Rng(10).shuffle(Int32Array.from(te.labels)))).toBeLessThan(0.4);
    p.dispose();
  });
  it('validates its arguments', () => {
    const x = { values: new Float32Array(6), dim: 3 };
    expect(() => trainLinearProbe(x, [0, 1], { epochs: 0 })).toThrow(/epochs must be an integer >= 1, received 0/);
    expect(() => trainLinearProbe(x, [0])).toThrow(/labels has 1 labels for 2 rows/);
    expect(() => trainLinearProbe(x, [0, 1], { learningRate: -1 })).toThrow(/learningRate must be a finite number > 0, received -1/);
  });
});
