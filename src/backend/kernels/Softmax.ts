/**
 * Softmax over the last axis (attr dim: -1 or rank - 1, the only axis tfjs supports), one pass per
 * row on native/src/norm.cc (max subtraction, vectorized exp). The gradient is tfjs's, composed
 * of other ops.
 */
import { Softmax, type KernelConfig, type KernelFunc, type SoftmaxAttrs, type SoftmaxInputs, type TensorInfo } from '@tensorflow/tfjs-core';
import { alloc, allF32, cpuKernel, f32, native, output, type KernelArgs } from './util.js';

export function softmax(args: KernelArgs<SoftmaxInputs, SoftmaxAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const logits = inputs.logits as TensorInfo;
  const rank = logits.shape.length;
  const dim = attrs.dim === -1 ? rank - 1 : attrs.dim;
  // Other axes: the cpu kernel throws its own error.
  if (!allF32(logits) || rank === 0 || dim !== rank - 1) return cpuKernel(Softmax)(args as never) as TensorInfo;
  const x = f32(backend, logits);
  const n = logits.shape[rank - 1];
  const out = alloc(backend, x.length); // every element written
  if (out.length > 0) native().softmax(x, out, x.length / n, n);
  return output(backend, logits.shape, out);
}

export const softmaxConfig: KernelConfig = {
  kernelName: Softmax,
  backendName: 'native',
  kernelFunc: softmax as unknown as KernelFunc,
};
