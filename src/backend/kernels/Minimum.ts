/** Minimum: min(a, b), NaN if either is NaN with broadcasting; float32 on the addon, other dtypes on cpu. */
import { Minimum } from '@tensorflow/tfjs-core';
import { BinaryOp } from '../addon.js';
import { binaryKernel } from './elementwise.js';

export const minimumConfig = binaryKernel(Minimum, BinaryOp.Minimum);
