/** Add: a + b with broadcasting; float32 on the addon, other dtypes on cpu. */
import { Add } from '@tensorflow/tfjs-core';
import { BinaryOp } from '../addon.js';
import { binaryKernel } from './elementwise.js';

export const addConfig = binaryKernel(Add, BinaryOp.Add);
