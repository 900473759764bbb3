/** Log: ln x (log 0 = -Infinity, log of a negative = NaN); float32 on the addon, other dtypes on cpu. */
import { Log } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const logConfig = unaryKernel(Log, UnaryOp.Log);
