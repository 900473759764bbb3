/**
 * The `native` backend's public surface: whether it is active, its thread count and its GEMM
 * micro-kernel. Importing this module registers the backend (see register.ts).
 */
import { addon, addonLoadError } from './addon.js';
import { NATIVE_BACKEND, nativeRegistered } from './register.js';

export { NATIVE_BACKEND, nativeRegistered } from './register.js';
export { NativeBackend } from './native-backend.js';

/** What the native backend is running with. */
export interface NativeBackendInfo {
  /** True when the addon loaded and the `native` backend is registered. */
  available: boolean;
  /** Why it is not available (null when it is). */
  reason: string | null;
  /** Threads of the addon's pool (the caller included). */
  threads: number;
  /** GEMM micro-kernel in use: 'avx512', 'avx2' or 'generic'. */
  gemmKernel: string | null;
}

export function nativeBackendInfo(): NativeBackendInfo {
  return {
    available: nativeRegistered,
    reason: addonLoadError,
    threads: addon ? addon.getThreads() : 1,
    gemmKernel: addon ? addon.kernelName() : null,
  };
}

/**
 * Sets the number of threads of the native backend's pool (default: the machine's cores, or the
 * CONTRASTIVE_THREADS environment variable).
 */
export function setNativeThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 1024) {
    throw new Error(`setNativeThreads: threads must be an integer in [1, 1024], received ${String(n)}`);
  }
  addon?.setThreads(n);
}

export const backendName: string = nativeRegistered ? NATIVE_BACKEND : 'cpu';
