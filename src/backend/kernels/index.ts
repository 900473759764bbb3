/** Every kernel the `native` backend overrides (one kernel per file, as tfjs's backends do). */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './BatchMatMul.js';
import { fusedMatMulConfig } from './_FusedMatMul.js';
import { batchNormTrainConfig, batchNormTrainGradConfig } from './BatchNormTrain.js';

export const nativeKernelConfigs: KernelConfig[] = [
  batchMatMulConfig,
  fusedMatMulConfig,
  batchNormTrainConfig,
  batchNormTrainGradConfig,
];
