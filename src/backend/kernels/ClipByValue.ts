/** ClipByValue: min(max(x, clipValueMin), clipValueMax); float32 on the addon, other dtypes on cpu. */
import { ClipByValue, type ClipByValueAttrs } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const clipByValueConfig = unaryKernel(ClipByValue, UnaryOp.ClipByValue, (attrs): [number, number] => {
  const { clipValueMin, clipValueMax } = attrs as unknown as ClipByValueAttrs;
  return [clipValueMin, clipValueMax];
});
