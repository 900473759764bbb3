/**
 * Layer normalisation over the last axis (Ba, Kiros & Hinton 2016, arXiv:1607.06450), as BERT's
 * `nn.LayerNorm(hidden, eps=layer_norm_eps)`: y = (x - mean) / sqrt(var + eps) * gamma + beta with
 * the biased variance of the last axis. Forward in 7 ops and a closed-form backward
 * (dx = (g - mean(g) - xhat * mean(g * xhat)) / sigma, g = dy * gamma) instead of autodiff through
 * `moments`, about half the passes over the activations.
 *
 * `layerNorm` is the function the transformer layers call with their own weights; `LayerNorm` is
 * the same as a tfjs-layers layer (the final norm of a pre-LN encoder).
 */
import { add, customGrad, type GradSaveFunc, mean, mul, reshape, rsqrt, scalar, square, sub, sum, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable } from '@tensorflow/tfjs-layers';

/** BERT's `layer_norm_eps`. */
export const BERT_LAYER_NORM_EPS = 1e-12;

/**
 * LayerNorm of x [..., H] with gamma, beta [H] over the last axis: [..., H]. Gradients flow to x,
 * gamma and beta.
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = BERT_LAYER_NORM_EPS): Tensor {
  const H = x.shape[x.rank - 1];
  if (gamma.rank !== 1 || gamma.shape[0] !== H || beta.rank !== 1 || beta.shape[0] !== H) {
    throw new Error(`layerNorm: gamma and beta must be [${H}] (x's last axis), received [${gamma.shape}] and [${beta.shape}]`);
  }
  const f = customGrad(((xs: Tensor, g: Tensor, b: Tensor, save: GradSaveFunc) => {
    const mu = mean(xs, -1, true); // [..., 1]
    const xc = sub(xs, mu);
    const inv = rsqrt(add(mean(square(xc), -1, true), scalar(eps))); // [..., 1]
    const xhat = mul(xc, inv); // [..., H]
    save([xhat, inv, g]);
    return {
      value: add(mul(xhat, g), b),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xh, iv, gm] = saved;
        const rows = dy.size / H;
        const dy2 = reshape(dy, [rows, H]);
        const dbeta = sum(dy2, 0); // [H]
        const dgamma = sum(mul(dy2, reshape(xh, [rows, H])), 0); // [H]
        const gy = mul(dy, gm); // [..., H]
        const dx = mul(sub(sub(gy, mean(gy, -1, true)), mul(xh, mean(mul(gy, xh), -1, true))), iv);
        return [dx, dgamma, dbeta];
      },
    };
  }) as unknown as Parameters<typeof customGrad>[0]);
  return f(x, gamma, beta);
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
