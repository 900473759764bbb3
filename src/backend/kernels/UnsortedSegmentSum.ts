/**
 * UnsortedSegmentSum as one linear pass: out[segmentIds[i], ...] += x[i, ...]. It is the gradient
 * of Gather (tf.gather's backward scatters dy back to the gathered rows), so every loss that
 * gathers pairs or triplets (Siamese pairs, the batch triplet losses) runs it in each step. tfjs's
 * cpu kernel builds one mask per segment (Equal, Cast, Multiply, Sum for each of numSegments):
 * O(numSegments x size), 6.7 s per batch-all triplet step of 25,000 triplets on a [64, 64]
 * distance matrix; this pass is O(size). Memory-bound and cheap, so it stays in TypeScript.
 * Segment ids outside [0, numSegments) are skipped (as TensorFlow's kernel drops negative ids).
 */
import { UnsortedSegmentSum, type KernelConfig, type KernelFunc, type TensorInfo, type UnsortedSegmentSumAttrs } from '@tensorflow/tfjs-core';
import { cpuKernel, f32, output, sizeOf, type KernelArgs } from './util.js';

export function unsortedSegmentSum(args: KernelArgs<{ x: TensorInfo; segmentIds: TensorInfo }, UnsortedSegmentSumAttrs>): TensorInfo {
  const { inputs: { x, segmentIds }, backend, attrs: { numSegments } } = args;
  const idsRank = segmentIds.shape.length;
  const sameLeading = segmentIds.shape.every((d, i) => x.shape[i] === d);
  if (x.dtype !== 'float32' || segmentIds.dtype !== 'int32' || idsRank > x.shape.length || !sameLeading) {
    return cpuKernel(UnsortedSegmentSum)(args as never) as TensorInfo;
  }
  const inner = sizeOf(x.shape.slice(idsRank)); // elements per segment entry
  const ids = backend.data.get(segmentIds.dataId).values as Int32Array;
  const src = f32(backend, x);
  const out = new Float32Array(numSegments * inner); // zeros: segments without ids stay 0
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const o = s * inner, a = i * inner;
    for (let k = 0; k < inner; k++) out[o + k] += src[a + k];
  }
  return output(backend, [numSegments, ...x.shape.slice(idsRank)], out);
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'native',
  kernelFunc: unsortedSegmentSum as unknown as KernelFunc,
};
