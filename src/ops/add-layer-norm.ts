/**
 * The residual add and LayerNorm of a post-LN transformer layer (BERT's `BertSelfOutput` /
 * `BertOutput`: LayerNorm(hidden + input)) as one op:
 *
 *   addLayerNorm(x [..., H], r [..., H], gamma [H], beta [H], eps) = layerNorm(x + r)   [..., H]
 *
 * With no gradient being recorded (inference: tfjs's engine at gradientDepth 0, the test of
 * ./fused-attention.ts) and a backend that has the fused kernel (`native`:
 * native/src/layer_norm.cc layerNormForward with a residual, the sum made and normalised row by row while in
 * cache), one kernel instead of an Add and a LayerNorm. Otherwise, and whenever a gradient may be
 * taken, the composition layerNorm(add(x, r)) (./layer-norm.ts), which the tests compare against.
 */
import { add, engine, type Tensor } from '@tensorflow/tfjs-core';
import { layerNorm } from './layer-norm.js';
import { inferenceKernelAvailable } from './reference-kernels.js';

export const AddLayerNorm = 'ContrastiveAddLayerNorm';

/**
 * layerNorm(x + r, gamma, beta, epsilon) over the last axis; x and r float32 of one shape [..., H]
 * (other shapes broadcast through the composed ops). Differentiable.
 */
export function addLayerNorm(x: Tensor, r: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): Tensor {
  const same = x.dtype === 'float32' && r.dtype === 'float32' && x.rank >= 1 && x.rank === r.rank && x.shape.every((d, i) => d === r.shape[i]);
  if (!same || !inferenceKernelAvailable(AddLayerNorm)) return layerNorm(add(x, r), gamma, beta, epsilon);
  const H = x.shape[x.rank - 1];
  if (gamma.dtype !== 'float32' || beta.dtype !== 'float32' || gamma.rank !== 1 || gamma.shape[0] !== H || beta.rank !== 1 || beta.shape[0] !== H) {
    throw new Error(`addLayerNorm: gamma and beta must be float32 [${H}] (x's last axis), received ${gamma.dtype} [${gamma.shape}] and ${beta.dtype} [${beta.shape}]`);
  }
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new Error(`addLayerNorm: epsilon must be a finite number > 0, received ${epsilon}`);
  return engine().runKernel(AddLayerNorm, { x, r, gamma, beta }, { epsilon }) as Tensor;
}
