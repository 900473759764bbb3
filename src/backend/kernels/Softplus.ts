/** Softplus: ln(1 + e^x), with the cpu kernel's thresholds (e^x below -13.94, x above 13.94); float32 on the addon, other dtypes on cpu. */
import { Softplus } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const softplusConfig = unaryKernel(Softplus, UnaryOp.Softplus);
