/**
 * A plain float64 reference of the BERT encoder, written as literal loops the slow, obvious way
 * (no tensors): what the transformer tests compare the tfjs layers with, forward and (by central
 * finite differences in float64) gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { randomArray } from '../../backend/parity.js';

export type Mat = number[][]; // [rows][cols]

/** Row-major values as rows x cols nested arrays (float64). */
export function toMat(values: ArrayLike<number>, rows: number, cols: number): Mat {
  const m: Mat = [];
  for (let r = 0; r < rows; r++) {
    const row: number[] = [];
    for (let c = 0; c < cols; c++) row.push(Number(values[r * cols + c]));
    m.push(row);
  }
  return m;
}

/** erf(x) to ~1e-15: Maclaurin series for |x| < 2.5, Lentz's continued fraction of erfc beyond. */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 2.5) {
    let term = x, sum = x;
    for (let n = 1; n < 100; n++) {
      term *= (-x * x) / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...))))
  let f = a, C = a, D = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    D = a + an * D;
    D = 1 / D;
    C = a + an / C;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

export function refGelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** x [N][in] W [in][out] + b [out]. */
export function refDense(x: Mat, kernel: Mat, bias: number[]): Mat {
  return x.map((row) => bias.map((b, j) => {
    let s = b;
    for (let i = 0; i < row.length; i++) s += row[i] * kernel[i][j];
    return s;
  }));
}

export function refLayerNorm(x: Mat, gamma: number[], beta: number[], eps: number): Mat {
  return x.map((row) => {
    const H = row.length;
    let mean = 0;
    for (const v of row) mean += v / H;
    let variance = 0;
    for (const v of row) variance += (v - mean) ** 2 / H;
    return row.map((v, j) => ((v - mean) / Math.sqrt(variance + eps)) * gamma[j] + beta[j]);
  });
}

export interface RefDense { kernel: Mat; bias: number[] }
export interface RefNorm { gamma: number[]; beta: number[] }
export interface RefAttention { query: RefDense; key: RefDense; value: RefDense; output: RefDense }
export interface RefFeedForward { intermediate: RefDense; output: RefDense }
export interface RefLayer { attention: RefAttention; attnNorm: RefNorm; ffn: RefFeedForward; outNorm: RefNorm }
export interface RefParams {
  word: Mat;
  position: Mat;
  tokenType?: Mat;
  embNorm: RefNorm;
  layers: RefLayer[];
  finalNorm?: RefNorm;
  pooler?: RefDense;
}
export interface RefConfig {
  numHeads: number;
  eps: number;
  norm: 'post' | 'pre';
  pooling: 'mean' | 'cls' | 'max' | 'none';
}

/**
 * Self-attention of one sequence x [L][H] with keep-mask [L] (1 token, 0 padding): per head,
 * softmax over the kept keys of q.k / sqrt(D) (padded keys get weight exactly 0; a row without
 * kept keys attends uniformly, as the float32-minimum mask gives in float32 forward, where
 * scores + min rounds to min; its gradient there is not the reference's), then the output dense.
 */
export function refAttention(x: Mat, mask: number[], w: RefAttention, numHeads: number): Mat {
  const L = x.length, H = x[0].length, D = H / numHeads;
  const q = refDense(x, w.query.kernel, w.query.bias);
  const k = refDense(x, w.key.kernel, w.key.bias);
  const v = refDense(x, w.value.kernel, w.value.bias);
  const anyKept = mask.some((m) => m !== 0);
  const context: Mat = Array.from({ length: L }, () => new Array<number>(H).fill(0));
  for (let h = 0; h < numHeads; h++) {
    for (let i = 0; i < L; i++) {
      const scores: number[] = [];
      for (let j = 0; j < L; j++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += q[i][h * D + d] * k[j][h * D + d];
        scores.push(s / Math.sqrt(D));
      }
      let max = -Infinity;
      for (let j = 0; j < L; j++) if (mask[j] !== 0) max = Math.max(max, scores[j]);
      const p = scores.map((s, j) => (!anyKept ? 1 : mask[j] !== 0 ? Math.exp(s - max) : 0));
      const z = p.reduce((a, b) => a + b, 0);
      for (let j = 0; j < L; j++) {
        for (let d = 0; d < D; d++) context[i][h * D + d] += (p[j] / z) * v[j][h * D + d];
      }
    }
  }
  return refDense(context, w.output.kernel, w.output.bias);
}

