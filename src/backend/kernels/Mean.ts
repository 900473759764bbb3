/** Mean: the mean over `axis` (double sum / count), keepDims; float32 on the addon (see reduce.ts), other dtypes on cpu. */
import { Mean, type MeanAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { ReduceOp } from '../addon.js';
import { reduceKernel } from './reduce.js';
import type { KernelArgs } from './util.js';

export function mean(args: KernelArgs<{ x: TensorInfo }, MeanAttrs>): TensorInfo {
  return reduceKernel(Mean, ReduceOp.Mean, args, args.attrs.axis, args.attrs.keepDims);
}

export const meanConfig: KernelConfig = {
  kernelName: Mean,
  backendName: 'native',
  kernelFunc: mean as unknown as KernelFunc,
};
