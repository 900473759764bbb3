/** ContrastiveDenseGelu (inference: gelu(x kernel + bias) as one GEMM with bias + GELU in its epilogue, native/src/gemm.cc). */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { ActCode } from '../addon.js';
import { DenseGelu } from '../../ops/dense-gelu.js';
import { alloc, f32, native, output, type KernelArgs } from './util.js';

export function denseGelu(args: KernelArgs<Record<string, TensorInfo>>): TensorInfo {
  const { inputs: { x, kernel, bias }, backend } = args;
  const [M, K] = x.shape, N = kernel.shape[1];
  const out = alloc(backend, M * N); // every element written by the GEMM (K = 0 included)
  if (out.length > 0) native().matmul(f32(backend, x), f32(backend, kernel), out, 1, 1, M, N, K, false, false, f32(backend, bias), ActCode.Gelu, 0, null);
  return output(backend, [M, N], out);
}

export const denseGeluConfig: KernelConfig = {
  kernelName: DenseGelu,
  backendName: 'native',
  kernelFunc: denseGelu as unknown as KernelFunc,
};
