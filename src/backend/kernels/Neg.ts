/** Neg: -x; float32 on the addon, other dtypes on cpu. */
import { Neg } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const negConfig = unaryKernel(Neg, UnaryOp.Neg);
