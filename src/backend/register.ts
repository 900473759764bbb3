/**
 * Side effect: registers the `native` backend (priority 3, above cpu's 1, so it is tfjs's default)
 * with the cpu backend's kernels copied over and the hot ones replaced. Without the addon, nothing
 * is registered but the cpu backend, with one warning (src/backend/addon.ts).
 */
import { copyRegisteredKernels, findBackendFactory, getGradient, getKernel, registerBackend, registerGradient, registerKernel, removeBackend, unregisterKernel } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu'; // registers the cpu backend and its kernels first
// tfjs-core's Node bundle registers no gradients; tfjs-layers' Node bundle carries and registers
// all of them (its dist/index.js imports tfjs-core/dist/register_all_gradients).
import '@tensorflow/tfjs-layers';
import { addon, warnAddonMissing } from './addon.js';
import { NativeBackend, QuietCpuBackend } from './native-backend.js';
import { nativeKernelConfigs } from './kernels/index.js';
import { batchNormTrainGradConfig, batchNormTrainReferenceKernels } from '../ops/batch-norm-train.js';
import { layerNormGradConfig, layerNormReferenceKernels } from '../ops/layer-norm.js';
import { geluGradConfig, geluReferenceKernels } from '../ops/gelu.js';
import { maskedSoftmaxGradConfig, maskedSoftmaxReferenceKernels } from '../ops/masked-softmax.js';
import { attentionHeadsGradConfigs, attentionHeadsReferenceKernels } from '../ops/attention-heads.js';
import { fusedAttentionReferenceKernels } from '../ops/fused-attention.js';
import { adamUpdateReferenceKernels } from '../ops/adam-update.js';

export const NATIVE_BACKEND = 'native';
export const NATIVE_PRIORITY = 3;

/** Our own ops' kernels (plain-loop references) for cpu, and their gradients. */
function registerCustomOps(): void {
  const ops = [
    [batchNormTrainReferenceKernels('cpu'), batchNormTrainGradConfig],
    [layerNormReferenceKernels('cpu'), layerNormGradConfig],
    [geluReferenceKernels('cpu'), geluGradConfig],
    [maskedSoftmaxReferenceKernels('cpu'), maskedSoftmaxGradConfig],
    [attentionHeadsReferenceKernels('cpu'), ...attentionHeadsGradConfigs],
    [fusedAttentionReferenceKernels('cpu')],
    [adamUpdateReferenceKernels('cpu')],
  ] as const;
  for (const [kernels, ...grads] of ops) {
    for (const config of kernels) {
      if (!getKernel(config.kernelName, 'cpu')) registerKernel(config);
    }
    for (const grad of grads) {
      if (!getGradient(grad.kernelName)) registerGradient(grad);
    }
  }
}

function registerNative(): boolean {
  if (findBackendFactory(NATIVE_BACKEND)) return true; // already registered (module loaded twice)
  registerCustomOps();
  // Keep cpu (the reference and the fallback) but without its "install tfjs-node" hint.
  removeBackend('cpu');
  registerBackend('cpu', () => new QuietCpuBackend(), 1);
  if (!addon) {
    warnAddonMissing();
    return false;
  }
  registerBackend(NATIVE_BACKEND, () => new NativeBackend(), NATIVE_PRIORITY);
  copyRegisteredKernels('cpu', NATIVE_BACKEND);
  for (const config of nativeKernelConfigs) {
    // (native-only kernels, e.g. ContrastiveDenseGelu, have no cpu kernel copied over to replace)
    if (getKernel(config.kernelName, NATIVE_BACKEND)) unregisterKernel(config.kernelName, NATIVE_BACKEND);
    registerKernel({ ...config, backendName: NATIVE_BACKEND });
  }
  return true;
}

/** True when the `native` backend was registered (the addon loaded). */
export const nativeRegistered: boolean = registerNative();
