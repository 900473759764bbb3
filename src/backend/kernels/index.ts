/** Every kernel the `native` backend overrides (one kernel per file, as tfjs's backends do). */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './BatchMatMul.js';
import { conv2DConfig } from './Conv2D.js';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter.js';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput.js';
import { depthwiseConv2dNativeConfig } from './DepthwiseConv2dNative.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './DepthwiseConv2dNativeBackpropFilter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './DepthwiseConv2dNativeBackpropInput.js';
import { fusedConv2DConfig } from './FusedConv2D.js';
import { fusedDepthwiseConv2DConfig } from './FusedDepthwiseConv2D.js';
import { fusedMatMulConfig } from './_FusedMatMul.js';

export const nativeKernelConfigs: KernelConfig[] = [
  batchMatMulConfig,
  fusedMatMulConfig,
  conv2DConfig,
  conv2DBackpropInputConfig,
  conv2DBackpropFilterConfig,
  fusedConv2DConfig,
  depthwiseConv2dNativeConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  fusedDepthwiseConv2DConfig,
];
