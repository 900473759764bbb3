/**
 * Transpose of float32 tensors on native/src/transpose.cc. The permutation is first reduced to
 * its smallest form here (size-1 axes dropped, axes that stay adjacent merged), so NHWC <-> NCHW
 * becomes a batched 2-D transpose and a permutation that keeps the order is a plain copy.
 */
import { Transpose, type KernelConfig, type KernelFunc, type TensorInfo, type TransposeAttrs, type TransposeInputs } from '@tensorflow/tfjs-core';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

/** Rank the addon handles after simplification. */
const MAX_RANK = 6;

/**
 * The smallest (shape, perm) moving the elements as `perm` does on `shape`: size-1 axes removed,
 * runs of input axes that stay consecutive in the output merged into one axis.
 */
export function simplifyPermutation(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const kept = shape.map((d, a) => (d === 1 ? -1 : a)).filter((a) => a >= 0);
  const renum = new Map(kept.map((a, i) => [a, i]));
  const s = kept.map((a) => shape[a]);
  const p = perm.filter((a) => shape[a] !== 1).map((a) => renum.get(a) as number);
  // Groups of input axes, in output order; a group is a run a, a+1, ... kept together.
  const groups: number[][] = [];
  for (const a of p) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] + 1 === a) last.push(a);
    else groups.push([a]);
  }
  const byInput = groups.map((_, g) => g).sort((g, h) => groups[g][0] - groups[h][0]);
  const newShape = byInput.map((g) => groups[g].reduce((n, a) => n * s[a], 1));
  const position = new Map(byInput.map((g, i) => [g, i]));
  return { shape: newShape, perm: groups.map((_, g) => position.get(g) as number) };
}

export function transpose(args: KernelArgs<TransposeInputs, TransposeAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const { perm } = attrs;
  if (!allF32(x) || perm.length !== x.shape.length) return cpuKernel(Transpose)(args as never) as TensorInfo;
  const outShape = perm.map((a) => x.shape[a]);
  const out = alloc(backend, sizeOf(outShape)); // every element written
  if (out.length === 0) return output(backend, outShape, out);
  const xv = f32(backend, x);
  const simple = simplifyPermutation(x.shape, perm);
  if (simple.shape.length <= 1) {
    out.set(xv);
  } else if (simple.shape.length <= MAX_RANK) {
    native().transpose(xv, out, Int32Array.from(simple.shape), Int32Array.from(simple.perm));
  } else {
    return cpuKernel(Transpose)(args as never) as TensorInfo;
  }
  return output(backend, outShape, out);
}

export const transposeConfig: KernelConfig = {
  kernelName: Transpose,
  backendName: 'native',
  kernelFunc: transpose as unknown as KernelFunc,
};
