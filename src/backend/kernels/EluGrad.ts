/** EluGrad: dy where y >= 0, else dy * (y + 1) (y: the Elu output); float32 on the addon, other dtypes on cpu. */
import { EluGrad } from '@tensorflow/tfjs-core';
import { BinaryOp } from '../addon.js';
import { binaryKernel } from './elementwise.js';

export const eluGradConfig = binaryKernel(EluGrad, BinaryOp.EluGrad, ['dy', 'y']);
