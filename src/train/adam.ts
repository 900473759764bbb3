/**
 * Adam (Kingma & Ba 2015, arXiv:1412.6980; defaults beta1 0.9, beta2 0.999) whose saved state
 * restores bit for bit. tfjs-core's AdamOptimizer keeps the bias-correction powers beta^(t+1) as
 * variables that each step multiplies by beta (float32 rounding at every step), but its setWeights
 * recomputes them as pow(beta, t + 1) in one go: a value that differs in the last bits, so a run
 * resumed from a checkpoint took slightly different steps from the first step on and drifted away
 * from the uninterrupted run (relative weight difference ~1e-3 after three epochs).
 *
 * This subclass saves the two powers with the moments (`adam/accBeta1`, `adam/accBeta2`, after
 * tfjs's own weights) and restores them as saved. A checkpoint without them (written before) gets
 * the powers recomputed as training makes them: t float32 multiplications, the same rounding.
 */
import { AdamOptimizer, engine, mul, type Tensor, type Variable, reshape, scalar, tidy } from '@tensorflow/tfjs-core';

type NamedTensor = { name: string; tensor: Tensor };

const BETA1 = 'adam/accBeta1';
const BETA2 = 'adam/accBeta2';

/** beta^(t+1) as the optimizer's steps make it: float32 beta, then t float32 multiplications. */
function poweredAsTrained(beta: number, iterations: number): number {
  const b = Math.fround(beta);
  let acc = b;
  for (let t = 0; t < iterations; t++) acc = Math.fround(acc * b);
  return acc;
}

export class ResumableAdam extends AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon);
  }

  private get powers(): { accBeta1: Variable; accBeta2: Variable } {
    return this as unknown as { accBeta1: Variable; accBeta2: Variable };
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const { accBeta1, accBeta2 } = this.powers;
    return [...(await super.getWeights()), { name: BETA1, tensor: accBeta1 }, { name: BETA2, tensor: accBeta2 }];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const saved1 = weightValues.find((w) => w.name === BETA1), saved2 = weightValues.find((w) => w.name === BETA2);
    await super.setWeights(weightValues.filter((w) => w !== saved1 && w !== saved2));
    const { accBeta1, accBeta2 } = this.powers;
    const t = this.iterations;
    tidy(() => {
      accBeta1.assign(saved1 ? reshape(saved1.tensor, []) : scalar(poweredAsTrained(this.beta1, t)));
      accBeta2.assign(saved2 ? reshape(saved2.tensor, []) : scalar(poweredAsTrained(this.beta2, t)));
    });
  }
}

/**
 * AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", arXiv:1711.05101):
 * Adam with the weight decay taken out of the gradient and applied to the weights directly, before
 * each step, as PyTorch's `torch.optim.AdamW` does: `w <- w (1 - lr * weightDecay)`, then Adam's
 * update. Only the weights of rank >= 2 decay (kernels and embedding tables); biases and
 * LayerNorm / BatchNorm scales do not, as in BERT's and Sentence-BERT's recipes (their `no_decay`
 * list). The saved state is Adam's (the decay keeps none), so it resumes bit for bit as Adam does.
 */
export class ResumableAdamW extends ResumableAdam {
  readonly weightDecay: number;

  constructor(learningRate: number, weightDecay = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon);
    if (!(weightDecay >= 0) || !Number.isFinite(weightDecay)) throw new Error(`ResumableAdamW: weightDecay must be a finite number >= 0, received ${weightDecay}`);
    this.weightDecay = weightDecay;
  }

  override applyGradients(variableGradients: Parameters<AdamOptimizer['applyGradients']>[0]): void {
    const names = Array.isArray(variableGradients) ? variableGradients.map((g) => g.name) : Object.keys(variableGradients);
    const keep = 1 - this.learningRate * this.weightDecay;
    if (this.weightDecay > 0) {
      tidy(() => {
        for (const name of names) {
          const v = engine().registeredVariables[name];
          if (v && v.rank >= 2 && v.trainable) v.assign(mul(v, scalar(keep)));
        }
      });
    }
    super.applyGradients(variableGradients);
  }
}
