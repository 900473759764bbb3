/** Min: the minimum over `axis` (NaN if any is NaN), keepDims; float32 on the addon (see reduce.ts), other dtypes on cpu. */
import { Min, type MinAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { ReduceOp } from '../addon.js';
import { reduceKernel } from './reduce.js';
import type { KernelArgs } from './util.js';

export function min(args: KernelArgs<{ x: TensorInfo }, MinAttrs>): TensorInfo {
  return reduceKernel(Min, ReduceOp.Min, args, args.attrs.axis, args.attrs.keepDims);
}

export const minConfig: KernelConfig = {
  kernelName: Min,
  backendName: 'native',
  kernelFunc: min as unknown as KernelFunc,
};
