/**
 * GELU, the exact (erf) form of Hendrycks & Gimpel 2016 (arXiv:1606.08415), BERT's and HF's
 * `hidden_act: 'gelu'`: gelu(x) = x * Phi(x) = 0.5 * x * (1 + erf(x / sqrt(2))). Not the tanh
 * approximation ('gelu_new' / 'gelu_pytorch_tanh'). tfjs' Erf kernel is the Abramowitz-Stegun
 * 7.1.26 polynomial (absolute error <= 1.5e-7), below float32 noise for this use.
 */
import { add, erf, mul, scalar, tidy, type Tensor } from '@tensorflow/tfjs-core';

/** Exact GELU of every element of x (any shape, float32). The gradient is tfjs' (through Erf). */
export function gelu<T extends Tensor>(x: T): T {
  return tidy(() => mul(mul(x, scalar(0.5)), add(scalar(1), erf(mul(x, scalar(Math.SQRT1_2))))) as T);
}
