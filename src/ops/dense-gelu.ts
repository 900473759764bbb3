/**
 * A dense layer followed by exact GELU, BERT's `BertIntermediate` (Devlin et al. 2018,
 * arXiv:1810.04805):
 *
 *   denseGelu(x [N, K], kernel [K, I], bias [I]) = gelu(x kernel + bias)   [N, I]
 *
 * With no gradient being recorded (inference: tfjs's engine at gradientDepth 0, the test tfjs's
 * fused ops and ./fused-attention.ts make) and a backend that has the fused kernel (`native`: the
 * GEMM with bias + GELU in its epilogue, applied to each output tile while it is in cache,
 * native/src/gemm.cc Act::Gelu), one kernel. Otherwise, and whenever a gradient may be taken, the
 * composition gelu(fused.matMul(x, kernel, bias)) (./gelu.ts), which the tests compare against.
 */
import { engine, fused, type Tensor } from '@tensorflow/tfjs-core';
import { gelu } from './gelu.js';
import { inferenceKernelAvailable } from './reference-kernels.js';

export const DenseGelu = 'ContrastiveDenseGelu';

/** gelu(x kernel + bias): x [N, K], kernel [K, I], bias [I], all float32 -> [N, I]. Differentiable. */
export function denseGelu(x: Tensor, kernel: Tensor, bias: Tensor): Tensor {
  for (const [name, t] of [['x', x], ['kernel', kernel], ['bias', bias]] as const) {
    if (t.dtype !== 'float32') throw new Error(`denseGelu: ${name} must be float32, received ${t.dtype}`);
  }
  if (x.rank !== 2) throw new Error(`denseGelu: x must be [rows, inputs], received [${x.shape}]`);
  const K = x.shape[1];
  if (kernel.rank !== 2 || kernel.shape[0] !== K) throw new Error(`denseGelu: kernel must be [${K}, outputs] (x's last axis ${K}), received [${kernel.shape}]`);
  const I = kernel.shape[1];
  if (bias.rank !== 1 || bias.shape[0] !== I) throw new Error(`denseGelu: bias must be [${I}] (kernel's outputs), received [${bias.shape}]`);
  if (inferenceKernelAvailable(DenseGelu)) {
    return engine().runKernel(DenseGelu, { x, kernel, bias }) as Tensor;
  }
  return gelu(fused.matMul({ a: x, b: kernel, bias }));
}
