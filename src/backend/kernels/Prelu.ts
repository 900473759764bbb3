/** Prelu: x < 0 ? alpha * x : x, alpha broadcast against x; float32 on the addon, other dtypes on cpu. */
import { Prelu } from '@tensorflow/tfjs-core';
import { BinaryOp } from '../addon.js';
import { binaryKernel } from './elementwise.js';

export const preluConfig = binaryKernel(Prelu, BinaryOp.Prelu, ['x', 'alpha']);
