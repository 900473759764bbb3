/**
 * Principal component analysis for the PCA baseline of the quality protocol (PCA-50 + kNN):
 * the covariance is one GEMM on the active backend, its top-k eigenvectors come from subspace
 * iteration (orthonormalised by modified Gram-Schmidt) followed by a Rayleigh-Ritz step whose
 * small k x k eigenproblem is solved by symmetricEigen (Householder + QL); components are sorted by
 * explained variance. Deterministic for a seed.
 */
import { matMul, tensor2d, tidy } from '@tensorflow/tfjs-core';
import { Rng } from '../util/random.js';
import { symmetricEigen } from './symmetric-eigen.js';
import type { Embeddings } from './knn.js';

export interface Pca {
  /** [dim] mean of the fitted rows. */
  mean: Float64Array;
  /** [k][dim] orthonormal components, by decreasing variance. */
  components: Float64Array[];
  /** [k] variance along each component. */
  explainedVariance: Float64Array;
  /** Rows projected on the components: [rows, k]. */
  transform(x: Embeddings): Embeddings;
}

function orthonormalise(Q: Float64Array[]): void {
  for (let i = 0; i < Q.length; i++) {
    for (let j = 0; j < i; j++) {
      let d = 0;
      for (let t = 0; t < Q[i].length; t++) d += Q[i][t] * Q[j][t];
      for (let t = 0; t < Q[i].length; t++) Q[i][t] -= d * Q[j][t];
    }
    let nrm = 0;
    for (const v of Q[i]) nrm += v * v;
    nrm = Math.sqrt(nrm) || 1;
    for (let t = 0; t < Q[i].length; t++) Q[i][t] /= nrm;
  }
}

export function fitPca(x: Embeddings, k: number, { iterations = 30, seed = 0 } = {}): Pca {
  const { values, dim: D } = x;
  const n = values.length / D;
  if (!Number.isInteger(n) || n < 2) throw new Error(`fitPca: x must hold at least 2 rows of dim ${D}, received ${values.length} values`);
  if (!Number.isInteger(k) || k < 1 || k > D) throw new Error(`fitPca: k must be an integer in [1, ${D}], received ${k}`);
  const mean = new Float64Array(D);
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) mean[j] += values[i * D + j];
  for (let j = 0; j < D; j++) mean[j] /= n;
  const centred = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) centred[i] = values[i] - mean[i % D];
  const cov = tidy(() => {
    const X = tensor2d(centred, [n, D]);
    return matMul(X, X, true, false);
  });
  const C = Float64Array.from(cov.dataSync(), (v) => v / n); // [D, D]
  cov.dispose();
  const rng = new Rng(seed);
  let Q = Array.from({ length: k }, () => Float64Array.from({ length: D }, () => rng.next() - 0.5));
  orthonormalise(Q);
  const mulC = (q: Float64Array) => {
    const r = new Float64Array(D);
    for (let i = 0; i < D; i++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += C[i * D + j] * q[j];
      r[i] = s;
    }
    return r;
  };
  for (let it = 0; it < iterations; it++) {
    Q = Q.map(mulC);
    orthonormalise(Q);
  }
  // Rayleigh-Ritz: eigenvectors of Q C Q^T within the subspace.
  const CQ = Q.map(mulC);
  const small = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
    let s = 0;
    for (let t = 0; t < D; t++) s += Q[a][t] * CQ[b][t];
    small[a * k + b] = s;
  }
  const { values: ev, vectors: W } = symmetricEigen(small, k);
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => ev[b] - ev[a]);
  const components = order.map((j) => {
    const c = new Float64Array(D);
    for (let a = 0; a < k; a++) for (let t = 0; t < D; t++) c[t] += W[a * k + j] * Q[a][t];
    return c;
  });
  const explainedVariance = Float64Array.from(order, (j) => ev[j]);
  return {
    mean, components, explainedVariance,
    transform(y: Embeddings): Embeddings {
      if (y.dim !== D) throw new Error(`fitPca: rows must have dim ${D}, received ${y.dim}`);
      const m = y.values.length / D, out = new Float32Array(m * k);
      for (let i = 0; i < m; i++) for (let c = 0; c < k; c++) {
        let s = 0;
        const comp = components[c];
        for (let t = 0; t < D; t++) s += (y.values[i * D + t] - mean[t]) * comp[t];
        out[i * k + c] = s;
      }
      return { values: out, dim: k };
    },
  };
}
