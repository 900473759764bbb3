/** AvgPool (2-D, NHWC) on the addon's pooling loops (native/src/pool.cc); cpu semantics. */
import { AvgPool, type AvgPoolAttrs, type AvgPoolInputs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { poolGeometry } from './MaxPool.js';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

export function avgPool(args: KernelArgs<AvgPoolInputs, AvgPoolAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const g = allF32(x) ? poolGeometry(x.shape, attrs.filterSize, attrs.strides, attrs.pad, attrs.dimRoundingMode) : null;
  if (!g) return cpuKernel(AvgPool)(args as never) as TensorInfo;
  const y = alloc(backend, sizeOf(g.outShape)); // every element written
  const [B, H, W, C, outH, outW, fh, fw, sh, sw, pt, pl] = g.args;
  if (y.length > 0) native().pool2d(f32(backend, x), y, false, B, H, W, C, outH, outW, fh, fw, sh, sw, pt, pl);
  return output(backend, g.outShape, y);
}

export const avgPoolConfig: KernelConfig = {
  kernelName: AvgPool,
  backendName: 'native',
  kernelFunc: avgPool as unknown as KernelFunc,
};
