/** Square: x * x; float32 on the addon, other dtypes on cpu. */
import { Square } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const squareConfig = unaryKernel(Square, UnaryOp.Square);
