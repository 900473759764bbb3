/**
 * Multi-head scaled dot-product self-attention (Vaswani et al. 2017, arXiv:1706.03762), as BERT's
 * `BertSelfAttention` + the output dense of `BertSelfOutput` (the residual, dropout and LayerNorm
 * around it are the encoder layer's): per head h, softmax(Q_h K_h^T / sqrt(D) + mask) V_h, the
 * heads concatenated and projected.
 *
 * Few, large ops: per projection one [B*L, H] x [H, H] GEMM (bias fused), then two batched
 * products over the B*heads (L x D) blocks read in place from the [B, L, heads * D] layout
 * (src/ops/attention-heads.ts: no transpose to [B*heads, L, D] and back); the 1/sqrt(D) scale and
 * the mask are applied inside one fused softmax kernel (src/ops/masked-softmax.ts), forward and
 * backward, instead of a Mul, an Add and tfjs' Softmax with its composed gradient; in inference (no
 * gradient recorded) the three run as one kernel per head (src/ops/fused-attention.ts). Measured: one fused
 * [H, 3H] QKV GEMM (weights concatenated each call) made a MiniLM-L6 training step 1.6x slower
 * here, because tfjs' cpu Concat along axis 1 and its gradient (SplitV) copy element by element.
 *
 * The mask is BERT's "extended attention mask": attention_mask [B, L] (1 = token, 0 = padding)
 * becomes (1 - mask) * MASK_VALUE [B, 1, 1, L], added to every head's scores, so a padded key gets
 * weight exp(MASK_VALUE - max) = 0. MASK_VALUE is the float32 minimum, as HF transformers uses
 * (`torch.finfo(dtype).min`; the original BERT used -10000): a query whose keys are all padded
 * attends uniformly, as there.
 */
import { cast, fused, mul, reshape, scalar, sub, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { headContext, headScores } from '../../ops/attention-heads.js';
import { attentionContext } from '../../ops/fused-attention.js';
import { maskedSoftmax } from '../../ops/masked-softmax.js';

/** Added to the scores of padded keys: the smallest float32 (HF's `torch.finfo(float32).min`). */
export const MASK_VALUE = -3.4028234663852886e38;

/** A dense projection y = x W + b: kernel [in, out] (tfjs' layout; PyTorch's Linear stores W^T), bias [out]. */
export interface DenseWeights {
  kernel: Tensor;
  bias: Tensor;
}

/** The weights of one attention block, named as BERT's (query/key/value of attention.self, attention.output.dense). */
export interface AttentionWeights {
  query: DenseWeights;
  key: DenseWeights;
  value: DenseWeights;
  output: DenseWeights;
}

/** BERT's extended attention mask: attention_mask [B, L] (int32 or float, 1 = keep) -> additive [B, 1, 1, L]. */
export function extendedAttentionMask(mask: Tensor): Tensor {
  if (mask.rank !== 2) throw new Error(`extendedAttentionMask: attention_mask must be [batch, seqLen], received [${mask.shape}]`);
  return tidy(() => {
    const [B, L] = mask.shape;
    return reshape(mul(sub(scalar(1), cast(mask, 'float32')), scalar(MASK_VALUE)), [B, 1, 1, L]);
  });
}

/**
 * Self-attention of x [B, L, H] with `numHeads` heads of D = H / numHeads: [B, L, H] (after the
 * output dense, before dropout and residual). `additiveMask` [B, 1, 1, L] comes from
 * `extendedAttentionMask`; `dropProbs`, when given, is applied to the attention probabilities
 * [B, heads, L, L] (BERT's attention_probs_dropout).
 */
export function multiHeadSelfAttention(x: Tensor, additiveMask: Tensor, w: AttentionWeights, numHeads: number, dropProbs?: (probs: Tensor) => Tensor): Tensor {
  if (x.rank !== 3) throw new Error(`multiHeadSelfAttention: x must be [batch, seqLen, hidden], received [${x.shape}]`);
  const [B, L, H] = x.shape;
  if (!Number.isInteger(numHeads) || numHeads < 1 || H % numHeads !== 0) {
    throw new Error(`multiHeadSelfAttention: numHeads must be an integer >= 1 dividing hidden ${H}, received ${numHeads}`);
  }
  if (additiveMask.rank !== 4 || additiveMask.shape[0] !== B || additiveMask.shape[3] !== L) {
    throw new Error(`multiHeadSelfAttention: additiveMask must be [${B}, 1, 1, ${L}], received [${additiveMask.shape}]`);
  }
  const D = H / numHeads;
  return tidy(() => {
    const x2 = reshape(x, [B * L, H]);
    const project = (d: DenseWeights) => reshape(fused.matMul({ a: x2, b: d.kernel, bias: d.bias }), [B, L, H]); // heads side by side
    const q = project(w.query), k = project(w.key), v = project(w.value); // each [B, L, heads * D]
    let context: Tensor; // [B, L, H], heads merged
    if (dropProbs) {
      const scores = headScores(q, k, numHeads); // [B, heads, L, L], unscaled
      const probs = maskedSoftmax(scores, additiveMask, 1 / Math.sqrt(D)); // softmax(scores / sqrt(D) + mask): [B, heads, L, L]
      context = headContext(dropProbs(probs), v);
    } else {
      context = attentionContext(q, k, v, additiveMask, numHeads, 1 / Math.sqrt(D)); // the same, one kernel in inference
    }
    const merged = reshape(context, [B * L, H]); // [B*L, H]
    return reshape(fused.matMul({ a: merged, b: w.output.kernel, bias: w.output.bias }), [B, L, H]);
  });
}
