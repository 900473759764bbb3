/** Every kernel the `native` backend overrides (one kernel per file, as tfjs's backends do). */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './BatchMatMul.js';
import { fusedMatMulConfig } from './_FusedMatMul.js';
import { batchNormTrainConfig, batchNormTrainGradConfig } from './BatchNormTrain.js';
import { avgPoolConfig } from './AvgPool.js';
import { avgPoolGradConfig } from './AvgPoolGrad.js';
import { fusedBatchNormConfig } from './FusedBatchNorm.js';
import { maxPoolConfig } from './MaxPool.js';
import { maxPoolGradConfig } from './MaxPoolGrad.js';
import { softmaxConfig } from './Softmax.js';
import { transposeConfig } from './Transpose.js';

export const nativeKernelConfigs: KernelConfig[] = [
  batchMatMulConfig,
  fusedMatMulConfig,
  batchNormTrainConfig,
  batchNormTrainGradConfig,
  maxPoolConfig,
  maxPoolGradConfig,
  avgPoolConfig,
  avgPoolGradConfig,
  fusedBatchNormConfig,
  softmaxConfig,
  transposeConfig,
];
