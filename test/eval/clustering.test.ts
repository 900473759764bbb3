import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { adjustedRandIndex } from '../../src/eval/clustering/adjusted-rand.js';
import { calinskiHarabaszIndex } from '../../src/eval/clustering/calinski-harabasz.js';
import { daviesBouldinIndex } from '../../src/eval/clustering/davies-bouldin.js';
import { dunnIndex } from '../../src/eval/clustering/dunn.js';
import { adjustedMutualInfo, mutualInfo, normalizedMutualInfo, type AverageMethod } from '../../src/eval/clustering/mutual-info.js';
import { silhouetteSamples, silhouetteScore } from '../../src/eval/clustering/silhouette.js';
import { completeness, homogeneity, homogeneityCompletenessVMeasure, vMeasure } from '../../src/eval/clustering/v-measure.js';
import { Rng } from '../../src/util/random.js';

interface LabelCase {
  name: string; labelsTrue: number[]; labelsPred: number[]; ari: number;
  nmi: Record<AverageMethod, number>; ami: Record<AverageMethod, number>;
  homogeneity: number; completeness: number; vMeasure: { '1': number; '2': number };
}
interface PointCase {
  name: string; points: number[][]; labels: number[];
  silhouette: { euclidean: number; cosine: number }; daviesBouldin: number; calinskiHarabasz: number;
  dunn: { euclidean: number; cosine: number }; silhouetteSamples?: { euclidean: number[]; cosine: number[] };
}
const golden = JSON.parse(readFileSync(new URL('./golden/clustering.json', import.meta.url), 'utf8')) as { labels: LabelCase[]; points: PointCase[] };
const METHODS: AverageMethod[] = ['arithmetic', 'geometric', 'min', 'max'];
const METRICS = ['euclidean', 'cosine'] as const;

/** |got - want| <= tol · max(1, |want|): absolute near 0, relative for large values (CH). */
function close(got: number, want: number, tol = 1e-6, what = ''): void {
  if (!(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)))) expect.fail(`${what}: got ${got}, want ${want} (tol ${tol})`);
}

const matrix = (points: number[][], Type: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array) =>
  ({ values: Type.from(points.flat()), dim: points[0].length });

function randomCase(n: number, dim: number, k: number, seed: number): { points: number[][]; labels: number[] } {
  const rng = new Rng(seed);
  const labels = Array.from({ length: n }, (_, i) => (i < k ? i : rng.int(k)) * 3 - 4);
  const points = labels.map((l) => Array.from({ length: dim }, (_, j) => (j === 0 ? l : 0) + 2 * rng.next() - 1));
  return { points, labels };
}

/** Silhouette written the slow obvious way (Rousseeuw 1987), float64. */
function referenceSilhouette(points: number[][], labels: number[], metric: 'euclidean' | 'cosine'): number[] {
  const d = (x: number[], y: number[]) => {
    if (metric === 'euclidean') return Math.sqrt(x.reduce((s, v, j) => s + (v - y[j]) ** 2, 0));
    const dot = x.reduce((s, v, j) => s + v * y[j], 0), nx = Math.hypot(...x), ny = Math.hypot(...y);
    return Math.min(2, Math.max(0, 1 - dot / (nx * ny)));
  };
  const clusters = [...new Set(labels)];
  return points.map((x, i) => {
    const mean = (c: number) => {
      const others = points.filter((_, j) => labels[j] === c && j !== i);
      return others.reduce((s, y) => s + d(x, y), 0) / others.length;
    };
    if (labels.filter((l) => l === labels[i]).length === 1) return 0;
    const a = mean(labels[i]), b = Math.min(...clusters.filter((c) => c !== labels[i]).map(mean));
    return Math.max(a, b) > 0 ? (b - a) / Math.max(a, b) : 0;
  });
}

/** Dunn written the slow obvious way, euclidean. */
function referenceDunn(points: number[][], labels: number[]): number {
  let separation = Infinity, diameter = 0;
  points.forEach((x, i) => points.forEach((y, j) => {
    if (i === j) return;
    const dist = Math.sqrt(x.reduce((s, v, t) => s + (v - y[t]) ** 2, 0));
    if (labels[i] === labels[j]) diameter = Math.max(diameter, dist); else separation = Math.min(separation, dist);
  }));
  return separation / diameter;
}

