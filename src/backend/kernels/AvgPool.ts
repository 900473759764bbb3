/** AvgPool (2-D, NHWC) on the addon's pooling loops (native/src/pool.cc); cpu semantics. */
import { AvgPool, type AvgPoolAttrs, type AvgPoolInputs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { pool2d } from './MaxPool.js';
import type { KernelArgs } from './util.js';

export function avgPool(args: KernelArgs<AvgPoolInputs, AvgPoolAttrs>): TensorInfo {
  return pool2d(args as never, AvgPool, false);
}

export const avgPoolConfig: KernelConfig = {
  kernelName: AvgPool,
  backendName: 'native',
  kernelFunc: avgPool as unknown as KernelFunc,
};
