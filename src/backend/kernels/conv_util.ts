/**
 * Shared plumbing of the convolution kernels: geometry from tfjs's computeConv2DInfo packed for the
 * addon, and the shape checks that decide between the native path and the cpu fallback.
 */
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';

export type Shape4 = [number, number, number, number];
type Conv2DInfo = backend_util.Conv2DInfo;

/**
 * The addon's geometry vector (native/src/conv_geom.h): [B, H, W, C, OH, OW, O, FH, FW, strideH,
 * strideW, dilationH, dilationW, padTop, padLeft], NHWC.
 */
export function convGeometry(info: Conv2DInfo, dilations = true): Int32Array {
  return Int32Array.of(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth,
    dilations ? info.dilationHeight : 1, dilations ? info.dilationWidth : 1,
    info.padInfo.top, info.padInfo.left,
  );
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** True for rank-4 tensors. */
export function rank4(...ts: TensorInfo[]): boolean {
  return ts.every((t) => t.shape.length === 4);
}

/** True for the layouts the native kernels handle (NHWC; dataFormat is 'NHWC' or absent). */
export function channelsLast(dataFormat: string | undefined | null): boolean {
  return dataFormat == null || dataFormat === 'NHWC';
}
