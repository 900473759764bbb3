/** ContrastiveLayerNorm and its gradient kernel on the addon (native/src/layer_norm.cc). */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { LayerNorm, LayerNormGrad, type LayerNormAttrs } from '../../ops/layer-norm.js';
import { alloc, f32, native, output, sizeOf, type KernelArgs } from './util.js';

function rows(x: TensorInfo): [number, number] {
  const H = x.shape[x.shape.length - 1];
  return [H === 0 ? 0 : sizeOf(x.shape) / H, H];
}

export function layerNorm(args: KernelArgs<Record<string, TensorInfo>, LayerNormAttrs>): TensorInfo {
  const { inputs: { x, gamma, beta }, backend, attrs } = args;
  const [M, H] = rows(x);
  const y = alloc(backend, M * H); // every element written
  native().layerNormForward(f32(backend, x), f32(backend, gamma), f32(backend, beta), M, H, attrs.epsilon, y);
  return output(backend, x.shape, y);
}

export function layerNormGrad(args: KernelArgs<Record<string, TensorInfo>, LayerNormAttrs>): TensorInfo[] {
  const { inputs: { dy, x, gamma }, backend, attrs } = args;
  const [M, H] = rows(x);
  const dx = alloc(backend, M * H); // every element written
  const dgamma = new Float32Array(H), dbeta = new Float32Array(H);
  native().layerNormBackward(f32(backend, dy), f32(backend, x), f32(backend, gamma), M, H, attrs.epsilon, dx, dgamma, dbeta);
  return [output(backend, x.shape, dx), output(backend, [H], dgamma), output(backend, [H], dbeta)];
}

export const layerNormConfig: KernelConfig = {
  kernelName: LayerNorm,
  backendName: 'native',
  kernelFunc: layerNorm as unknown as KernelFunc,
};

export const layerNormGradConfig: KernelConfig = {
  kernelName: LayerNormGrad,
  backendName: 'native',
  kernelFunc: layerNormGrad as unknown as KernelFunc,
};
