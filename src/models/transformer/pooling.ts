/**
 * Token vectors [B, L, H] -> one vector per sequence [B, H], over the tokens the attention mask
 * keeps (sentence-transformers' `models/Pooling.py`):
 *
 * - `mean`: sum(h * mask) / max(sum(mask), 1e-9), the mean of the real tokens (all-MiniLM,
 *   SimCSE-unsup evaluation, most sentence-transformers models);
 * - `cls`: the first token's vector (BERT's [CLS]; BERT's pooler, dense + tanh on it, is a separate
 *   dense layer in transformerEncoder);
 * - `max`: the element-wise max over the real tokens (padded tokens set to -1e9 first; a row
 *   without any real token gives -1e9).
 */
import { add, cast, div, expandDims, max, maximum, mul, reshape, scalar, slice, sub, sum, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';

export const POOLING_MODES = ['mean', 'cls', 'max'] as const;
export type PoolingMode = (typeof POOLING_MODES)[number];

/** The pooled vectors [B, H] of h [B, L, H] under attention_mask [B, L] (1 = token, 0 = padding). */
export function maskedPool(h: Tensor, mask: Tensor, mode: PoolingMode): Tensor {
  if (h.rank !== 3) throw new Error(`maskedPool: hidden states must be [batch, seqLen, hidden], received [${h.shape}]`);
  const [B, L, H] = h.shape;
  if (mask.rank !== 2 || mask.shape[0] !== B || mask.shape[1] !== L) throw new Error(`maskedPool: attention_mask must be [${B}, ${L}], received [${mask.shape}]`);
  return tidy(() => {
    if (mode === 'cls') return reshape(slice(h, [0, 0, 0], [B, 1, H]), [B, H]);
    const m = expandDims(cast(mask, 'float32'), 2); // [B, L, 1]
    if (mode === 'mean') return div(sum(mul(h, m), 1), maximum(sum(m, 1), scalar(1e-9))); // [B, H] / [B, 1]
    if (mode === 'max') return max(add(mul(h, m), mul(sub(scalar(1), m), scalar(-1e9))), 1); // padded -> -1e9
    throw new Error(`maskedPool: mode must be one of ${POOLING_MODES.join(', ')}, received ${JSON.stringify(mode)}`);
  });
}

export interface MaskedPoolingOptions {
  /** 'mean' | 'cls' | 'max'. Default 'mean'. */
  mode?: PoolingMode;
  /** Layer name. */
  name?: string;
}

/** maskedPool as a tfjs-layers layer: inputs [hidden [B, L, H], attention_mask [B, L]] -> [B, H]. No weights. */
export class MaskedPooling extends layers.Layer {
  static className = 'ContrastiveMaskedPooling';
  readonly mode: PoolingMode;

  constructor(options: MaskedPoolingOptions = {}) {
    super({ name: options.name });
    const mode = options.mode ?? 'mean';
    if (!POOLING_MODES.includes(mode)) throw new Error(`MaskedPooling: mode must be one of ${POOLING_MODES.join(', ')}, received ${JSON.stringify(mode)}`);
    this.mode = mode;
  }

  override computeOutputShape(inputShape: (number | null)[] | (number | null)[][]): (number | null)[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    return [shape[0], shape[2]];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) throw new Error('MaskedPooling: inputs must be [hidden [B, L, H], attention_mask [B, L]]');
    return maskedPool(inputs[0], inputs[1], this.mode);
  }

  override getConfig() {
    return { ...super.getConfig(), mode: this.mode };
  }
}
