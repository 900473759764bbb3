/**
 * Batch normalisation layer for tfjs-layers models, on the fused `batchNormTrain` op (two passes
 * forward, two backward) instead of tfjs-layers' BatchNormalization, whose training-mode gradient
 * goes through ~25 full-size passes. Normalises over every axis but the last (NHWC channels).
 *
 * Defaults follow PyTorch's BatchNorm (Ioffe & Szegedy 2015, arXiv:1502.03167): epsilon 1e-5,
 * running statistics updated as `running = (1 - momentum) * running + momentum * batch` with
 * momentum 0.1 and the unbiased batch variance (Keras' momentum 0.99 is our 0.01).
 */
import { tidy, batchNorm, mul, add, scalar, type Tensor } from '@tensorflow/tfjs-core';
import { layers, initializers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { batchNormTrain } from '../../ops/batch-norm-train.js';

export interface BatchNormOptions {
  /** Added to the variance before the square root. Default 1e-5. */
  epsilon?: number;
  /** Weight of the batch statistics in the running averages, in (0, 1]. Default 0.1. */
  momentum?: number;
  /** Learn a per-channel scale (gamma). Default true. */
  scale?: boolean;
  /** Learn a per-channel offset (beta). Default true. */
  center?: boolean;
  /** Layer name. */
  name?: string;
}

type Kwargs = { training?: boolean };

export class BatchNorm extends layers.Layer {
  static className = 'ContrastiveBatchNorm';
  readonly epsilon: number;
  readonly momentum: number;
  readonly scale: boolean;
  readonly center: boolean;
  private gamma: LayerVariable | null = null;
  private beta: LayerVariable | null = null;
  private movingMean!: LayerVariable;
  private movingVariance!: LayerVariable;

  constructor(options: BatchNormOptions = {}) {
    super({ name: options.name });
    const { epsilon = 1e-5, momentum = 0.1, scale = true, center = true } = options;
    if (!(epsilon >= 0) || !Number.isFinite(epsilon)) {
      throw new Error(`BatchNorm: epsilon must be a finite number >= 0, received ${epsilon}`);
    }
    if (!(momentum > 0 && momentum <= 1)) {
      throw new Error(`BatchNorm: momentum must be in (0, 1], received ${momentum}`);
    }
    this.epsilon = epsilon;
    this.momentum = momentum;
    this.scale = scale;
    this.center = center;
    this.supportsMasking = true;
  }

  override build(inputShape: (number | null)[] | (number | null)[][]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const C = shape[shape.length - 1];
    if (C == null) throw new Error(`BatchNorm: the last (channel) axis must be known, received shape [${shape}]`);
    if (this.scale) this.gamma = this.addWeight('gamma', [C], 'float32', initializers.ones());
    if (this.center) this.beta = this.addWeight('beta', [C], 'float32', initializers.zeros());
    this.movingMean = this.addWeight('moving_mean', [C], 'float32', initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [C], 'float32', initializers.ones(), undefined, false);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const gamma = this.gamma?.read(), beta = this.beta?.read();
    if (!kwargs.training) {
      return batchNorm(x, this.movingMean.read(), this.movingVariance.read(), beta, gamma, this.epsilon);
    }
    const { y, mean, variance } = batchNormTrain(x, gamma, beta, this.epsilon);
    const count = x.size / x.shape[x.rank - 1];
    const m = this.momentum;
    tidy(() => {
      const unbiased = count > 1 ? mul(variance, scalar(count / (count - 1))) : variance;
      this.movingMean.write(add(mul(this.movingMean.read(), scalar(1 - m)), mul(mean, scalar(m))));
      this.movingVariance.write(add(mul(this.movingVariance.read(), scalar(1 - m)), mul(unbiased, scalar(m))));
    });
    mean.dispose(); // the tape keeps its own references for the gradient
    variance.dispose();
    return y;
  }

  override getConfig() {
    return { ...super.getConfig(), epsilon: this.epsilon, momentum: this.momentum, scale: this.scale, center: this.center };
  }
}

/** Functional factory, like tfjs-layers' `tf.layers.batchNormalization`. */
export function batchNormLayer(options?: BatchNormOptions): BatchNorm {
  return new BatchNorm(options);
}
