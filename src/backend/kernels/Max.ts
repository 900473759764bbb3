/** Max: the maximum over `reductionIndices` (NaN if any is NaN), keepDims; float32 on the addon (see reduce.ts), other dtypes on cpu. */
import { Max, type MaxAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { ReduceOp } from '../addon.js';
import { reduceKernel } from './reduce.js';
import type { KernelArgs } from './util.js';

export function max(args: KernelArgs<{ x: TensorInfo }, MaxAttrs>): TensorInfo {
  return reduceKernel(Max, ReduceOp.Max, args, args.attrs.reductionIndices, args.attrs.keepDims);
}

export const maxConfig: KernelConfig = {
  kernelName: Max,
  backendName: 'native',
  kernelFunc: max as unknown as KernelFunc,
};
