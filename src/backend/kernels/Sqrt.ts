/** Sqrt: sqrt x (NaN below 0); float32 on the addon, other dtypes on cpu. */
import { Sqrt } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const sqrtConfig = unaryKernel(Sqrt, UnaryOp.Sqrt);
