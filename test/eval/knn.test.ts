import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { topK, weightedKnnAccuracy, weightedKnnPredict } from '../../src/eval/knn.js';
import { randomArray } from '../backend/parity.js';

/** The protocol written the slow obvious way, in float64. */
function referenceKnn(train: Float32Array, labels: number[], queries: Float32Array, dim: number, k: number, T: number, C: number) {
  const norm = (a: Float32Array, r: number) => Math.sqrt(Array.from(a.subarray(r * dim, (r + 1) * dim)).reduce((s, v) => s + v * v, 0));
  const n = train.length / dim, m = queries.length / dim;
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    const sims: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += queries[i * dim + d] * train[j * dim + d];
      sims.push([dot / (norm(queries, i) * norm(train, j)), j]);
    }
    sims.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    const votes = new Array(C).fill(0);
    for (const [s, j] of sims.slice(0, k)) votes[labels[j]] += Math.exp(s / T);
    out.push(votes.indexOf(Math.max(...votes)));
  }
  return out;
}

describe('weighted kNN', () => {
  it('topK returns the k largest in decreasing order, lower index first on ties', () => {
    const row = Float32Array.from([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]);
    expect(Array.from(topK(row, 4))).toEqual([5, 7, 4, 8]);
    expect(Array.from(topK(row, 20))).toEqual([5, 7, 4, 8, 10, 2, 0, 9, 6, 1, 3]);
    const r = randomArray(5000, 9);
    const want = Array.from(r.keys()).sort((a, b) => r[b] - r[a] || a - b).slice(0, 200);
    expect(Array.from(topK(r, 200))).toEqual(want);
  });

  for (const [k, T] of [[1, 0.1], [5, 0.5], [20, 0.1], [200, 0.1]] as const) {
    it(`matches the literal protocol (k=${k}, T=${T}), chunked`, () => {
      const dim = 7, n = 300, m = 45, C = 4;
      const train = randomArray(n * dim, 1), queries = randomArray(m * dim, 2);
      const labels = Array.from(randomArray(n, 3, 0, C), Math.floor);
      const before = tf.memory().numTensors;
      const got = weightedKnnPredict({ values: train, dim }, labels, { values: queries, dim }, { k, temperature: T, chunk: 16 });
      expect(tf.memory().numTensors).toBe(before);
      expect(Array.from(got)).toEqual(referenceKnn(train, labels, queries, dim, k, T, C));
    });
  }

  it('a query equal to a training item gets its label with k = 1; accuracy is a fraction', () => {
    const dim = 3;
    const train = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const acc = weightedKnnAccuracy({ values: train, dim }, [2, 0, 1], { values: Float32Array.from([0, 2, 0, 5, 0, 0]), dim }, [0, 2], { k: 1 });
    expect(acc).toBe(1);
  });

  it('validates its arguments', () => {
    const e = { values: new Float32Array(6), dim: 3 };
    expect(() => weightedKnnPredict(e, [0, 1], e, { k: 0 })).toThrow(/k must be an integer >= 1, received 0/);
    expect(() => weightedKnnPredict(e, [0, 1], e, { temperature: 0 })).toThrow(/temperature must be a finite number > 0, received 0/);
    expect(() => weightedKnnPredict(e, [0], e)).toThrow(/trainLabels has 1 labels for 2 train rows/);
    expect(() => weightedKnnPredict({ values: new Float32Array(5), dim: 3 }, [0], e)).toThrow(/train must hold whole rows of dim 3, received 5 values/);
  });
});
