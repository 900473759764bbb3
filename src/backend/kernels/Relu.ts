/** Relu: max(0, x), NaN kept; float32 on the addon, other dtypes on cpu. */
import { Relu } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const reluConfig = unaryKernel(Relu, UnaryOp.Relu);
