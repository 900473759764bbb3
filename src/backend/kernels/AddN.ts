/** AddN: the sum of n tensors of one shape (gradient accumulation), added in input order as cpu does. */
import { AddN, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

export function addN(args: KernelArgs<TensorInfo[]>): TensorInfo {
  const { inputs, backend } = args;
  const tensors = Object.values(inputs) as TensorInfo[];
  if (tensors.length === 0 || !allF32(...tensors)) return cpuKernel(AddN)(args as never) as TensorInfo;
  const shape = tensors[0].shape;
  const n = sizeOf(shape);
  // tfjs's addN op asserts equal shapes; anything else is left to cpu.
  if (tensors.some((t) => sizeOf(t.shape) !== n)) return cpuKernel(AddN)(args as never) as TensorInfo;
  const out = alloc(backend, n); // every element written
  if (n > 0) native().addN(tensors.map((t) => f32(backend, t)), out);
  return output(backend, [...shape], out);
}

export const addNConfig: KernelConfig = {
  kernelName: AddN,
  backendName: 'native',
  kernelFunc: addN as unknown as KernelFunc,
};
