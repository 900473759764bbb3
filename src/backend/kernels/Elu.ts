/** Elu: x >= 0 ? x : e^x - 1 (expm1, accurate near 0); float32 on the addon, other dtypes on cpu. */
import { Elu } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const eluConfig = unaryKernel(Elu, UnaryOp.Elu);
