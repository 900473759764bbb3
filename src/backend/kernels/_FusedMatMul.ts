/** _FusedMatMul: GEMM with bias and activation applied in the GEMM epilogue, tile by tile. */
import { _FusedMatMul, type _FusedMatMulAttrs, type _FusedMatMulInputs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { fusedEpilogue } from './activation.js';
import { matMulGeometry } from './BatchMatMul.js';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

export function fusedMatMul(args: KernelArgs<_FusedMatMulInputs, _FusedMatMulAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b, bias, preluActivationWeights } = inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const { transposeA, transposeB, activation, leakyreluAlpha } = attrs;
  const fallback = () => cpuKernel(_FusedMatMul)(args as never) as TensorInfo;
  if (!allF32(a, b, bias, preluActivationWeights)) return fallback();
  const g = matMulGeometry(a.shape, b.shape, transposeA, transposeB);
  const epi = g && fusedEpilogue(backend, g.N, activation, leakyreluAlpha, bias, preluActivationWeights);
  if (!g || !epi) return fallback();
  const out = alloc(backend, sizeOf(g.outShape)); // every element written by the GEMM (K = 0 included)
  if (out.length > 0) native().matmul(
    f32(backend, a), f32(backend, b), out, g.batchA, g.batchB, g.M, g.N, g.K, transposeA, transposeB,
    epi.bias, epi.act, epi.alpha, epi.prelu,
  );
  return output(backend, g.outShape, out);
}

export const fusedMatMulConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: 'native',
  kernelFunc: fusedMatMul as unknown as KernelFunc,
};
