/** ContrastiveGelu (exact erf GELU) and its gradient kernel on the addon (native/src/gelu.cc). */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Gelu, GeluGrad } from '../../ops/gelu.js';
import { alloc, f32, native, output, type KernelArgs } from './util.js';

export function gelu(args: KernelArgs<Record<string, TensorInfo>>): TensorInfo {
  const { inputs: { x }, backend } = args;
  const xs = f32(backend, x);
  const y = alloc(backend, xs.length); // every element written
  native().gelu(xs, y);
  return output(backend, x.shape, y);
}

export function geluGrad(args: KernelArgs<Record<string, TensorInfo>>): TensorInfo {
  const { inputs: { dy, x }, backend } = args;
  const xs = f32(backend, x);
  const dx = alloc(backend, xs.length); // every element written
  native().geluGrad(f32(backend, dy), xs, dx);
  return output(backend, x.shape, dx);
}

export const geluConfig: KernelConfig = {
  kernelName: Gelu,
  backendName: 'native',
  kernelFunc: gelu as unknown as KernelFunc,
};

export const geluGradConfig: KernelConfig = {
  kernelName: GeluGrad,
  backendName: 'native',
  kernelFunc: geluGrad as unknown as KernelFunc,
};
