import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { collapseStd, outputStd } from '../../src/eval/collapse.js';
import { randomArray } from '../backend/parity.js';

/** lightly's std_of_l2_normalized, the slow obvious way: normalize rows, unbiased std per column, mean. */
function reference(rows: number[][]): number {
  const z = rows.map((r) => {
    const n = Math.sqrt(r.reduce((a, v) => a + v * v, 0));
    return r.map((v) => v / n);
  });
  const N = z.length, d = z[0].length;
  let total = 0;
  for (let j = 0; j < d; j++) {
    const mu = z.reduce((a, r) => a + r[j], 0) / N;
    total += Math.sqrt(z.reduce((a, r) => a + (r[j] - mu) ** 2, 0) / (N - 1));
  }
  return total / d;
}

describe('collapse monitor', () => {
  it('matches the reference, as a tensor op and on arrays', () => {
    const N = 37, d = 9, x = randomArray(N * d, 5);
    const rows = Array.from({ length: N }, (_, r) => Array.from(x.subarray(r * d, (r + 1) * d)));
    const want = reference(rows);
    const before = tf.memory().numTensors;
    const z = tf.tensor2d(x, [N, d]), t = outputStd(z);
    expect(t.dataSync()[0]).toBeCloseTo(want, 5);
    tf.dispose([z, t]);
    expect(tf.memory().numTensors).toBe(before);
    expect(collapseStd(rows)).toBeCloseTo(want, 12);
    expect(collapseStd({ values: x, dim: d })).toBeCloseTo(want, 6);
  });

  it('is 0 for collapsed outputs (one direction, any scale) and about 1/sqrt(d) for spread ones', () => {
    const collapsed = Array.from({ length: 20 }, (_, i) => [1 + i, 2 + 2 * i, -3 - 3 * i]);
    expect(collapseStd(collapsed)).toBeCloseTo(0, 12);
    const d = 64, N = 4000, g = randomArray(N * d, 9);
    // Symmetric uniform noise: directions close to uniform on the sphere.
    expect(collapseStd({ values: g, dim: d })).toBeCloseTo(1 / Math.sqrt(d), 2);
  });

  it('validates its input', () => {
    expect(() => collapseStd([[1, 2]])).toThrow(/collapseStd: points must hold at least 2 rows, received 1/);
    expect(() => outputStd(tf.zeros([1, 3]) as tf.Tensor2D)).toThrow(/outputStd: z must be \[N >= 2, d\], received \[1,3\]/);
  });
});
