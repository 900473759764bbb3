/**
 * GELU, the exact (erf) form of Hendrycks & Gimpel 2016 (arXiv:1606.08415), BERT's and HF's
 * `hidden_act: 'gelu'`, as one op with a one-pass gradient:
 *
 *   gelu(x)  = x * Phi(x) = 0.5 * x * (1 + erf(x / sqrt(2)))
 *   gelu'(x) = Phi(x) + x * phi(x),  phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
 *
 * tfjs composes it from Mul, Erf, Add (6 kernels forward, ~10 backward through Erf's gradient);
 * this is one pass each. The `native` backend runs it in C++ (native/src/gelu.cc, a float32
 * rational erf); every other backend runs the float64 loops below (erf to ~1e-13), which are also
 * the reference the tests compare against.
 */
import {
  engine, type GradConfig, type KernelConfig, type KernelFunc, type Tensor, type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { cpuValues, referenceRegistrar } from './reference-kernels.js';

export const Gelu = 'ContrastiveGelu';
export const GeluGrad = 'ContrastiveGeluGrad';

/** Exact GELU of every element of x (any shape, float32). Differentiable. */
export function gelu<T extends Tensor>(x: T): T {
  if (x.dtype !== 'float32') throw new Error(`gelu: x must be float32, received ${x.dtype}`);
  ensureReferenceKernels();
  return engine().runKernel(Gelu, { x }) as T;
}

/** Registers the plain-loop kernels for the cpu backend and the gradient, once, at the first call. */
const ensureReferenceKernels = referenceRegistrar(() => geluReferenceKernels('cpu'), () => [geluGradConfig]);

/** Gradient: dx = dy * gelu'(x), one kernel. */
export const geluGradConfig: GradConfig = {
  kernelName: Gelu,
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const [x] = saved;
    return { x: () => engine().runKernel(GeluGrad, { dy: dy as Tensor, x }) as Tensor };
  },
};

// ---- float64 reference ----

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * erf(x) in float64: the Maclaurin series for |x| < 3 (terms up to ~1e3, so ~1e-13 relative), the
 * continued fraction of erfc beyond (60 terms, converged for |x| >= 3).
 */
export function erf64(x: number): number {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  if (a < 3) {
    const x2 = x * x;
    let term = x, sum = x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  if (a === Infinity) return Math.sign(x);
  // erfc(a) = exp(-a^2) / sqrt(pi) / (a + (1/2) / (a + 1 / (a + (3/2) / (a + ...)))).
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + k / 2 / f;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return x > 0 ? 1 - erfc : erfc - 1;
}

const INV_SQRT_2PI = 0.3989422804014327;

interface Args { inputs: Record<string, TensorInfo>; backend: MathBackendCPU }

function referenceForward({ inputs, backend }: Args): TensorInfo {
  const x = cpuValues(backend, inputs.x);
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = 0.5 * x[i] * (1 + erf64(x[i] * Math.SQRT1_2));
  return backend.makeTensorInfo(inputs.x.shape, 'float32', y);
}

function referenceBackward({ inputs, backend }: Args): TensorInfo {
  const dy = cpuValues(backend, inputs.dy), x = cpuValues(backend, inputs.x);
  const dx = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    dx[i] = dy[i] * (0.5 * (1 + erf64(v * Math.SQRT1_2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
  }
  return backend.makeTensorInfo(inputs.x.shape, 'float32', dx);
}

/** The reference kernels, registered for the cpu backend by src/backend/register.ts. */
export function geluReferenceKernels(backendName: string): KernelConfig[] {
  return [
    { kernelName: Gelu, backendName, kernelFunc: referenceForward as unknown as KernelFunc },
    { kernelName: GeluGrad, backendName, kernelFunc: referenceBackward as unknown as KernelFunc },
  ];
}
