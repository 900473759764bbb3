/** Rsqrt: 1 / sqrt x; float32 on the addon, other dtypes on cpu. */
import { Rsqrt } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const rsqrtConfig = unaryKernel(Rsqrt, UnaryOp.Rsqrt);
