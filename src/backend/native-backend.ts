/**
 * The `native` tfjs backend: the cpu backend (every kernel inherited) with the hot kernels replaced
 * by the C++ addon's (see register.ts). Both classes silence the cpu backend's "install tfjs-node"
 * hint: tfjs-node cannot be installed here, and our own warning says what to do when the addon is
 * missing.
 */
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/** tfjs's cpu backend without its first-use console hint. */
export class QuietCpuBackend extends MathBackendCPU {
  constructor() {
    super();
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }
}

/** The backend class registered as `native`; its kernels are the registry's, not methods. */
export class NativeBackend extends QuietCpuBackend {}
