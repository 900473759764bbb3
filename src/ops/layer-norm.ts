/**
 * Layer normalisation over the last axis as one op with a fused gradient (Ba, Kiros & Hinton 2016,
 * arXiv:1607.06450), BERT's `nn.LayerNorm`: per row of x's last axis, biased variance,
 *
 *   x: [..., H]   gamma, beta: [H]
 *   y = (x - mean) / sqrt(var + epsilon) * gamma + beta;  mean, var over the last axis
 *
 * and the closed-form backward (xhat = (x - mean) / sigma, g = dy * gamma; the row statistics are
 * recomputed from x, one cheap pass over a row in cache, instead of saving them):
 *
 *   dx = (g - mean(g) - xhat * mean(g * xhat)) / sigma;  dgamma = sum_rows dy * xhat;  dbeta = sum_rows dy
 *
 * tfjs composes LayerNorm from ~7 kernels forward and ~12 backward; this is one pass each. The
 * `native` backend runs it in C++ (native/src/layer_norm.cc); every other backend runs the plain
 * loops below (float64), which are also the reference the tests compare against.
 */
import {
  engine, type GradConfig, type KernelConfig, type KernelFunc, type NamedAttrMap, type Tensor, type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { cpuValues, referenceRegistrar } from './reference-kernels.js';

export const LayerNorm = 'ContrastiveLayerNorm';
export const LayerNormGrad = 'ContrastiveLayerNormGrad';

export interface LayerNormAttrs extends NamedAttrMap {
  epsilon: number;
}

/**
 * LayerNorm of x [..., H] (float32) with gamma and beta [H] over the last axis: [..., H].
 * Differentiable with respect to x, gamma and beta. `epsilon` > 0 (BERT: 1e-12).
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): Tensor {
  if (x.rank < 1) throw new Error(`layerNorm: x must have rank >= 1, received rank ${x.rank}`);
  const H = x.shape[x.rank - 1];
  for (const [name, t] of [['x', x], ['gamma', gamma], ['beta', beta]] as const) {
    if (t.dtype !== 'float32') throw new Error(`layerNorm: ${name} must be float32, received ${t.dtype}`);
  }
  if (gamma.rank !== 1 || gamma.shape[0] !== H || beta.rank !== 1 || beta.shape[0] !== H) {
    throw new Error(`layerNorm: gamma and beta must be [${H}] (x's last axis), received [${gamma.shape}] and [${beta.shape}]`);
  }
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new Error(`layerNorm: epsilon must be a finite number > 0, received ${epsilon}`);
  ensureReferenceKernels();
  return engine().runKernel(LayerNorm, { x, gamma, beta }, { epsilon }) as Tensor;
}

/**
 * Registers the plain-loop kernels for the cpu backend and the op's gradient, once, at the first
 * call (not at import: the library's main entry has no side effects). The native backend
 * registers its own kernels when it is registered.
 */
const ensureReferenceKernels = referenceRegistrar(() => layerNormReferenceKernels('cpu'), () => [layerNormGradConfig]);

/** Gradient: one fused kernel gives dx, dgamma and dbeta. */
export const layerNormGradConfig: GradConfig = {
  kernelName: LayerNorm,
  inputsToSave: ['x', 'gamma'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, gamma] = saved;
    // Computed here, not inside the closures: tfjs runs each closure in its own tidy, which would
    // dispose the two outputs that closure does not return.
    const [dx, dgamma, dbeta] = engine().runKernel(LayerNormGrad, { dy: dy as Tensor, x, gamma }, attrs) as unknown as Tensor[];
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};

// ---- reference kernels (any backend that stores values like the cpu backend) ----

function rows(x: TensorInfo): [number, number] {
  const H = x.shape[x.shape.length - 1];
  const size = x.shape.reduce((a, b) => a * b, 1);
  return [H === 0 ? 0 : size / H, H];
}

/** mean and 1 / sqrt(var + eps) of x[i * H .. (i + 1) * H), in float64. */
function rowStats(x: Float32Array, i: number, H: number, eps: number): [number, number] {
  let s = 0;
  for (let j = 0; j < H; j++) s += x[i * H + j];
  const m = s / H;
  let v = 0;
  for (let j = 0; j < H; j++) v += (x[i * H + j] - m) ** 2;
  return [m, 1 / Math.sqrt(v / H + eps)];
}

function forwardLoops(x: Float32Array, gamma: Float32Array, beta: Float32Array, M: number, H: number, eps: number): Float32Array {
  const y = new Float32Array(M * H);
  for (let i = 0; i < M; i++) {
    const [m, r] = rowStats(x, i, H, eps);
    for (let j = 0; j < H; j++) y[i * H + j] = (x[i * H + j] - m) * r * gamma[j] + beta[j];
  }
  return y;
}

function backwardLoops(dy: Float32Array, x: Float32Array, gamma: Float32Array, M: number, H: number, eps: number) {
  const dx = new Float32Array(M * H);
  const dgamma = new Float64Array(H), dbeta = new Float64Array(H);
  const xhat = new Float64Array(H);
  for (let i = 0; i < M; i++) {
    const [m, r] = rowStats(x, i, H, eps);
    let sg = 0, sgx = 0;
    for (let j = 0; j < H; j++) {
      const d = dy[i * H + j], g = d * gamma[j];
      xhat[j] = (x[i * H + j] - m) * r;
      sg += g;
      sgx += g * xhat[j];
      dgamma[j] += d * xhat[j];
      dbeta[j] += d;
    }
    for (let j = 0; j < H; j++) dx[i * H + j] = r * (dy[i * H + j] * gamma[j] - sg / H - xhat[j] * sgx / H);
  }
  return { dx, dgamma: Float32Array.from(dgamma), dbeta: Float32Array.from(dbeta) };
}

interface Args { inputs: Record<string, TensorInfo>; backend: MathBackendCPU; attrs: LayerNormAttrs }

function referenceForward({ inputs, backend, attrs }: Args): TensorInfo {
  const { x, gamma, beta } = inputs;
  const [M, H] = rows(x);
  const y = forwardLoops(cpuValues(backend, x), cpuValues(backend, gamma), cpuValues(backend, beta), M, H, attrs.epsilon);
  return backend.makeTensorInfo(x.shape, 'float32', y);
}

function referenceBackward({ inputs, backend, attrs }: Args): TensorInfo[] {
  const { dy, x, gamma } = inputs;
  const [M, H] = rows(x);
  const r = backwardLoops(cpuValues(backend, dy), cpuValues(backend, x), cpuValues(backend, gamma), M, H, attrs.epsilon);
  return [
    backend.makeTensorInfo(x.shape, 'float32', r.dx),
    backend.makeTensorInfo([H], 'float32', r.dgamma),
    backend.makeTensorInfo([H], 'float32', r.dbeta),
  ];
}

/** The reference kernels, registered for the cpu backend by src/backend/register.ts. */
export function layerNormReferenceKernels(backendName: string): KernelConfig[] {
  return [
    { kernelName: LayerNorm, backendName, kernelFunc: referenceForward as unknown as KernelFunc },
    { kernelName: LayerNormGrad, backendName, kernelFunc: referenceBackward as unknown as KernelFunc },
  ];
}
