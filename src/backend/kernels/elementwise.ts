/**
 * Factories of the native elementwise kernels (native/src/elementwise.cc): unary ops
 * out[i] = f(x[i]) and broadcasting binary ops. Each kernel file (Relu.ts, Add.ts, ...) is one
 * config made here. float32 only; anything else goes to the inherited cpu kernel.
 */
import { backend_util, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BinaryOp, UnaryOp } from '../addon.js';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

/** Most dims the addon's broadcast walker handles after collapsing. */
const MAX_RANK = 6;

/**
 * Collapsed geometry of out = op(a, b) with numpy broadcasting: output dims of size 1 dropped,
 * neighbouring dims with the same broadcast pattern merged, strides in elements (0 where a side is
 * broadcast). [N, C] op [C] gives shape [N, C] with bStrides [0, 1]; [N, C] op [N, 1] gives
 * bStrides [1, 0]; equal shapes and scalars collapse to rank 1. Null when more than MAX_RANK dims
 * remain (the caller falls back to cpu).
 */
export function broadcastGeometry(aShape: readonly number[], bShape: readonly number[]) {
  const outShape = backend_util.assertAndGetBroadcastShape(aShape as number[], bShape as number[]);
  const rank = outShape.length;
  const groups: { size: number; fa: boolean; fb: boolean }[] = [];
  for (let d = 0; d < rank; d++) {
    const n = outShape[d];
    if (n === 1) continue;
    const fa = (aShape[d - rank + aShape.length] ?? 1) === n;
    const fb = (bShape[d - rank + bShape.length] ?? 1) === n;
    const last = groups[groups.length - 1];
    if (last && last.fa === fa && last.fb === fb) last.size *= n;
    else groups.push({ size: n, fa, fb });
  }
  if (groups.length === 0) groups.push({ size: 1, fa: true, fb: true }); // every dim is 1
  if (groups.length > MAX_RANK) return null;
  const shape: number[] = [], aStrides: number[] = [], bStrides: number[] = [];
  let sa = 1, sb = 1;
  for (let g = groups.length - 1; g >= 0; g--) {
    const { size, fa, fb } = groups[g];
    shape[g] = size;
    aStrides[g] = fa ? sa : 0;
    bStrides[g] = fb ? sb : 0;
    if (fa) sa *= size;
    if (fb) sb *= size;
  }
  return { outShape, shape, aStrides, bStrides };
}

/** A unary float32 kernel; `params` maps the kernel's attrs to the addon's (p0, p1). */
export function unaryKernel(
  kernelName: string,
  op: UnaryOp,
  params: (attrs: NamedAttrMap) => [number, number] = () => [0, 0],
): KernelConfig {
  const kernelFunc = (args: KernelArgs<{ x: TensorInfo }>): TensorInfo => {
    const { inputs: { x }, backend, attrs } = args;
    if (!allF32(x)) return cpuKernel(kernelName)(args as never) as TensorInfo;
    const out = alloc(backend, sizeOf(x.shape)); // every element written
    if (out.length > 0) {
      const [p0, p1] = params(attrs);
      native().unary(op, f32(backend, x), out, p0, p1);
    }
    return output(backend, [...x.shape], out);
  };
  return { kernelName, backendName: 'native', kernelFunc: kernelFunc as unknown as KernelFunc };
}

/**
 * A broadcasting binary float32 kernel. `inputNames` are the kernel's two input names in the
 * addon's (a, b) order: ['a', 'b'] for arithmetic, ['x', 'alpha'] for Prelu, ['dy', 'y'] for EluGrad.
 */
export function binaryKernel(kernelName: string, op: BinaryOp, inputNames: [string, string] = ['a', 'b']): KernelConfig {
  const kernelFunc = (args: KernelArgs<Record<string, TensorInfo>>): TensorInfo => {
    const { inputs, backend } = args;
    const a = inputs[inputNames[0]], b = inputs[inputNames[1]];
    const g = allF32(a, b) ? broadcastGeometry(a.shape, b.shape) : null;
    if (!g) return cpuKernel(kernelName)(args as never) as TensorInfo;
    const out = alloc(backend, sizeOf(g.outShape)); // every element written
    if (out.length > 0) native().binary(op, f32(backend, a), f32(backend, b), out, g.shape, g.aStrides, g.bStrides);
    return output(backend, g.outShape, out);
  };
  return { kernelName, backendName: 'native', kernelFunc: kernelFunc as unknown as KernelFunc };
}
