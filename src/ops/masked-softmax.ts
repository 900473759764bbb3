/**
 * The softmax of scaled dot-product attention (Vaswani et al. 2017, arXiv:1706.03762) with its
 * additive key mask, as one op with a one-pass gradient:
 *
 *   scores: [B, ..., n]   bias: [B, n] (or [B, 1, ..., 1, n]: one additive bias per batch element and key)
 *   y = softmax(scores * scale + bias) over the last axis, same shape as scores
 *   dscores = scale * y * (dy - sum(dy * y));  dbias = sum over the rows of batch element b of y * (dy - sum(dy * y))
 *
 * tfjs composes this from Mul + Add + Softmax (Softmax's gradient alone is ~5 kernels); this is
 * one pass per row each way. The `native` backend runs it in C++ (native/src/attention_softmax.cc);
 * every other backend runs the float64 loops below, which are also the reference the tests compare
 * against. As tfjs's Softmax, a row whose largest value is not finite comes out NaN.
 */
import {
  engine, reshape, sum, zeros,
  type GradConfig, type KernelConfig, type KernelFunc, type NamedAttrMap, type Tensor, type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { cpuValues, referenceRegistrar } from './reference-kernels.js';

export const MaskedSoftmax = 'ContrastiveMaskedSoftmax';
export const MaskedSoftmaxGrad = 'ContrastiveMaskedSoftmaxGrad';

export interface MaskedSoftmaxAttrs extends NamedAttrMap {
  scale: number;
}

/**
 * softmax(scores * scale + bias) over the last axis of scores [B, ..., n] (float32, rank >= 2);
 * bias [B, n] or any shape [B, 1, ..., n] of B * n values (BERT's extended attention mask
 * [B, 1, 1, n]), zero when absent. Differentiable with respect to scores and bias.
 */
export function maskedSoftmax(scores: Tensor, bias?: Tensor, scale = 1): Tensor {
  if (scores.rank < 2) throw new Error(`maskedSoftmax: scores must have rank >= 2 ([batch, ..., keys]), received [${scores.shape}]`);
  if (scores.dtype !== 'float32') throw new Error(`maskedSoftmax: scores must be float32, received ${scores.dtype}`);
  if (!Number.isFinite(scale)) throw new Error(`maskedSoftmax: scale must be a finite number, received ${scale}`);
  const B = scores.shape[0], n = scores.shape[scores.rank - 1];
  if (bias) {
    if (bias.dtype !== 'float32') throw new Error(`maskedSoftmax: bias must be float32, received ${bias.dtype}`);
    if (bias.rank < 2 || bias.shape[0] !== B || bias.shape[bias.rank - 1] !== n || bias.size !== B * n) {
      throw new Error(`maskedSoftmax: bias must be [${B}, ${n}] or [${B}, 1, ..., ${n}] (scores' batch and last axis), received [${bias.shape}]`);
    }
  }
  ensureReferenceKernels();
  const b = bias ?? zeros([B, n]);
  const y = engine().runKernel(MaskedSoftmax, { scores, bias: b }, { scale }) as Tensor;
  if (!bias) b.dispose();
  return y;
}

/** Registers the plain-loop kernels for the cpu backend and the gradient, once, at the first call. */
const ensureReferenceKernels = referenceRegistrar(() => maskedSoftmaxReferenceKernels('cpu'), () => [maskedSoftmaxGradConfig]);

/**
 * Gradient: dscores from one kernel; dbias (only computed when the bias needs a gradient, which
 * an attention mask does not) from the same kernel at scale 1, summed over each batch element's rows.
 */
export const maskedSoftmaxGradConfig: GradConfig = {
  kernelName: MaskedSoftmax,
  inputsToSave: ['bias'],
  outputsToSave: [true],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [bias, y] = saved;
    const grad = (scale: number) => engine().runKernel(MaskedSoftmaxGrad, { dy: dy as Tensor, y }, { scale }) as Tensor;
    return {
      scores: () => grad((attrs as MaskedSoftmaxAttrs).scale),
      bias: () => {
        const B = y.shape[0], n = y.shape[y.rank - 1];
        return reshape(sum(reshape(grad(1), [B, y.size / (B * n), n]), 1), bias.shape);
      },
    };
  },
};

// ---- reference kernels (float64) ----

interface Args { inputs: Record<string, TensorInfo>; backend: MathBackendCPU; attrs: MaskedSoftmaxAttrs }

function referenceForward({ inputs, backend, attrs }: Args): TensorInfo {
  const s = cpuValues(backend, inputs.scores), bias = cpuValues(backend, inputs.bias);
  const shape = inputs.scores.shape, B = shape[0], n = shape[shape.length - 1];
  const y = new Float32Array(s.length);
  const rows = n === 0 ? 0 : s.length / n, perBatch = B === 0 ? 0 : rows / B;
  const z = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    const b = Math.floor(r / perBatch);
    let m = -Infinity, nan = false;
    for (let j = 0; j < n; j++) {
      z[j] = Math.fround(s[r * n + j] * attrs.scale + bias[b * n + j]); // the float32 logits
      if (Number.isNaN(z[j])) nan = true;
      else if (z[j] > m) m = z[j];
    }
    if (nan || !Number.isFinite(m)) {
      y.fill(NaN, r * n, (r + 1) * n);
      continue;
    }
    let total = 0;
    for (let j = 0; j < n; j++) total += (z[j] = Math.exp(z[j] - m));
    for (let j = 0; j < n; j++) y[r * n + j] = z[j] / total;
  }
  return backend.makeTensorInfo(shape, 'float32', y);
}

function referenceBackward({ inputs, backend, attrs }: Args): TensorInfo {
  const dy = cpuValues(backend, inputs.dy), y = cpuValues(backend, inputs.y);
  const n = inputs.y.shape[inputs.y.shape.length - 1];
  const dx = new Float32Array(y.length);
  const rows = n === 0 ? 0 : y.length / n;
  for (let r = 0; r < rows; r++) {
    let d = 0;
    for (let j = 0; j < n; j++) d += dy[r * n + j] * y[r * n + j];
    for (let j = 0; j < n; j++) dx[r * n + j] = attrs.scale * y[r * n + j] * (dy[r * n + j] - d);
  }
  return backend.makeTensorInfo(inputs.y.shape, 'float32', dx);
}

/** The reference kernels, registered for the cpu backend by src/backend/register.ts. */
export function maskedSoftmaxReferenceKernels(backendName: string): KernelConfig[] {
  return [
    { kernelName: MaskedSoftmax, backendName, kernelFunc: referenceForward as unknown as KernelFunc },
    { kernelName: MaskedSoftmaxGrad, backendName, kernelFunc: referenceBackward as unknown as KernelFunc },
  ];
}
