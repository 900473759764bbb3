/** LeakyRelu: x < 0 ? alpha * x : x; float32 on the addon, other dtypes on cpu. */
import { LeakyRelu, type LeakyReluAttrs } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const leakyReluConfig = unaryKernel(LeakyRelu, UnaryOp.LeakyRelu, (attrs): [number, number] => [(attrs as unknown as LeakyReluAttrs).alpha, 0]);
