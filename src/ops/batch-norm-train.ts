/**
 * Training-mode batch normalisation as one op with a fused gradient (Ioffe & Szegedy 2015,
 * arXiv:1502.03167): statistics over every axis but the last (NHWC channels), biased variance.
 *
 * tfjs composes this from `moments` + `batchNorm`, whose gradients take about 25 full-size passes
 * (and a full-size Tile) over the activations; this op takes two passes forward and two backward.
 * The `native` backend runs it in C++ (native/src/batch_norm.cc); every other backend runs the
 * plain loops below, which are also the reference the tests compare against.
 *
 *   x: [..., C]   scale (gamma), offset (beta): [C]
 *   y = (x - mean) / sqrt(variance + epsilon) * scale + offset;  mean, variance: [C]
 */
import {
  engine, type GradConfig, type KernelConfig, type KernelFunc, type NamedAttrMap, type Tensor, type TensorInfo,
  ones, zeros,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { cpuValues, referenceRegistrar } from './reference-kernels.js';

export const BatchNormTrain = 'ContrastiveBatchNormTrain';
export const BatchNormTrainGrad = 'ContrastiveBatchNormTrainGrad';

export interface BatchNormTrainAttrs extends NamedAttrMap {
  epsilon: number;
}

export interface BatchNormTrainResult {
  /** Normalised, scaled and shifted x, same shape as x. */
  y: Tensor;
  /** Per-channel batch mean, [C]. */
  mean: Tensor;
  /** Per-channel biased batch variance, [C]. */
  variance: Tensor;
}

/**
 * Batch normalisation with batch statistics. `epsilon` defaults to 1e-5 (PyTorch's BatchNorm2d; Keras uses 1e-3).
 * Differentiable with respect to x, scale and offset (and through the mean and variance outputs).
 */
export function batchNormTrain(x: Tensor, scale?: Tensor, offset?: Tensor, epsilon = 1e-5): BatchNormTrainResult {
  if (x.rank < 1) throw new Error(`batchNormTrain: x must have rank >= 1, received rank ${x.rank}`);
  if (x.dtype !== 'float32') throw new Error(`batchNormTrain: x must be float32, received ${x.dtype}`);
  if (!(epsilon >= 0) || !Number.isFinite(epsilon)) {
    throw new Error(`batchNormTrain: epsilon must be a finite number >= 0, received ${epsilon}`);
  }
  const C = x.shape[x.rank - 1];
  for (const [name, t] of [['scale', scale], ['offset', offset]] as const) {
    if (t && (t.rank !== 1 || t.shape[0] !== C)) {
      throw new Error(`batchNormTrain: ${name} must have shape [${C}] (the channels of x), received [${t.shape}]`);
    }
  }
  ensureReferenceKernels();
  const s = scale ?? ones([C]);
  const o = offset ?? zeros([C]);
  const [y, mean, variance] = engine().runKernel(BatchNormTrain, { x, scale: s, offset: o }, { epsilon }) as unknown as Tensor[];
  if (!scale) s.dispose();
  if (!offset) o.dispose();
  return { y, mean, variance };
}

/**
 * Registers the plain-loop kernels for the cpu backend and the op's gradient, once, at the first
 * call (not at import: the library's main entry has no side effects). The native backend
 * registers its own kernels when it is registered.
 */
const ensureReferenceKernels = referenceRegistrar(() => batchNormTrainReferenceKernels('cpu'), () => [batchNormTrainGradConfig]);

/** Gradient: one fused kernel gives dx, dscale and doffset. */
export const batchNormTrainGradConfig: GradConfig = {
  kernelName: BatchNormTrain,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [dy, dmean, dvar] = dys as Tensor[];
    const [x, scale, mean, variance] = saved;
    // Computed here, not inside the closures: tfjs runs each closure in its own tidy, which would
    // dispose the two outputs that closure does not return.
    const [dx, dscale, doffset] = engine().runKernel(
      BatchNormTrainGrad, { dy, x, mean, variance, scale, dmean, dvar }, attrs,
    ) as unknown as Tensor[];
    return { x: () => dx, scale: () => dscale, offset: () => doffset };
  },
};

