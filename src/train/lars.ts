/**
 * LARS: layer-wise adaptive rate scaling (You, Gitman, Ginsburg 2017, arXiv:1708.03888), the
 * optimizer of SimCLR (Chen et al. 2020, B.1) for large batches. For every weight tensor w with
 * gradient g:
 *
 *   g' = g + weightDecay * w
 *   trust = eta * ||w|| / ||g'||   (1 when either norm is 0)
 *   v = momentum * v + learningRate * trust * g'
 *   w = w - v
 *
 * As in SimCLR's implementation and solo-learn's `exclude_bias_n_norm`, tensors of rank <= 1
 * (biases, batch-norm scales and offsets) get neither the trust ratio nor weight decay: plain
 * momentum SGD. Defaults: momentum 0.9, weightDecay 1e-6, eta 0.001 (SimCLR's values).
 */
import {
  Optimizer, type NamedTensorMap, type Tensor, type Variable, add, dispose, div, engine, greater, mul, norm, onesLike, scalar,
  sub, tidy, where, zerosLike,
} from '@tensorflow/tfjs-core';

type NamedTensor = { name: string; tensor: Tensor };

export interface LarsOptions {
  learningRate: number;
  momentum?: number;
  weightDecay?: number;
  /** Trust coefficient. */
  eta?: number;
}

export class LARS extends Optimizer {
  static get className(): string {
    return 'ContrastiveLARS';
  }

  learningRate: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly eta: number;
  private velocities: { originalName: string; variable: Variable }[] = [];

  constructor(options: LarsOptions) {
    super();
    const { learningRate, momentum = 0.9, weightDecay = 1e-6, eta = 0.001 } = options;
    const check = (name: string, v: number, ok: boolean, want: string) => {
      if (!ok) throw new Error(`LARS: ${name} must be ${want}, received ${v}`);
    };
    check('learningRate', learningRate, learningRate >= 0 && Number.isFinite(learningRate), 'a finite number >= 0');
    check('momentum', momentum, momentum >= 0 && momentum < 1, 'in [0, 1)');
    check('weightDecay', weightDecay, weightDecay >= 0 && Number.isFinite(weightDecay), 'a finite number >= 0');
    check('eta', eta, eta > 0 && Number.isFinite(eta), 'a finite number > 0');
    this.learningRate = learningRate;
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.eta = eta;
  }

  applyGradients(variableGradients: NamedTensorMap | NamedTensor[]): void {
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    names.forEach((name, i) => {
      const value = engine().registeredVariables[name];
      if (!this.velocities[i]) {
        this.velocities[i] = { originalName: `${name}/velocity`, variable: tidy(() => zerosLike(value).variable(false)) };
      }
      const gradient: Tensor | undefined = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
      if (gradient == null) return;
      const v = this.velocities[i].variable;
      tidy(() => {
        let step: Tensor;
        if (value.rank <= 1) {
          step = mul(scalar(this.learningRate), gradient);
        } else {
          const g = add(gradient, mul(scalar(this.weightDecay), value));
          const wn = norm(value), gn = norm(g);
          const ok = tidy(() => mul(greater(wn, 0), greater(gn, 0)));
          const trust = where(ok, div(mul(scalar(this.eta), wn), where(ok, gn, onesLike(gn))), onesLike(wn));
          step = mul(mul(scalar(this.learningRate), trust), g);
        }
        const newV = add(mul(scalar(this.momentum), v), step);
        v.assign(newV);
        value.assign(sub(value, newV));
      });
    });
    this.incrementIterations();
  }

  override dispose(): void {
    dispose(this.velocities.map((v) => v.variable));
    this.velocities = [];
  }

  override async getWeights(): Promise<NamedTensor[]> {
    return [await this.saveIterations(), ...this.velocities.map((v) => ({ name: v.originalName, tensor: v.variable }))];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    dispose(this.velocities.map((v) => v.variable));
    this.velocities = rest.map((w) => ({ originalName: w.name, variable: w.tensor.variable(false) }));
  }

  getConfig() {
    return { learningRate: this.learningRate, momentum: this.momentum, weightDecay: this.weightDecay, eta: this.eta };
  }
}