describe('label comparison metrics against scikit-learn 1.2.1', () => {
  for (const c of golden.labels) {
    it(c.name, () => {
      const { labelsTrue: t, labelsPred: p } = c;
      close(adjustedRandIndex(t, p), c.ari, 1e-9, 'ARI');
      for (const m of METHODS) {
        close(normalizedMutualInfo(t, p, { averageMethod: m }), c.nmi[m], 1e-9, `NMI ${m}`);
        close(adjustedMutualInfo(t, p, { averageMethod: m }), c.ami[m], 1e-9, `AMI ${m}`);
      }
      close(homogeneity(t, p), c.homogeneity, 1e-9, 'homogeneity');
      close(completeness(t, p), c.completeness, 1e-9, 'completeness');
      close(vMeasure(t, p), c.vMeasure['1'], 1e-9, 'V1');
      close(vMeasure(t, p, { beta: 2 }), c.vMeasure['2'], 1e-9, 'V2');
      expect(normalizedMutualInfo(t, p)).toBe(normalizedMutualInfo(t, p, { averageMethod: 'arithmetic' }));
      expect(adjustedRandIndex(Float64Array.from(t), Int32Array.from(p))).toBe(adjustedRandIndex(t, p));
    });
  }

  it('symmetric scores are symmetric; homogeneity and completeness swap', () => {
    const c = golden.labels[4];
    close(adjustedRandIndex(c.labelsPred, c.labelsTrue), c.ari, 1e-12);
    close(adjustedMutualInfo(c.labelsPred, c.labelsTrue), c.ami.arithmetic, 1e-12);
    close(homogeneity(c.labelsPred, c.labelsTrue), c.completeness, 1e-12);
    const all = homogeneityCompletenessVMeasure(c.labelsTrue, c.labelsPred);
    expect(all).toEqual({ homogeneity: homogeneity(c.labelsTrue, c.labelsPred), completeness: completeness(c.labelsTrue, c.labelsPred), vMeasure: vMeasure(c.labelsTrue, c.labelsPred) });
    expect(mutualInfo([0, 0, 1, 1], [0, 0, 1, 1])).toBeCloseTo(Math.log(2), 14);
  });

  it('rejects mismatched lengths, empty labels, NaN and bad options, naming function and argument', () => {
    expect(() => adjustedRandIndex([0, 1, 1], [0, 1])).toThrow('adjustedRandIndex: labelsPred must have one label per labelsTrue entry (3), received 2');
    expect(() => normalizedMutualInfo([], [])).toThrow('normalizedMutualInfo: labelsTrue must hold at least 1 label, received 0');
    expect(() => adjustedMutualInfo([0, NaN], [0, 1])).toThrow('adjustedMutualInfo: labelsTrue must hold finite numbers, received NaN at index 1');
    expect(() => normalizedMutualInfo([0, 1], [0, 1], { averageMethod: 'mean' as AverageMethod })).toThrow(
      `normalizedMutualInfo: averageMethod must be 'arithmetic', 'geometric', 'min' or 'max', received "mean"`);
    expect(() => adjustedMutualInfo([0, 1], [0, 1], { averageMethod: 'median' as AverageMethod })).toThrow(/adjustedMutualInfo: averageMethod .* received "median"/);
    expect(() => vMeasure([0, 1], [0, 1], { beta: 0 })).toThrow('vMeasure: beta must be a finite number > 0, received 0');
    expect(() => homogeneity([0, 1], [0, Infinity])).toThrow('homogeneity: labelsPred must hold finite numbers, received Infinity at index 1');
  });
});