export function refFeedForward(x: Mat, w: RefFeedForward): Mat {
  const h = refDense(x, w.intermediate.kernel, w.intermediate.bias).map((row) => row.map(refGelu));
  return refDense(h, w.output.kernel, w.output.bias);
}

const addMat = (a: Mat, b: Mat): Mat => a.map((row, i) => row.map((v, j) => v + b[i][j]));

/** One encoder layer on one sequence x [L][H]: post-LN (BERT) or pre-LN. */
export function refEncoderLayer(x: Mat, mask: number[], w: RefLayer, numHeads: number, eps: number, norm: 'post' | 'pre'): Mat {
  const ln = (t: Mat, n: RefNorm) => refLayerNorm(t, n.gamma, n.beta, eps);
  if (norm === 'post') {
    const a = ln(addMat(x, refAttention(x, mask, w.attention, numHeads)), w.attnNorm);
    return ln(addMat(a, refFeedForward(a, w.ffn)), w.outNorm);
  }
  const a = addMat(x, refAttention(ln(x, w.attnNorm), mask, w.attention, numHeads));
  return addMat(a, refFeedForward(ln(a, w.outNorm), w.ffn));
}

/** Embeddings of one sequence of ids: word[id] + position[i] + tokenType[0], LayerNorm. */
export function refEmbeddings(ids: number[], p: Pick<RefParams, 'word' | 'position' | 'tokenType' | 'embNorm'>, eps: number): Mat {
  const e = ids.map((id, i) => p.word[id].map((v, j) => v + p.position[i][j] + (p.tokenType ? p.tokenType[0][j] : 0)));
  return refLayerNorm(e, p.embNorm.gamma, p.embNorm.beta, eps);
}

/** Pooling of one sequence h [L][H] with keep-mask [L]. */
export function refPool(h: Mat, mask: number[], mode: 'mean' | 'cls' | 'max'): number[] {
  const H = h[0].length;
  if (mode === 'cls') return [...h[0]];
  if (mode === 'mean') {
    const count = mask.reduce((a, b) => a + b, 0);
    const out = new Array<number>(H).fill(0);
    h.forEach((row, i) => row.forEach((v, j) => (out[j] += v * mask[i])));
    return out.map((v) => v / Math.max(count, 1e-9));
  }
  const out = new Array<number>(H).fill(-Infinity);
  h.forEach((row, i) => row.forEach((v, j) => (out[j] = Math.max(out[j], mask[i] ? v : -1e9))));
  return out;
}

/** The whole model on a batch: pooled [B][H] (or, with pooling 'none', token vectors [B][L][H] flattened per row). */
export function refModel(ids: number[][], mask: number[][], p: RefParams, cfg: RefConfig): number[][] {
  return ids.map((row, b) => {
    let h = refEmbeddings(row, p, cfg.eps);
    for (const layer of p.layers) h = refEncoderLayer(h, mask[b], layer, cfg.numHeads, cfg.eps, cfg.norm);
    if (p.finalNorm) h = refLayerNorm(h, p.finalNorm.gamma, p.finalNorm.beta, cfg.eps);
    if (cfg.pooling === 'none') return h.flat();
    let out = refPool(h, mask[b], cfg.pooling);
    if (p.pooler) out = refDense([out], p.pooler.kernel, p.pooler.bias)[0].map(Math.tanh);
    return out;
  });
}