// ---- reference kernels (any backend that stores values like the cpu backend) ----

function geometry(x: TensorInfo): [number, number] {
  const C = x.shape[x.shape.length - 1];
  const size = x.shape.reduce((a, b) => a * b, 1);
  return [C === 0 ? 0 : size / C, C];
}

function forwardLoops(x: Float32Array, gamma: Float32Array, beta: Float32Array, M: number, C: number, eps: number) {
  const y = new Float32Array(M * C), mean = new Float32Array(C), variance = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let i = 0; i < M; i++) s += x[i * C + c];
    const m = s / M;
    let v = 0;
    for (let i = 0; i < M; i++) v += (x[i * C + c] - m) ** 2;
    v /= M;
    mean[c] = m;
    variance[c] = v;
    const r = 1 / Math.sqrt(v + eps);
    for (let i = 0; i < M; i++) y[i * C + c] = (x[i * C + c] - m) * r * gamma[c] + beta[c];
  }
  return { y, mean, variance };
}

function backwardLoops(
  dy: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array,
  dmean: Float32Array, dvar: Float32Array, M: number, C: number, eps: number,
) {
  const dx = new Float32Array(M * C), dgamma = new Float32Array(C), dbeta = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const r = 1 / Math.sqrt(variance[c] + eps);
    let sb = 0, sg = 0;
    for (let i = 0; i < M; i++) {
      sb += dy[i * C + c];
      sg += dy[i * C + c] * (x[i * C + c] - mean[c]) * r;
    }
    dbeta[c] = sb;
    dgamma[c] = sg;
    for (let i = 0; i < M; i++) {
      const d = x[i * C + c] - mean[c];
      dx[i * C + c] = gamma[c] * r * (dy[i * C + c] - sb / M - d * r * sg / M) + dmean[c] / M + (dvar[c] * 2 * d) / M;
    }
  }
  return { dx, dgamma, dbeta };
}

interface Args { inputs: Record<string, TensorInfo>; backend: MathBackendCPU; attrs: BatchNormTrainAttrs }

function referenceForward({ inputs, backend, attrs }: Args): TensorInfo[] {
  const { x, scale, offset } = inputs;
  const [M, C] = geometry(x);
  const r = forwardLoops(cpuValues(backend, x), cpuValues(backend, scale), cpuValues(backend, offset), M, C, attrs.epsilon);
  return [
    backend.makeTensorInfo(x.shape, 'float32', r.y),
    backend.makeTensorInfo([C], 'float32', r.mean),
    backend.makeTensorInfo([C], 'float32', r.variance),
  ];
}

function referenceBackward({ inputs, backend, attrs }: Args): TensorInfo[] {
  const { dy, x, mean, variance, scale, dmean, dvar } = inputs;
  const [M, C] = geometry(x);
  const r = backwardLoops(
    cpuValues(backend, dy), cpuValues(backend, x), cpuValues(backend, mean), cpuValues(backend, variance), cpuValues(backend, scale),
    cpuValues(backend, dmean), cpuValues(backend, dvar), M, C, attrs.epsilon,
  );
  return [
    backend.makeTensorInfo(x.shape, 'float32', r.dx),
    backend.makeTensorInfo([C], 'float32', r.dgamma),
    backend.makeTensorInfo([C], 'float32', r.dbeta),
  ];
}

/** The reference kernels, registered for the cpu backend by src/backend/register.ts. */
export function batchNormTrainReferenceKernels(backendName: string): KernelConfig[] {
  return [
    { kernelName: BatchNormTrain, backendName, kernelFunc: referenceForward as unknown as KernelFunc },
    { kernelName: BatchNormTrainGrad, backendName, kernelFunc: referenceBackward as unknown as KernelFunc },
  ];
}
