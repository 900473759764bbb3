/**
 * Slice and SplitV of float32 tensors as memcpy runs on the addon (native/src/slice.cc) when the
 * slice is not one contiguous block; the cpu kernel otherwise (a contiguous slice is a subarray
 * view there, no copy) and for other dtypes. tfjs's cpu SplitV calls its Slice impl directly, so
 * SplitV is overridden too.
 */
import { backend_util, Slice, slice_util, SplitV, util, type KernelConfig, type KernelFunc, type SliceAttrs, type SplitVAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { alloc, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

/** The slice of x [begin, begin + size) per axis (already parsed and checked). */
function sliceF32(backend: MathBackendCPU, x: TensorInfo, begin: number[], size: number[]): TensorInfo | null {
  if (x.dtype !== 'float32' || x.shape.length > 8 || slice_util.isSliceContinous(x.shape, begin, size)) return null;
  const out = alloc(backend, sizeOf(size)); // every element written
  if (out.length > 0) native().slice(f32(backend, x), out, Int32Array.from(x.shape), Int32Array.from(begin), Int32Array.from(size));
  return output(backend, size, out);
}

export function slice(args: KernelArgs<{ x: TensorInfo }, SliceAttrs>): TensorInfo {
  const { inputs: { x }, backend, attrs } = args;
  const [begin, size] = slice_util.parseSliceParams(x, attrs.begin, attrs.size);
  slice_util.assertParamsValid(x, begin, size);
  return sliceF32(backend, x, begin, size) ?? (cpuKernel(Slice)(args as never) as TensorInfo);
}

export function splitV(args: KernelArgs<{ x: TensorInfo }, SplitVAttrs>): TensorInfo[] {
  const { inputs: { x }, backend, attrs } = args;
  const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
  const sizes = backend_util.prepareSplitSize(x, attrs.numOrSizeSplits, axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const b = [...begin];
    begin[axis] += s;
    return sliceF32(backend, x, b, size) ?? (cpuKernel(Slice)({ inputs: { x }, backend, attrs: { begin: b, size } } as never) as TensorInfo);
  });
}

export const sliceConfig: KernelConfig = {
  kernelName: Slice,
  backendName: 'native',
  kernelFunc: slice as unknown as KernelFunc,
};

export const splitVConfig: KernelConfig = {
  kernelName: SplitV,
  backendName: 'native',
  kernelFunc: splitV as unknown as KernelFunc,
};