describe('point-based cluster scores against scikit-learn 1.2.1 (Dunn: a numpy loop)', () => {
  for (const c of golden.points) {
    it(c.name, () => {
      const typed = matrix(c.points);
      for (const input of [c.points, typed]) {
        for (const m of METRICS) {
          close(silhouetteScore(input, c.labels, { metric: m }), c.silhouette[m], 1e-9, `silhouette ${m}`);
          close(dunnIndex(input, c.labels, { metric: m }), c.dunn[m], 1e-9, `dunn ${m}`);
        }
        // 1e-6: sklearn's distance to the centroid is sqrt(||x||² + ||μ||² - 2 x·μ), about 3e-8
        // instead of 0 for a singleton cluster; ours is the exact difference.
        close(daviesBouldinIndex(input, c.labels), c.daviesBouldin, 1e-6, 'Davies-Bouldin');
        close(calinskiHarabaszIndex(input, c.labels), c.calinskiHarabasz, 1e-9, 'Calinski-Harabasz');
      }
      // Plain arrays and a typed float64 matrix are the same computation.
      expect(silhouetteScore(c.points, c.labels)).toBe(silhouetteScore(typed, c.labels));
      expect(dunnIndex(c.points, c.labels)).toBe(dunnIndex(typed, c.labels));
      expect(daviesBouldinIndex(c.points, c.labels)).toBe(daviesBouldinIndex(typed, c.labels));
      if (c.silhouetteSamples) {
        for (const m of METRICS) {
          const s = silhouetteSamples(c.points, c.labels, { metric: m });
          c.silhouetteSamples[m].forEach((want, i) => close(s[i], want, 1e-9, `silhouette sample ${i} ${m}`));
        }
      }
    });
  }

  it('float32 input (GEMM path) is close to the float64 result', () => {
    for (const c of golden.points.filter((p) => !p.name.startsWith('integer'))) {
      const f32 = matrix(c.points, Float32Array);
      close(silhouetteScore(f32, c.labels), c.silhouette.euclidean, 1e-4, `${c.name} silhouette`);
      close(silhouetteScore(f32, c.labels, { metric: 'cosine' }), c.silhouette.cosine, 1e-4, `${c.name} silhouette cosine`);
      close(dunnIndex(f32, c.labels), c.dunn.euclidean, 1e-4 * Math.max(1, 1 / c.dunn.euclidean), `${c.name} dunn`);
      close(daviesBouldinIndex(f32, c.labels), c.daviesBouldin, 1e-5, `${c.name} DB`);
      close(calinskiHarabaszIndex(f32, c.labels), c.calinskiHarabasz, 1e-5, `${c.name} CH`);
    }
  });

  it('chunked silhouette and Dunn equal literal loops, for chunks that do not divide N', () => {
    const { points, labels } = randomCase(53, 6, 4, 7);
    for (const m of METRICS) {
      const want = referenceSilhouette(points, labels, m);
      for (const chunk of [1, 7, 13, 53, 100]) {
        const got = silhouetteSamples(points, labels, { metric: m, chunk });
        want.forEach((w, i) => close(got[i], w, 1e-12, `sample ${i} ${m} chunk ${chunk}`));
        const f32 = silhouetteSamples(matrix(points, Float32Array), labels, { metric: m, chunk });
        want.forEach((w, i) => close(f32[i], w, 1e-4, `float32 sample ${i} ${m} chunk ${chunk}`));
      }
    }
    const dunn = referenceDunn(points, labels);
    for (const chunk of [1, 7, 13, 53, 100]) {
      close(dunnIndex(points, labels, { chunk }), dunn, 1e-12, `dunn chunk ${chunk}`);
      close(dunnIndex(matrix(points, Float32Array), labels, { chunk }), dunn, 1e-4, `float32 dunn chunk ${chunk}`);
    }
  });

  it('a singleton cluster has s = 0; duplicates in two clusters give Dunn 0; all-duplicate clusters give Infinity', () => {
    const points = [[0, 0], [0, 1], [5, 5], [5, 6], [9, 9]];
    expect(silhouetteSamples(points, [1, 1, 2, 2, 3])[4]).toBe(0);
    expect(dunnIndex([[0, 0], [0, 0], [1, 1], [0, 0]], [0, 0, 1, 1])).toBe(0);
    expect(dunnIndex([[0, 0], [0, 0], [1, 1], [1, 1]], [0, 0, 1, 1])).toBe(Infinity);
  });

  it('reports progress after each chunk', () => {
    const { points, labels } = randomCase(23, 3, 3, 1);
    for (const f of [silhouetteScore, dunnIndex]) {
      for (const input of [points, matrix(points, Float32Array)]) {
        const calls: [number, number][] = [];
        f(input, labels, { chunk: 5, onProgress: (done, total) => calls.push([done, total]) });
        expect(calls).toEqual([[5, 23], [10, 23], [15, 23], [20, 23], [23, 23]]);
      }
    }
  });

  it('leaks no tensors on the GEMM path', () => {
    const { points, labels } = randomCase(40, 5, 3, 2);
    const f32 = matrix(points, Float32Array);
    const before = tf.memory().numTensors;
    silhouetteScore(f32, labels, { chunk: 7 });
    silhouetteScore(f32, labels, { chunk: 7, metric: 'cosine' });
    dunnIndex(f32, labels, { chunk: 9 });
    expect(() => silhouetteScore(f32, labels, { onProgress: () => { throw new Error('stop'); } })).toThrow('stop');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad input and options with the function, argument, expected and received value', () => {
    const pts = [[0, 0], [1, 1], [2, 2], [3, 3]];
    expect(() => silhouetteScore(pts, [0, 1, 1])).toThrow('silhouetteScore: labels must have one label per point (4), received 3');
    expect(() => silhouetteScore([], [])).toThrow('silhouetteScore: points must hold at least 1 point, received 0');
    expect(() => dunnIndex([[0, 0], [NaN, 1], [2, 2]], [0, 1, 1])).toThrow('dunnIndex: points must hold finite numbers, received NaN in row 1');
    expect(() => silhouetteSamples(pts, [0, 0, 0, 0])).toThrow('silhouetteSamples: labels must hold between 2 and 3 (points - 1) distinct values, received 1');
    expect(() => daviesBouldinIndex(pts, [0, 1, 2, 3])).toThrow('daviesBouldinIndex: labels must hold between 2 and 3 (points - 1) distinct values, received 4');
    expect(() => calinskiHarabaszIndex(pts, [0, 1, 2, 3])).toThrow(/calinskiHarabaszIndex: labels must hold between 2 and 3/);
    expect(() => silhouetteScore(pts, [0, 0, 1, 1], { metric: 'manhattan' as 'cosine' })).toThrow(
      `silhouetteScore: metric must be 'euclidean' or 'cosine', received "manhattan"`);
    expect(() => dunnIndex(pts, [0, 0, 1, 1], { chunk: 0 })).toThrow('dunnIndex: chunk must be an integer >= 1, received 0');
    expect(() => silhouetteScore(pts, [0, 0, 1, 1], { chunk: 2.5 })).toThrow('silhouetteScore: chunk must be an integer >= 1, received 2.5');
    expect(() => dunnIndex({ values: new Float32Array(7), dim: 2 }, [0, 0, 1])).toThrow('dunnIndex: points must hold whole rows of dim 2, received 7 values');
  });
});
