/** ContrastiveBatchNormTrain and its gradient kernel on the addon (native/src/batch_norm.cc). */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BatchNormTrain, BatchNormTrainGrad, type BatchNormTrainAttrs } from '../../ops/batch-norm-train.js';
import { alloc, f32, native, output, sizeOf, type KernelArgs } from './util.js';

function channels(x: TensorInfo): [number, number] {
  const C = x.shape[x.shape.length - 1];
  return [C === 0 ? 0 : sizeOf(x.shape) / C, C];
}

export function batchNormTrain(args: KernelArgs<Record<string, TensorInfo>, BatchNormTrainAttrs>): TensorInfo[] {
  const { inputs: { x, scale, offset }, backend, attrs } = args;
  const [M, C] = channels(x);
  const y = alloc(backend, M * C); // every element written
  const mean = new Float32Array(C), variance = new Float32Array(C);
  native().bnTrainForward(f32(backend, x), f32(backend, scale), f32(backend, offset), M, C, attrs.epsilon, y, mean, variance);
  return [output(backend, x.shape, y), output(backend, [C], mean), output(backend, [C], variance)];
}

export function batchNormTrainGrad(args: KernelArgs<Record<string, TensorInfo>, BatchNormTrainAttrs>): TensorInfo[] {
  const { inputs: { dy, x, mean, variance, scale, dmean, dvar }, backend, attrs } = args;
  const [M, C] = channels(x);
  const dx = alloc(backend, M * C); // every element written
  const dgamma = new Float32Array(C), dbeta = new Float32Array(C);
  native().bnTrainBackward(
    f32(backend, dy), f32(backend, x), f32(backend, mean), f32(backend, variance), f32(backend, scale),
    f32(backend, dmean), f32(backend, dvar), M, C, attrs.epsilon, dx, dgamma, dbeta,
  );
  return [output(backend, x.shape, dx), output(backend, [C], dgamma), output(backend, [C], dbeta)];
}

export const batchNormTrainConfig: KernelConfig = {
  kernelName: BatchNormTrain,
  backendName: 'native',
  kernelFunc: batchNormTrain as unknown as KernelFunc,
};

export const batchNormTrainGradConfig: KernelConfig = {
  kernelName: BatchNormTrainGrad,
  backendName: 'native',
  kernelFunc: batchNormTrainGrad as unknown as KernelFunc,
};
