/**
 * Shared body of the native reductions (Sum, Mean, Max, Min, ArgMax; native/src/reduce.cc). The
 * reduced axes are made one contiguous block R of the input viewed as [A, R, B]: directly when
 * they already are (dims of size 1 ignored): rows (B = 1) for the innermost axes, columns
 * (A = 1) for the outermost ones such as the batch axis of a bias gradient, a middle block
 * otherwise; when they are not contiguous the input is transposed first (tfjs's usual
 * backend_util.getAxesPermutation) and reduced as rows. float32 only; other dtypes and empty
 * reductions (R = 0) go to the inherited cpu kernel.
 */
import { backend_util, getKernel, Transpose, util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { ReduceOp } from '../addon.js';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

/** The [A, R, B] view of x reduced over R, after transposing by `perm` when it is not null. */
export interface ReducePlan {
  perm: number[] | null;
  A: number;
  R: number;
  B: number;
}

/** How to reduce a tensor of `shape` over `axes` (canonical, non-negative) as [A, R, B] -> [A, B]. */
export function reducePlan(shape: readonly number[], axes: readonly number[]): ReducePlan {
  const reduced = new Set(axes);
  // Dims of size 1 do not affect the memory layout: leave them out.
  const dims = shape.map((n, d) => ({ n, red: reduced.has(d) })).filter((d) => d.n !== 1);
  const first = dims.findIndex((d) => d.red);
  if (first < 0) return { perm: null, A: sizeOf(shape), R: 1, B: 1 };
  let last = dims.length - 1;
  while (!dims[last].red) last--;
  const prod = (from: number, to: number) => dims.slice(from, to).reduce((p, d) => p * d.n, 1);
  if (dims.slice(first, last + 1).every((d) => d.red)) {
    return { perm: null, A: prod(0, first), R: prod(first, last + 1), B: prod(last + 1, dims.length) };
  }
  const perm = backend_util.getAxesPermutation([...axes], shape.length) as number[];
  const R = axes.reduce((p, d) => p * shape[d], 1);
  return { perm, A: sizeOf(shape) / R, R, B: 1 };
}

/** Transposes x by perm with the backend's registered Transpose kernel (native or cpu). */
function transpose(backend: MathBackendCPU, x: TensorInfo, perm: number[]): TensorInfo {
  const k = getKernel(Transpose, 'native') ?? getKernel(Transpose, 'cpu');
  return k!.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
}

/** Runs `fn(values, plan)` on the [A, R, B] view of x over `axes`, transposing first when needed. */
function withPlan(backend: MathBackendCPU, x: TensorInfo, axes: number[], fn: (values: Float32Array, p: ReducePlan) => void): void {
  const plan = reducePlan(x.shape, axes);
  if (plan.A * plan.B === 0) return; // empty output
  if (!plan.perm) {
    fn(f32(backend, x), plan);
    return;
  }
  const t = transpose(backend, x, plan.perm);
  try {
    fn(f32(backend, t), plan);
  } finally {
    backend.disposeIntermediateTensorInfo(t);
  }
}

/** Sum, Mean, Max, Min of x over `axis` (all axes when null), keeping reduced dims as 1 if keepDims. */
export function reduceKernel(
  kernelName: string,
  op: ReduceOp,
  args: KernelArgs<{ x: TensorInfo }, unknown>,
  axis: number | number[] | null | undefined,
  keepDims: boolean,
): TensorInfo {
  const { inputs: { x }, backend } = args;
  const axes = util.parseAxisParam(axis ?? x.shape.map((_, i) => i), x.shape);
  const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
  if (!allF32(x) || sizeOf(reduceShape) === 0) return cpuKernel(kernelName)(args as never) as TensorInfo;
  const out = alloc(backend, sizeOf(outShape)); // every element written (R >= 1)
  withPlan(backend, x, axes, (values, { A, R, B }) => native().reduce(op, values, out, A, R, B));
  return output(backend, keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape, out);
}

/** ArgMax of x over one axis: int32 indices, first index on ties (as cpu). */
export function argMaxKernel(kernelName: string, args: KernelArgs<{ x: TensorInfo }, unknown>, axis: number): TensorInfo {
  const { inputs: { x }, backend } = args;
  const axes = [util.parseAxisParam(axis, x.shape)[0]];
  const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
  if (!allF32(x) || sizeOf(reduceShape) === 0) return cpuKernel(kernelName)(args as never) as TensorInfo;
  const out = new Int32Array(sizeOf(outShape));
  withPlan(backend, x, axes, (values, { A, R, B }) => native().argMax(values, out, A, R, B));
  return backend.makeTensorInfo(outShape, 'int32', out);
}
