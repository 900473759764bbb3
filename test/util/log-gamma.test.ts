import { describe, expect, it } from 'vitest';
import { logGamma } from '../../src/util/log-gamma.js';

// CPython 3.11 math.lgamma at these points.
const REFERENCE: [number, number][] = [
  [0.001, 6.907178885383854], [0.5, 0.5723649429247004], [1, 0], [2, 0], [3, 0.693147180559945], [5, 3.178053830347945],
  [10.5, 13.940625219403763], [20, 39.339884187199495], [50.5, 146.5192554907206], [300, 1409.202067470412],
  [1000.5, 5908.674175848678], [1001, 5912.128178488163], [70001, 710944.033537189], [123456, 1323892.7688437016],
  [-2.5, -0.05624371649767457],
];

describe('logGamma (Lanczos)', () => {
  it('matches math.lgamma to 1e-14 relative (1e-15 absolute near its zeros)', () => {
    for (const [x, want] of REFERENCE) expect(Math.abs(logGamma(x) - want)).toBeLessThanOrEqual(1e-14 * Math.abs(want) + 1e-15);
  });

  it('ln n! agrees with a running sum of logs', () => {
    let s = 0;
    for (let n = 1; n <= 2000; n++) {
      s += Math.log(n);
      expect(Math.abs(logGamma(n + 1) - s)).toBeLessThanOrEqual(1e-13 * s + 1e-15);
    }
    expect(logGamma(0)).toBe(Infinity);
  });
});
