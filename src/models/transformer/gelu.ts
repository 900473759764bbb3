/**
 * GELU, the exact (erf) form of Hendrycks & Gimpel 2016 (arXiv:1606.08415), BERT's and HF's
 * `hidden_act: 'gelu'`: gelu(x) = x * Phi(x) = 0.5 * x * (1 + erf(x / sqrt(2))). Not the tanh
 * approximation ('gelu_new' / 'gelu_pytorch_tanh'). One fused op forward and one backward
 * (src/ops/gelu.ts; native/src/gelu.cc on the `native` backend, float32 erf within 5e-7).
 */
export { gelu } from '../../ops/gelu.js';
