/**
 * AvgPoolGrad (2-D, NHWC): dx [B, H, W, C] from dy [B, outH, outW, C]. As on cpu, each dx pixel is
 * the sum of the dy of the windows covering it times 1 / (filterH * filterW), even where a window
 * was clipped by padding.
 */
import { AvgPoolGrad, util, type AvgPoolGradAttrs, type AvgPoolGradInputs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { poolGeometry } from './MaxPool.js';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

export function avgPoolGrad(args: KernelArgs<AvgPoolGradInputs, AvgPoolGradAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  // The cpu kernel computes this geometry without dimRoundingMode; so do we.
  const g = allF32(dy, input) ? poolGeometry(input.shape, attrs.filterSize, attrs.strides, attrs.pad) : null;
  if (!g || !util.arraysEqual(dy.shape, g.outShape)) return cpuKernel(AvgPoolGrad)(args as never) as TensorInfo;
  const dx = alloc(backend, sizeOf(input.shape)); // every element written
  const [B, H, W, C, outH, outW, fh, fw, sh, sw, pt, pl] = g.args;
  if (dx.length > 0) native().avgPoolGrad(f32(backend, dy), dx, B, H, W, C, outH, outW, fh, fw, sh, sw, pt, pl);
  return output(backend, input.shape, dx);
}

export const avgPoolGradConfig: KernelConfig = {
  kernelName: AvgPoolGrad,
  backendName: 'native',
  kernelFunc: avgPoolGrad as unknown as KernelFunc,
};
