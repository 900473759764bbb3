/**
 * contrastive: self-supervised contrastive representation learning for TypeScript.
 *
 * Importing the package registers the `native` tfjs backend (C++ addon) as the default backend.
 */
export { nativeBackendInfo, setNativeThreads, NATIVE_BACKEND, NativeBackend } from './backend/index.js';
export { ntXentLoss, type NtXentOptions } from './losses/ntxent.js';
export { batchNormTrain, type BatchNormTrainResult } from './ops/batch-norm-train.js';
export { BatchNorm, batchNormLayer, type BatchNormOptions } from './models/layers/batch-norm.js';
