/** Exp: e^x; float32 on the addon, other dtypes on cpu. */
import { Exp } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const expConfig = unaryKernel(Exp, UnaryOp.Exp);
