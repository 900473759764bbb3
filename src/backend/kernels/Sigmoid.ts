/** Sigmoid: 1 / (1 + e^-x); float32 on the addon, other dtypes on cpu. */
import { Sigmoid } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const sigmoidConfig = unaryKernel(Sigmoid, UnaryOp.Sigmoid);
