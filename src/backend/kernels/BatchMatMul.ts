/** BatchMatMul on the addon's packed GEMM (native/src/gemm.cc). */
import { BatchMatMul, type BatchMatMulAttrs, type BatchMatMulInputs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { ActCode } from '../addon.js';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

/** Shapes of a (batched) matrix product, or null when the batch dims do not broadcast simply. */
export function matMulGeometry(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean) {
  const ar = aShape.length, br = bShape.length;
  const M = transposeA ? aShape[ar - 1] : aShape[ar - 2];
  const K = transposeA ? aShape[ar - 2] : aShape[ar - 1];
  const Kb = transposeB ? bShape[br - 1] : bShape[br - 2];
  const N = transposeB ? bShape[br - 2] : bShape[br - 1];
  if (K !== Kb) {
    throw new Error(
      `Error in matMul: inner shapes (${K}) and (${Kb}) of Tensors with shapes ${aShape} and ${bShape} ` +
        `and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const outerA = aShape.slice(0, -2), outerB = bShape.slice(0, -2);
  const batchA = sizeOf(outerA), batchB = sizeOf(outerB);
  let outer: number[];
  if (batchA === batchB && outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i])) outer = outerA;
  else if (batchB === 1 && outerB.length <= outerA.length) outer = outerA;
  else if (batchA === 1 && outerA.length <= outerB.length) outer = outerB;
  else return null;
  return { M, N, K, batchA, batchB, outShape: [...outer, M, N] };
}

export function batchMatMul(args: KernelArgs<BatchMatMulInputs, BatchMatMulAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs;
  const g = allF32(a, b) ? matMulGeometry(a.shape, b.shape, transposeA, transposeB) : null;
  if (!g) return cpuKernel(BatchMatMul)(args as never) as TensorInfo;
  const out = alloc(backend, sizeOf(g.outShape)); // every element written by the GEMM (K = 0 included)
  if (out.length > 0) native().matmul(f32(backend, a), f32(backend, b), out, g.batchA, g.batchB, g.M, g.N, g.K, transposeA, transposeB, null, ActCode.None, 0, null);
  return output(backend, g.outShape, out);
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'native',
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
