/** Reciprocal: 1 / x; float32 on the addon, other dtypes on cpu. */
import { Reciprocal } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const reciprocalConfig = unaryKernel(Reciprocal, UnaryOp.Reciprocal);
