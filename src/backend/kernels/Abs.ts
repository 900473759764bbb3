/** Abs: |x|; float32 on the addon, other dtypes on cpu. */
import { Abs } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const absConfig = unaryKernel(Abs, UnaryOp.Abs);
