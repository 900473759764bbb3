/** ContrastiveAddLayerNorm (inference: LayerNorm(x + r) in one pass per row) on the addon (native/src/layer_norm.cc). */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { AddLayerNorm } from '../../ops/add-layer-norm.js';
import type { LayerNormAttrs } from '../../ops/layer-norm.js';
import { alloc, f32, native, output, sizeOf, type KernelArgs } from './util.js';

export function addLayerNorm(args: KernelArgs<Record<string, TensorInfo>, LayerNormAttrs>): TensorInfo {
  const { inputs: { x, r, gamma, beta }, backend, attrs } = args;
  const H = x.shape[x.shape.length - 1], M = H === 0 ? 0 : sizeOf(x.shape) / H;
  const y = alloc(backend, M * H); // every element written
  native().layerNormForward(f32(backend, x), f32(backend, gamma), f32(backend, beta), M, H, attrs.epsilon, y, f32(backend, r));
  return output(backend, x.shape, y);
}

export const addLayerNormConfig: KernelConfig = {
  kernelName: AddLayerNorm,
  backendName: 'native',
  kernelFunc: addLayerNorm as unknown as KernelFunc,
};
