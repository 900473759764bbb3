/** Tanh: tanh x; float32 on the addon, other dtypes on cpu. */
import { Tanh } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const tanhConfig = unaryKernel(Tanh, UnaryOp.Tanh);
