/** Multiply: a * b with broadcasting; float32 on the addon, other dtypes on cpu. */
import { Multiply } from '@tensorflow/tfjs-core';
import { BinaryOp } from '../addon.js';
import { binaryKernel } from './elementwise.js';

export const multiplyConfig = binaryKernel(Multiply, BinaryOp.Mul);
