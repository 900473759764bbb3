/** DepthwiseConv2dNative (NHWC): direct loops vectorized over channels (native/src/depthwise.cc). */
import {
  backend_util, DepthwiseConv2dNative, type DepthwiseConv2dNativeAttrs, type DepthwiseConv2dNativeInputs, type KernelConfig,
  type KernelFunc, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { ActCode } from '../addon.js';
import type { ConvEpilogue } from './Conv2D.js';
import { channelsLast, convGeometry, rank4, type Shape4 } from './conv_util.js';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

/**
 * Depthwise geometry of x [B, H, W, C] and filter [FH, FW, C, cm], or null when the native path
 * does not apply (the cpu kernel then decides, and raises tfjs's errors).
 */
export function depthwiseInfo(x: TensorInfo, filter: TensorInfo, attrs: DepthwiseConv2dNativeAttrs): backend_util.Conv2DInfo | null {
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  const $dilations = dilations ?? 1;
  if (!allF32(x, filter) || !rank4(x, filter) || !channelsLast(dataFormat) || x.shape[3] !== filter.shape[2]) return null;
  if (!backend_util.eitherStridesOrDilationsAreOne(strides, $dilations)) return null;
  return backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, strides, $dilations, pad, dimRoundingMode, true);
}

/** Runs the native depthwise convolution for a geometry from depthwiseInfo. */
export function depthwiseNative(
  backend: KernelArgs<unknown>['backend'], x: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo, epi?: ConvEpilogue,
): TensorInfo {
  const y = alloc(backend, sizeOf(info.outShape)); // every element written by the addon
  native().depthwiseConv2d(
    f32(backend, x), f32(backend, filter), y, convGeometry(info),
    epi?.bias ?? null, epi?.act ?? ActCode.None, epi?.alpha ?? 0, epi?.prelu ?? null,
  );
  return output(backend, info.outShape, y);
}

export function depthwiseConv2dNative(args: KernelArgs<DepthwiseConv2dNativeInputs, DepthwiseConv2dNativeAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  const info = depthwiseInfo(x, filter, attrs);
  if (!info) return cpuKernel(DepthwiseConv2dNative)(args as never) as TensorInfo;
  return depthwiseNative(backend, x, filter, info);
}

export const depthwiseConv2dNativeConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNative,
  backendName: 'native',
  kernelFunc: depthwiseConv2dNative as unknown as KernelFunc,
};
