/** Sum: the sum over `axis` (accumulated in double), keepDims; float32 on the addon (see reduce.ts), other dtypes on cpu. */
import { Sum, type SumAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { ReduceOp } from '../addon.js';
import { reduceKernel } from './reduce.js';
import type { KernelArgs } from './util.js';

export function sum(args: KernelArgs<{ x: TensorInfo }, SumAttrs>): TensorInfo {
  return reduceKernel(Sum, ReduceOp.Sum, args, args.attrs.axis, args.attrs.keepDims);
}

export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: 'native',
  kernelFunc: sum as unknown as KernelFunc,
};
