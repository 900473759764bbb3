/**
 * Shared plumbing of the `native` kernels: raw Float32Array access, output tensors and the
 * fallback to the inherited cpu kernel for cases the addon does not handle (other dtypes, exotic
 * broadcasting). Each kernel file decides; this file only moves data.
 */
import { getKernel, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { addon, type NativeAddon } from '../addon.js';

/** The native addon; kernels are only registered when it loaded. */
export function native(): NativeAddon {
  if (!addon) throw new Error('contrastive: native kernel called without the addon (internal error)');
  return addon;
}

/**
 * The Float32Array behind a float32 tensor (never write into it: Reshape shares buffers). The cpu
 * backend's Cast from int32 or bool to float32 keeps the Int32Array / Uint8Array under the new
 * dtype: those come back as a float copy.
 */
export function f32(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}

/** True when every given tensor is float32 (the native kernels' only dtype). */
export function allF32(...ts: (TensorInfo | null | undefined)[]): boolean {
  return ts.every((t) => t == null || t.dtype === 'float32');
}

/**
 * A Float32Array of n elements for a kernel's output, recycled when the backend pools buffers:
 * its contents are arbitrary, so the kernel must write every element (use `new Float32Array(n)`
 * where it relies on zeros).
 */
export function alloc(backend: MathBackendCPU, n: number): Float32Array {
  const pool = (backend as { pool?: { take(n: number): Float32Array } }).pool;
  return pool ? pool.take(n) : new Float32Array(n);
}

/** Wraps a new Float32Array as the backend's output tensor. */
export function output(backend: MathBackendCPU, shape: number[], values: Float32Array): TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', values);
}

/** The cpu backend's kernel function for `name`, to fall back on. */
export function cpuKernel(name: string): KernelFunc {
  const k = getKernel(name, 'cpu');
  if (!k) throw new Error(`contrastive: the cpu backend has no kernel ${name}`);
  return k.kernelFunc;
}

/** Arguments of a kernel function with typed inputs, backend and attributes. */
export interface KernelArgs<I, A = NamedAttrMap> {
  inputs: I;
  backend: MathBackendCPU;
  attrs: A;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
