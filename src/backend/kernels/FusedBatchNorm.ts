/**
 * FusedBatchNorm (inference form): out = offset + (x - mean) * scale / sqrt(variance + eps), with
 * mean, variance, offset and scale of size C (x's last axis) or 1, on native/src/norm.cc. Other
 * parameter shapes (the cpu kernel cycles through any length) fall back to cpu. The gradient is
 * tfjs's, composed of other ops.
 */
import { FusedBatchNorm, type FusedBatchNormAttrs, type FusedBatchNormInputs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { channelVector } from './activation.js';
import { alloc, allF32, cpuKernel, f32, native, output, type KernelArgs } from './util.js';

export function fusedBatchNorm(args: KernelArgs<FusedBatchNormInputs, FusedBatchNormAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, mean, variance, offset, scale } = inputs as { x: TensorInfo; mean: TensorInfo; variance: TensorInfo; offset?: TensorInfo; scale?: TensorInfo };
  const fallback = () => cpuKernel(FusedBatchNorm)(args as never) as TensorInfo;
  if (!allF32(x, mean, variance, offset, scale) || x.shape.length === 0) return fallback();
  // Same rank checks (and messages) as the cpu kernel.
  if (mean.shape.length !== variance.shape.length || (offset && offset.shape.length !== mean.shape.length) || (scale && scale.shape.length !== mean.shape.length)) {
    return fallback();
  }
  const C = x.shape[x.shape.length - 1];
  const vec = (t: TensorInfo | undefined) => (t ? channelVector(f32(backend, t), t.shape, C) : null);
  const m = vec(mean), v = vec(variance), o = vec(offset), s = vec(scale);
  if (!m || !v || (offset && !o) || (scale && !s)) return fallback();
  const xv = f32(backend, x);
  const out = alloc(backend, xv.length); // every element written
  if (out.length > 0) native().batchNorm(xv, out, m, v, o, s, C, attrs.varianceEpsilon ?? 0.001);
  return output(backend, x.shape, out);
}

export const fusedBatchNormConfig: KernelConfig = {
  kernelName: FusedBatchNorm,
  backendName: 'native',
  kernelFunc: fusedBatchNorm as unknown as KernelFunc,
};
