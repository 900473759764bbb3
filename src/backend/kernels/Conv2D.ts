/** Conv2D (NHWC) as implicit GEMM on the addon (native/src/conv.cc); NCHW falls back to cpu. */
import { backend_util, Conv2D, type Conv2DAttrs, type Conv2DInputs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { ActCode } from '../addon.js';
import type { FusedEpilogue } from './activation.js';
import { channelsLast, convGeometry, rank4, type Shape4 } from './conv_util.js';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

/** Options of the GEMM epilogue of a (fused) convolution. */
export type ConvEpilogue = FusedEpilogue;
const NO_EPILOGUE: ConvEpilogue = { bias: null, act: ActCode.None, alpha: 0, prelu: null };

/**
 * conv2d geometry of x [B, H, W, C] and filter [FH, FW, C, O], NHWC, or null when the native path
 * does not apply (other dtypes or layouts, channel mismatch).
 */
export function conv2DInfo(x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs): backend_util.Conv2DInfo | null {
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  if (!allF32(x, filter) || !rank4(x, filter) || !channelsLast(dataFormat) || x.shape[3] !== filter.shape[2]) return null;
  return backend_util.computeConv2DInfo(
    x.shape as Shape4, filter.shape as Shape4, strides, dilations ?? 1, pad, dimRoundingMode, false, 'channelsLast',
  );
}

/** Runs the native convolution for a geometry from conv2DInfo. */
export function conv2DNative(
  backend: KernelArgs<unknown>['backend'], x: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo,
  epi: ConvEpilogue = NO_EPILOGUE,
): TensorInfo {
  const y = alloc(backend, sizeOf(info.outShape)); // every element written by the addon
  native().conv2d(f32(backend, x), f32(backend, filter), y, convGeometry(info), epi.bias, epi.act, epi.alpha, epi.prelu);
  return output(backend, info.outShape, y);
}

export function conv2D(args: KernelArgs<Conv2DInputs, Conv2DAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  const info = conv2DInfo(x, filter, attrs);
  if (!info) return cpuKernel(Conv2D)(args as never) as TensorInfo;
  return conv2DNative(backend, x, filter, info);
}

export const conv2DConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'native',
  kernelFunc: conv2D as unknown as KernelFunc,
};
