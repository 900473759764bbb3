/**
 * MaxPoolGrad (2-D, NHWC): dx [B, H, W, C] from dy [B, outH, outW, C] and the forward input. Each
 * dy element goes to the first strict maximum of its window in row-major window order, exactly
 * the position tfjs's cpu kernel picks (maxPoolPositions), so ties resolve the same way.
 */
import { MaxPoolGrad, util, type KernelConfig, type KernelFunc, type MaxPoolGradAttrs, type MaxPoolGradInputs, type TensorInfo } from '@tensorflow/tfjs-core';
import { poolGeometry } from './MaxPool.js';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

export function maxPoolGrad(args: KernelArgs<MaxPoolGradInputs, MaxPoolGradAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const g = allF32(dy, input) ? poolGeometry(input.shape, attrs.filterSize, attrs.strides, attrs.pad, attrs.dimRoundingMode) : null;
  if (!g || !util.arraysEqual(dy.shape, g.outShape)) return cpuKernel(MaxPoolGrad)(args as never) as TensorInfo;
  const n = sizeOf(input.shape);
  if (n === 0 || sizeOf(dy.shape) === 0) return output(backend, input.shape, new Float32Array(n));
  const dx = alloc(backend, n); // zeroed, then accumulated into, by the addon
  const [B, H, W, C, outH, outW, fh, fw, sh, sw, pt, pl] = g.args;
  native().maxPoolGrad(f32(backend, input), f32(backend, dy), dx, B, H, W, C, outH, outW, fh, fw, sh, sw, pt, pl);
  return output(backend, input.shape, dx);
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'native',
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