/** A model weight by its tfjs original name, as float64 (a Mat for 2-D, a vector for 1-D). */
function weightOf(model: tfl.LayersModel, name: string): { shape: number[]; values: Float32Array } {
  const w = model.weights.find((v) => v.originalName === name);
  if (!w) throw new Error(`no weight ${name} in [${model.weights.map((v) => v.originalName).join(', ')}]`);
  return { shape: w.shape as number[], values: w.read().dataSync() as Float32Array };
}
const mat = (model: tfl.LayersModel, name: string): Mat => {
  const { shape, values } = weightOf(model, name);
  return toMat(values, shape[0], shape[1]);
};
const vec = (model: tfl.LayersModel, name: string): number[] => Array.from(weightOf(model, name).values);

export function refLayerFromWeights(model: tfl.LayersModel, prefix: string): RefLayer {
  const dense = (n: string): RefDense => ({ kernel: mat(model, `${prefix}/${n}.kernel`), bias: vec(model, `${prefix}/${n}.bias`) });
  const norm = (n: string): RefNorm => ({ gamma: vec(model, `${prefix}/${n}.gamma`), beta: vec(model, `${prefix}/${n}.beta`) });
  return {
    attention: { query: dense('attention.self.query'), key: dense('attention.self.key'), value: dense('attention.self.value'), output: dense('attention.output.dense') },
    attnNorm: norm('attention.output.LayerNorm'),
    ffn: { intermediate: dense('intermediate.dense'), output: dense('output.dense') },
    outNorm: norm('output.LayerNorm'),
  };
}

/** The reference parameters of a transformerEncoder model (its current weights). */
export function refParamsFromModel(model: tfl.LayersModel, numLayers: number): RefParams {
  const has = (n: string) => model.weights.some((w) => w.originalName === n);
  return {
    word: mat(model, 'embeddings/word_embeddings'),
    position: mat(model, 'embeddings/position_embeddings'),
    ...(has('embeddings/token_type_embeddings') ? { tokenType: mat(model, 'embeddings/token_type_embeddings') } : {}),
    embNorm: { gamma: vec(model, 'embeddings/LayerNorm.gamma'), beta: vec(model, 'embeddings/LayerNorm.beta') },
    layers: Array.from({ length: numLayers }, (_, i) => refLayerFromWeights(model, `encoder.layer.${i}`)),
    ...(has('encoder.LayerNorm/gamma') ? { finalNorm: { gamma: vec(model, 'encoder.LayerNorm/gamma'), beta: vec(model, 'encoder.LayerNorm/beta') } } : {}),
    ...(has('pooler.dense/kernel') ? { pooler: { kernel: mat(model, 'pooler.dense/kernel'), bias: vec(model, 'pooler.dense/bias') } } : {}),
  };
}

/** Deterministic values in [lo, hi) (mulberry32): the backend tests' generator. */
export const seededValues = randomArray;

/** Sets every weight of a model to seeded values in [-scale, scale] (LayerNorm gammas around 1), so tests see non-trivial numbers. */
export function randomizeWeights(model: tfl.LayersModel, seed: number, scale = 0.5): void {
  model.weights.forEach((w, i) => {
    const n = w.shape.reduce((a: number, b) => a * (b as number), 1);
    const v = seededValues(n, seed * 1000 + i, -scale, scale);
    if (w.originalName.endsWith('gamma')) for (let j = 0; j < n; j++) v[j] += 1;
    const t = tf.tensor(v, w.shape as number[]);
    w.write(t);
    t.dispose();
  });
}

/** Max |a - b| over two equally long lists. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Central finite difference of f at x[i] in float64. */
export function centralDiff(x: number[], i: number, f: () => number, h = 1e-6): number {
  const x0 = x[i];
  x[i] = x0 + h;
  const up = f();
  x[i] = x0 - h;
  const down = f();
  x[i] = x0;
  return (up - down) / (2 * h);
}
