import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { fitPca } from '../../src/eval/pca.js';
import { Rng } from '../../src/util/random.js';

describe('PCA', () => {
  it('recovers known axes and variances of a rotated anisotropic Gaussian', () => {
    const D = 6, n = 20000, sd = [5, 3, 2, 0.5, 0.3, 0.1];
    const rng = new Rng(1);
    const g = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    // Rotation: a Householder reflection of a fixed unit vector u: R = I - 2 u u^T.
    const u = Float64Array.from([1, 2, 0, -1, 1, 1]).map((v, _, a) => v / Math.sqrt(a.reduce((s, w) => s + w * w, 0)));
    const R = (i: number, j: number) => (i === j ? 1 : 0) - 2 * u[i] * u[j];
    const values = new Float32Array(n * D);
    for (let r = 0; r < n; r++) {
      const z = sd.map((s) => s * g());
      for (let i = 0; i < D; i++) values[r * D + i] = 10 + z.reduce((s, zj, j) => s + R(i, j) * zj, 0);
    }
    const pca = fitPca({ values, dim: D }, 3);
    sd.slice(0, 3).forEach((s, c) => expect(Math.sqrt(pca.explainedVariance[c]) / s).toBeCloseTo(1, 1));
    // Component c is +-(column c of R).
    for (let c = 0; c < 3; c++) {
      const dot = pca.components[c].reduce((s, v, i) => s + v * R(i, c), 0);
      expect(Math.abs(dot)).toBeGreaterThan(0.999);
    }
    const t = pca.transform({ values: values.subarray(0, 2 * D), dim: D });
    expect(t.dim).toBe(3);
    expect(() => fitPca({ values, dim: D }, 7)).toThrow(/k must be an integer in \[1, 6\], received 7/);
  });
});
