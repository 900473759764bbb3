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
import {
  AdamOptimizer, add, div, engine, getBackend, getKernel, mul, type Tensor, type Variable, reshape, scalar, sqrt, square, tidy, zerosLike,
} from '@tensorflow/tfjs-core';
import { AdamUpdate, adamCoefficients, adamUpdate, type AdamCoefficients } from '../ops/adam-update.js';

type NamedTensor = { name: string; tensor: Tensor };
type Gradients = Parameters<AdamOptimizer['applyGradients']>[0];
/** tfjs's AdamOptimizer's private state, as it saves and restores it. */
type AdamState = {
  accBeta1: Variable; accBeta2: Variable;
  accumulatedFirstMoment: { originalName: string; variable: Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: Variable }[];
};

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
  /**
   * On the `native` backend, each variable's step is one fused kernel (src/ops/adam-update.ts),
   * equal bit for bit to tfjs's ~12 elementwise kernels; false runs tfjs's kernels (to compare).
   * Other backends always run tfjs's.
   */
  fused = true;

  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon);
  }

  /** AdamW's decoupled weight decay (0: plain Adam). */
  protected decoupledDecay(): number {
    return 0;
  }

  override applyGradients(variableGradients: Gradients): void {
    const weightDecay = this.decoupledDecay();
    if (this.fused && getBackend() === 'native' && getKernel(AdamUpdate, 'native')) {
      this.applyFused(variableGradients, weightDecay);
      return;
    }
    if (weightDecay > 0) {
      const names = Array.isArray(variableGradients) ? variableGradients.map((g) => g.name) : Object.keys(variableGradients);
      const keep = 1 - this.learningRate * weightDecay;
      tidy(() => {
        for (const name of names) {
          const v = engine().registeredVariables[name];
          if (v && decays(v)) v.assign(mul(v, scalar(keep)));
        }
      });
    }
    super.applyGradients(variableGradients);
  }

  /**
   * tfjs's AdamOptimizer.applyGradients (the same moments, in the same slots, under the same names;
   * the same powers), each variable's decay and step done by one adamUpdate kernel.
   */
  private applyFused(variableGradients: Gradients, weightDecay: number): void {
    const names = Array.isArray(variableGradients) ? variableGradients.map((g) => g.name) : Object.keys(variableGradients);
    const state = this as unknown as AdamState;
    const { accBeta1, accBeta2, accumulatedFirstMoment: first, accumulatedSecondMoment: second } = state;
    const base = {
      learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon,
      accBeta1: accBeta1.dataSync()[0], accBeta2: accBeta2.dataSync()[0],
    };
    const plain = adamCoefficients(base), decayed = adamCoefficients({ ...base, weightDecay });
    tidy(() => {
      names.forEach((name, i) => {
        const value = engine().registeredVariables[name];
        if (first[i] == null) first[i] = { originalName: `${name}/m`, variable: tidy(() => zerosLike(value).variable(false)) };
        if (second[i] == null) second[i] = { originalName: `${name}/v`, variable: tidy(() => zerosLike(value).variable(false)) };
        const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        const coefficients = weightDecay > 0 && decays(value) ? decayed : plain;
        if (gradient == null) {
          // No step, but the decay (applied to every listed weight, as the unfused path does).
          if (coefficients.keep !== 1) value.assign(mul(value, scalar(coefficients.keep)));
          return;
        }
        const m = first[i].variable, v = second[i].variable;
        const [p1, m1, v1] = fits(value, gradient) ? adamUpdate(value, gradient, m, v, coefficients, true) : stepWithOps(value, gradient, m, v, coefficients);
        m.assign(m1);
        v.assign(v1);
        value.assign(p1);
      });
      accBeta1.assign(mul(accBeta1, this.beta1));
      accBeta2.assign(mul(accBeta2, this.beta2));
    });
    this.incrementIterations();
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

  protected override decoupledDecay(): number {
    return this.weightDecay;
  }
}

/** AdamW's decay applies to trainable weights of rank >= 2 only (kernels, embedding tables). */
function decays(v: Variable): boolean {
  return v.rank >= 2 && v.trainable;
}

/** The kernel's case: float32 weights and a gradient of their shape. */
function fits(value: Variable, gradient: Tensor): boolean {
  return value.dtype === 'float32' && gradient.dtype === 'float32' && value.shape.join(',') === gradient.shape.join(',');
}

/** The step with tfjs's ops, as AdamOptimizer does it (for what the kernel does not take). */
function stepWithOps(value: Variable, gradient: Tensor, m: Tensor, v: Tensor, c: AdamCoefficients): [Tensor, Tensor, Tensor] {
  const p0 = c.keep !== 1 ? mul(value, scalar(c.keep)) : value;
  const m1 = add(mul(m, c.beta1), mul(gradient, c.oneMinusBeta1));
  const v1 = add(mul(v, c.beta2), mul(square(gradient), c.oneMinusBeta2));
  const p1 = add(mul(div(div(m1, c.c1), add(sqrt(div(v1, c.c2)), c.epsilon)), c.negLearningRate), p0);
  return [p1, m1, v1];
}
