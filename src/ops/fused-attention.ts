/**
 * Scaled dot-product attention over heads side by side (Vaswani et al. 2017, arXiv:1706.03762):
 *
 *   attentionContext(q [B, Lq, H], k [B, Lk, H], v [B, Lk, H], bias, heads, scale) -> [B, Lq, H]
 *   C_bh = softmax(Q_bh K_bh^T * scale + bias[b]) V_bh     (X_bh: columns h * D .. (h + 1) * D of x[b])
 *
 * the composition headContext(maskedSoftmax(headScores(q, k), bias, scale), v) of
 * ./attention-heads.ts and ./masked-softmax.ts, which is what runs whenever a gradient may be
 * taken (it keeps the probabilities the backward needs). With no gradient being recorded (inference:
 * tfjs's engine at gradientDepth 0, the same test tfjs's fused ops make) and a backend that has
 * the fused kernel (`native`: native/src/attention_fused.cc), the three steps run in one kernel per
 * (batch element, head) whose scores never leave the cache. The cpu backend has a float64 loop of
 * the same (below), the reference the tests compare against.
 */
import {
  engine, tidy, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorMap, type Tensor, type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { cpuValues, inferenceKernelAvailable, referenceRegistrar } from './reference-kernels.js';
import { headContext, headScores } from './attention-heads.js';
import { maskedSoftmax } from './masked-softmax.js';

export const FusedAttention = 'ContrastiveFusedAttention';

export interface FusedAttentionAttrs extends NamedAttrMap {
  numHeads: number;
  scale: number;
}

/**
 * softmax(Q_h K_h^T * scale + bias) V_h per head h, heads merged: [B, Lq, H]. `bias` [B, Lk] or
 * [B, 1, ..., Lk] (BERT's extended attention mask [B, 1, 1, Lk]) is added to every query's scores
 * of batch element b; none when absent. Differentiable (through the composed ops).
 */
export function attentionContext(q: Tensor, k: Tensor, v: Tensor, bias: Tensor | undefined, numHeads: number, scale: number): Tensor {
  for (const [name, t] of [['q', q], ['k', k], ['v', v]] as const) {
    if (t.rank !== 3 || t.dtype !== 'float32') throw new Error(`attentionContext: ${name} must be float32 [batch, seqLen, hidden], received ${t.dtype} [${t.shape}]`);
  }
  const [B, Lq, H] = q.shape, Lk = k.shape[1];
  if (k.shape[0] !== B || k.shape[2] !== H) throw new Error(`attentionContext: k must be [${B}, seqLen, ${H}] (q's batch and hidden), received [${k.shape}]`);
  if (v.shape[0] !== B || v.shape[1] !== Lk || v.shape[2] !== H) throw new Error(`attentionContext: v must be [${B}, ${Lk}, ${H}] (k's shape), received [${v.shape}]`);
  if (!Number.isInteger(numHeads) || numHeads < 1 || H % numHeads !== 0) {
    throw new Error(`attentionContext: numHeads must be an integer >= 1 dividing hidden ${H}, received ${numHeads}`);
  }
  if (!Number.isFinite(scale)) throw new Error(`attentionContext: scale must be a finite number, received ${scale}`);
  if (bias && (bias.dtype !== 'float32' || bias.rank < 2 || bias.shape[0] !== B || bias.shape[bias.rank - 1] !== Lk || bias.size !== B * Lk)) {
    throw new Error(`attentionContext: bias must be float32 [${B}, ${Lk}] or [${B}, 1, ..., ${Lk}], received ${bias.dtype} [${bias.shape}]`);
  }
  ensureReferenceKernels();
  if (inferenceKernelAvailable(FusedAttention)) {
    const inputs: NamedTensorMap = bias ? { q, k, v, bias } : { q, k, v };
    return engine().runKernel(FusedAttention, inputs, { numHeads, scale }) as Tensor;
  }
  return tidy(() => headContext(maskedSoftmax(headScores(q, k, numHeads), bias, scale), v));
}

const ensureReferenceKernels = referenceRegistrar(() => fusedAttentionReferenceKernels('cpu'));

// ---- reference kernel (float64) ----

interface Args { inputs: Record<string, TensorInfo>; backend: MathBackendCPU; attrs: FusedAttentionAttrs }

function referenceForward({ inputs, backend, attrs }: Args): TensorInfo {
  const q = cpuValues(backend, inputs.q), k = cpuValues(backend, inputs.k), v = cpuValues(backend, inputs.v);
  const bias = inputs.bias ? cpuValues(backend, inputs.bias) : null;
  const [B, Lq, H] = inputs.q.shape, Lk = inputs.k.shape[1], G = attrs.numHeads, D = H / G;
  const out = new Float32Array(B * Lq * H);
  const z = new Float64Array(Lk);
  for (let b = 0; b < B; b++) {
    for (let g = 0; g < G; g++) {
      for (let i = 0; i < Lq; i++) {
        const qi = (b * Lq + i) * H + g * D;
        let m = -Infinity, nan = false;
        for (let j = 0; j < Lk; j++) {
          const kj = (b * Lk + j) * H + g * D;
          let s = 0;
          for (let d = 0; d < D; d++) s += q[qi + d] * k[kj + d];
          z[j] = Math.fround(Math.fround(s) * attrs.scale + (bias ? bias[b * Lk + j] : 0)); // the float32 logits
          if (Number.isNaN(z[j])) nan = true;
          else if (z[j] > m) m = z[j];
        }
        const o = (b * Lq + i) * H + g * D;
        if (nan || !Number.isFinite(m)) {
          if (Lk > 0) out.fill(NaN, o, o + D);
          continue;
        }
        let total = 0;
        for (let j = 0; j < Lk; j++) total += (z[j] = Math.exp(z[j] - m));
        for (let d = 0; d < D; d++) {
          let c = 0;
          for (let j = 0; j < Lk; j++) c += z[j] * v[(b * Lk + j) * H + g * D + d];
          out[o + d] = c / total;
        }
      }
    }
  }
  return backend.makeTensorInfo([B, Lq, H], 'float32', out);
}

/** The reference kernel, registered for the cpu backend by src/backend/register.ts. */
export function fusedAttentionReferenceKernels(backendName: string): KernelConfig[] {
  return [{ kernelName: FusedAttention, backendName, kernelFunc: referenceForward as unknown as KernelFunc }];
}
