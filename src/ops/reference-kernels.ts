/**
 * What every custom op's reference kernels share: their registration for the cpu backend (and the
 * op's gradients), once, at the op's first call (not at import: the library's main entry has no
 * side effects; the native backend registers its own kernels when it is registered), and reading a
 * cpu-stored tensor's values as float32.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { type GradConfig, type KernelConfig, type TensorInfo, engine, getGradient, getKernel, registerGradient, registerKernel } from '@tensorflow/tfjs-core';

/**
 * A function that registers `kernels()` (those not registered yet) and `gradients()` (those of a
 * kernel without one) the first time it is called. Thunks: the configs may be declared later in
 * the op's module than this call.
 */
export function referenceRegistrar(kernels: () => readonly KernelConfig[], gradients: () => readonly GradConfig[] = () => []): () => void {
  let registered = false;
  return () => {
    if (registered) return;
    for (const config of kernels()) if (!getKernel(config.kernelName, config.backendName)) registerKernel(config);
    for (const grad of gradients()) if (!getGradient(grad.kernelName)) registerGradient(grad);
    registered = true;
  };
}

/**
 * Whether an inference-only fused kernel (one without a gradient: fused attention, dense + GELU,
 * add + LayerNorm) may run now: no gradient is being recorded (tfjs's engine at gradientDepth 0)
 * and the active backend has the kernel (`native`). Otherwise the op takes its differentiable
 * composition.
 */
export function inferenceKernelAvailable(kernelName: string): boolean {
  const e = engine();
  return e.state.gradientDepth === 0 && getKernel(kernelName, e.backendName) !== undefined;
}

/** The values of a tensor stored by the cpu backend (or one that stores like it), as float32 (copied only when they are not). */
export function cpuValues(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>);
}
