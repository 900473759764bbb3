/**
 * One Adam step of one variable (Kingma & Ba 2015, arXiv:1412.6980), with AdamW's decoupled weight
 * decay folded in (Loshchilov & Hutter 2019, arXiv:1711.05101), as one kernel: param, grad, m, v
 * are read once and the new param, m, v written once, where tfjs's AdamOptimizer runs ~12
 * elementwise kernels per variable (each a whole-tensor pass and a new tensor).
 *
 *   p0 = p * keep                                     keep = 1 - lr * weightDecay, or 1
 *   m' = m * beta1 + g * (1 - beta1)
 *   v' = v * beta2 + (g * g) * (1 - beta2)
 *   p' = p0 + ((m' / c1) / (sqrt(v' / c2) + eps)) * (-lr)    c1 = 1 - beta1^t, c2 = 1 - beta2^t
 *
 * Each line is float32 operations in the order tfjs's ops do them, with every constant rounded to
 * float32 as tfjs's scalars are (`adamCoefficients`), so the result equals tfjs's AdamOptimizer
 * step (and ResumableAdamW's decay before it) bit for bit. The `native` backend runs it in C++
 * (native/src/adam.cc, split over the thread pool); every other backend runs the plain loop below
 * (Math.fround after each operation), which is also the reference of the tests.
 */
import {
  engine, type KernelConfig, type KernelFunc, type NamedAttrMap, type Tensor, type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { cpuValues, referenceRegistrar } from './reference-kernels.js';

export const AdamUpdate = 'ContrastiveAdamUpdate';

/** The float32 constants of one step, in the order the kernels take them (a Float32Array of 9). */
export interface AdamCoefficients {
  beta1: number; oneMinusBeta1: number; beta2: number; oneMinusBeta2: number;
  /** 1 - beta1^t and 1 - beta2^t (t: this step, 1-based), as float32. */
  c1: number; c2: number;
  epsilon: number; negLearningRate: number;
  /** The decoupled weight decay's factor 1 - lr * weightDecay (1: no decay). */
  keep: number;
}

/**
 * The constants of one step as tfjs computes them: beta1 and beta2 as float32 scalars, 1 - beta in
 * float64 then float32, c = 1 - accBeta (accBeta: the optimizer's float32 power beta^t), -lr and
 * 1 - lr * weightDecay in float64 then float32.
 */
export function adamCoefficients(o: {
  learningRate: number; beta1: number; beta2: number; epsilon: number; accBeta1: number; accBeta2: number; weightDecay?: number;
}): AdamCoefficients {
  const f = Math.fround;
  return {
    beta1: f(o.beta1), oneMinusBeta1: f(1 - o.beta1), beta2: f(o.beta2), oneMinusBeta2: f(1 - o.beta2),
    c1: f(1 - f(o.accBeta1)), c2: f(1 - f(o.accBeta2)),
    epsilon: f(o.epsilon), negLearningRate: f(-o.learningRate),
    keep: o.weightDecay ? f(1 - o.learningRate * o.weightDecay) : 1,
  };
}

/** The coefficients as the kernels' attribute: [beta1, 1 - beta1, beta2, 1 - beta2, c1, c2, eps, -lr, keep]. */
export function packCoefficients(c: AdamCoefficients): number[] {
  return [c.beta1, c.oneMinusBeta1, c.beta2, c.oneMinusBeta2, c.c1, c.c2, c.epsilon, c.negLearningRate, c.keep];
}

export interface AdamUpdateAttrs {
  /** packCoefficients(...) */
  coefs: number[];
  /**
   * The caller assigns the results to param, m and v (variables) right away: a backend may then
   * write them into param's, m's and v's own buffers when nothing else can see those buffers (the
   * `native` backend checks); the results then share their inputs' buffers.
   */
  overwrite: boolean;
}

/**
 * One Adam / AdamW step of a float32 variable: [param', m', v'] (new tensors, the inputs'
 * shape). Not differentiable (an optimizer's update). See `overwrite` above before passing true.
 */
export function adamUpdate(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, coefficients: AdamCoefficients, overwrite = false): [Tensor, Tensor, Tensor] {
  const shape = param.shape.join(',');
  for (const [name, t] of [['param', param], ['grad', grad], ['m', m], ['v', v]] as const) {
    if (t.dtype !== 'float32') throw new Error(`adamUpdate: ${name} must be float32, received ${t.dtype}`);
    if (t.shape.join(',') !== shape) throw new Error(`adamUpdate: ${name} must have param's shape [${shape}], received [${t.shape.join(',')}]`);
  }
  ensureReferenceKernel();
  const attrs: AdamUpdateAttrs = { coefs: packCoefficients(coefficients), overwrite };
  return engine().runKernel(AdamUpdate, { param, grad, m, v }, attrs as unknown as NamedAttrMap) as unknown as [Tensor, Tensor, Tensor];
}

/** Registers the plain-loop kernel for the cpu backend, once, at the first call. */
const ensureReferenceKernel = referenceRegistrar(() => adamUpdateReferenceKernels('cpu'));

// ---- the float32 reference ----

/**
 * The step on plain arrays, every operation rounded to float32 (Math.fround) as tfjs's kernels
 * round each result. Writes po, mo, vo (which may be p, m, v themselves).
 */
export function adamStepLoop(
  p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
  po: Float32Array, mo: Float32Array, vo: Float32Array, coefs: ArrayLike<number>,
): void {
  const f = Math.fround;
  const [b1, omb1, b2, omb2, c1, c2, eps, nlr, keep] = Array.from(coefs, f);
  for (let i = 0; i < p.length; i++) {
    const gi = g[i];
    const p0 = f(p[i] * keep);
    const m1 = f(f(m[i] * b1) + f(gi * omb1));
    const v1 = f(f(v[i] * b2) + f(f(gi * gi) * omb2));
    const mh = f(m1 / c1), vh = f(v1 / c2);
    po[i] = f(p0 + f(f(mh / f(f(Math.sqrt(vh)) + eps)) * nlr));
    mo[i] = m1;
    vo[i] = v1;
  }
}

interface Args { inputs: Record<string, TensorInfo>; backend: MathBackendCPU; attrs: AdamUpdateAttrs }

function referenceKernel({ inputs, backend, attrs }: Args): TensorInfo[] {
  const { param, grad, m, v } = inputs;
  const n = cpuValues(backend, param).length;
  const po = new Float32Array(n), mo = new Float32Array(n), vo = new Float32Array(n);
  adamStepLoop(cpuValues(backend, param), cpuValues(backend, grad), cpuValues(backend, m), cpuValues(backend, v), po, mo, vo, attrs.coefs);
  return [po, mo, vo].map((a) => backend.makeTensorInfo(param.shape, 'float32', a));
}

/** The reference kernel for a backend built on the cpu backend (registered for cpu at first use). */
export function adamUpdateReferenceKernels(backendName: string): KernelConfig[] {
  return [{ kernelName: AdamUpdate, backendName, kernelFunc: referenceKernel as unknown as KernelFunc }];
}
