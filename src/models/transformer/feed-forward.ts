/**
 * The position-wise feed-forward block of a transformer layer, as BERT's `BertIntermediate` +
 * the output dense of `BertOutput`: y = GELU(x W1 + b1) W2 + b2, hidden -> intermediate ->
 * hidden (the dropout, residual and LayerNorm around it are the encoder layer's).
 */
import { fused, reshape, tidy, type Tensor } from '@tensorflow/tfjs-core';
import type { DenseWeights } from './attention.js';
import { denseGelu } from '../../ops/dense-gelu.js';

/** The weights of one feed-forward block, named as BERT's: intermediate.dense [H, I], output.dense [I, H]. */
export interface FeedForwardWeights {
  intermediate: DenseWeights;
  output: DenseWeights;
}

/** The feed-forward block of x [..., H]: [..., H], every position independently. */
export function feedForward(x: Tensor, w: FeedForwardWeights): Tensor {
  const H = x.shape[x.rank - 1];
  const [kIn, kOut] = [w.intermediate.kernel.shape, w.output.kernel.shape];
  if (kIn.length !== 2 || kIn[0] !== H || kOut.length !== 2 || kOut[0] !== kIn[1] || kOut[1] !== H) {
    throw new Error(`feedForward: kernels must be [${H}, I] and [I, ${H}] (x's last axis ${H}), received [${kIn}] and [${kOut}]`);
  }
  return tidy(() => {
    const x2 = reshape(x, [x.size / H, H]); // [N, H]
    const h = denseGelu(x2, w.intermediate.kernel, w.intermediate.bias); // [N, I] (one GEMM with GELU in its epilogue in inference)
    return reshape(fused.matMul({ a: h, b: w.output.kernel, bias: w.output.bias }), x.shape); // [..., H]
  });
}
