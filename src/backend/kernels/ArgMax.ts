/** ArgMax: int32 index of the maximum over one axis, first index on ties (as cpu); float32 input on the addon. */
import { ArgMax, type ArgMaxAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { argMaxKernel } from './reduce.js';
import type { KernelArgs } from './util.js';

export function argMax(args: KernelArgs<{ x: TensorInfo }, ArgMaxAttrs>): TensorInfo {
  return argMaxKernel(ArgMax, args, args.attrs.axis);
}

export const argMaxConfig: KernelConfig = {
  kernelName: ArgMax,
  backendName: 'native',
  kernelFunc: argMax as unknown as KernelFunc,
};
