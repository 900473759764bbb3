/** SquaredDifference: (a - b)^2 with broadcasting; float32 on the addon, other dtypes on cpu. */
import { SquaredDifference } from '@tensorflow/tfjs-core';
import { BinaryOp } from '../addon.js';
import { binaryKernel } from './elementwise.js';

export const squaredDifferenceConfig = binaryKernel(SquaredDifference, BinaryOp.SquaredDifference);
