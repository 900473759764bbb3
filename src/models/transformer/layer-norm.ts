/**
 * Layer normalisation over the last axis (Ba, Kiros & Hinton 2016, arXiv:1607.06450), as BERT's
 * `nn.LayerNorm(hidden, eps=layer_norm_eps)`: y = (x - mean) / sqrt(var + eps) * gamma + beta with
 * the biased variance of the last axis. One fused op forward and one backward (src/ops/layer-norm.ts,
 * native/src/layer_norm.cc on the `native` backend) with the closed-form gradient
 * dx = (g - mean(g) - xhat * mean(g * xhat)) / sigma, g = dy * gamma.
 *
 * `layerNorm` is the function the transformer layers call with their own weights; `LayerNorm` is
 * the same as a tfjs-layers layer (the final norm of a pre-LN encoder).
 */
import { tidy, type Tensor } from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { layerNorm as layerNormOp } from '../../ops/layer-norm.js';

/** BERT's `layer_norm_eps`. */
export const BERT_LAYER_NORM_EPS = 1e-12;

/**
 * LayerNorm of x [..., H] with gamma, beta [H] over the last axis: [..., H]. Gradients flow to x,
 * gamma and beta.
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = BERT_LAYER_NORM_EPS): Tensor {
  return layerNormOp(x, gamma, beta, eps);
}

export interface LayerNormOptions {
  /** Added to the variance. Default 1e-12 (BERT). */
  epsilon?: number;
  /** Layer name. */
  name?: string;
  /** Whether gamma and beta train. Default true. */
  trainable?: boolean;
}

/** LayerNorm over the last axis as a tfjs-layers layer: weights `gamma` (ones) and `beta` (zeros). */
export class LayerNorm extends layers.Layer {
  static className = 'ContrastiveLayerNorm';
  readonly epsilon: number;
  private gamma!: LayerVariable;
  private beta!: LayerVariable;

  constructor(options: LayerNormOptions = {}) {
    super({ name: options.name, trainable: options.trainable });
    const { epsilon = BERT_LAYER_NORM_EPS } = options;
    if (!(typeof epsilon === 'number' && epsilon > 0 && Number.isFinite(epsilon))) {
      throw new Error(`LayerNorm: epsilon must be a finite number > 0, received ${String(epsilon)}`);
    }
    this.epsilon = epsilon;
  }

  override build(inputShape: (number | null)[] | (number | null)[][]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const H = shape[shape.length - 1];
    if (H == null) throw new Error(`LayerNorm: the last axis must be known, received shape [${shape}]`);
    this.gamma = this.addWeight('gamma', [H], 'float32', initializers.ones());
    this.beta = this.addWeight('beta', [H], 'float32', initializers.zeros());
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tidy(() => layerNorm(x, this.gamma.read(), this.beta.read(), this.epsilon));
  }

  override getConfig() {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}
