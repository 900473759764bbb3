/** Log1p: ln(1 + x), accurate near 0; float32 on the addon, other dtypes on cpu. */
import { Log1p } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const log1pConfig = unaryKernel(Log1p, UnaryOp.Log1p);
