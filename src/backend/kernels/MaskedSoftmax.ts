/** ContrastiveMaskedSoftmax (attention softmax with scale and key bias) and its gradient on the addon (native/src/attention_softmax.cc). */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { MaskedSoftmax, MaskedSoftmaxGrad, type MaskedSoftmaxAttrs } from '../../ops/masked-softmax.js';
import { alloc, f32, native, output, sizeOf, type KernelArgs } from './util.js';

export function maskedSoftmax(args: KernelArgs<Record<string, TensorInfo>, MaskedSoftmaxAttrs>): TensorInfo {
  const { inputs: { scores, bias }, backend, attrs } = args;
  const size = sizeOf(scores.shape), B = scores.shape[0], n = scores.shape[scores.shape.length - 1];
  const y = alloc(backend, size); // every element written
  if (size > 0) native().maskedSoftmax(f32(backend, scores), f32(backend, bias), y, B, size / (B * n), n, attrs.scale);
  return output(backend, scores.shape, y);
}

export function maskedSoftmaxGrad(args: KernelArgs<Record<string, TensorInfo>, MaskedSoftmaxAttrs>): TensorInfo {
  const { inputs: { dy, y }, backend, attrs } = args;
  const size = sizeOf(y.shape), n = y.shape[y.shape.length - 1];
  const dx = alloc(backend, size); // every element written
  if (size > 0) native().maskedSoftmaxGrad(f32(backend, dy), f32(backend, y), dx, size / n, n, attrs.scale);
  return output(backend, y.shape, dx);
}

export const maskedSoftmaxConfig: KernelConfig = {
  kernelName: MaskedSoftmax,
  backendName: 'native',
  kernelFunc: maskedSoftmax as unknown as KernelFunc,
};

export const maskedSoftmaxGradConfig: KernelConfig = {
  kernelName: MaskedSoftmaxGrad,
  backendName: 'native',
  kernelFunc: maskedSoftmaxGrad as unknown as KernelFunc,
};
