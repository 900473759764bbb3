/** MaxPool (2-D, NHWC) on the addon's pooling loops (native/src/pool.cc); cpu semantics. */
import { backend_util, MaxPool, util, type KernelConfig, type KernelFunc, type MaxPoolAttrs, type MaxPoolInputs, type TensorInfo } from '@tensorflow/tfjs-core';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

/**
 * Pooling geometry for the addon, as the argument list [B, H, W, C, outH, outW, fh, fw, sh, sw,
 * padTop, padLeft], from tfjs's computePool2DInfo (which also validates the attributes), and the
 * output shape. Null when x is not 4-D or the pooling is the identity (1x1 window keeping the
 * shape, which the cpu kernel answers with a shared buffer).
 */
export function poolGeometry(
  xShape: number[],
  filterSize: [number, number] | number,
  strides: [number, number] | number,
  pad: MaxPoolAttrs['pad'],
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): { args: number[]; outShape: number[] } | null {
  if (xShape.length !== 4) return null;
  const info = backend_util.computePool2DInfo(xShape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  if (info.filterHeight === 1 && info.filterWidth === 1 && util.arraysEqual(info.inShape, info.outShape)) return null;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  return {
    args: [
      info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
    ],
    outShape: info.outShape,
  };
}

/** MaxPool or AvgPool (isMax) on the addon; other dtypes and geometries go to the cpu kernel. */
export function pool2d(args: KernelArgs<MaxPoolInputs, MaxPoolAttrs>, kernelName: string, isMax: boolean): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const g = allF32(x) ? poolGeometry(x.shape, attrs.filterSize, attrs.strides, attrs.pad, attrs.dimRoundingMode) : null;
  if (!g) return cpuKernel(kernelName)(args as never) as TensorInfo;
  const y = alloc(backend, sizeOf(g.outShape)); // every element written
  const [B, H, W, C, outH, outW, fh, fw, sh, sw, pt, pl] = g.args;
  if (y.length > 0) native().pool2d(f32(backend, x), y, isMax, B, H, W, C, outH, outW, fh, fw, sh, sw, pt, pl);
  return output(backend, g.outShape, y);
}

export function maxPool(args: KernelArgs<MaxPoolInputs, MaxPoolAttrs>): TensorInfo {
  return pool2d(args, MaxPool, true);
}

export const maxPoolConfig: KernelConfig = {
  kernelName: MaxPool,
  backendName: 'native',
  kernelFunc: maxPool as unknown as KernelFunc,
};
