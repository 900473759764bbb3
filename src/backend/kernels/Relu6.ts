/** Relu6: min(max(0, x), 6); float32 on the addon, other dtypes on cpu. */
import { Relu6 } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const relu6Config = unaryKernel(Relu6, UnaryOp.Relu6);
