/** Step: x > 0 ? 1 : alpha (NaN kept); float32 on the addon, other dtypes on cpu. */
import { Step, type StepAttrs } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../addon.js';
import { unaryKernel } from './elementwise.js';

export const stepConfig = unaryKernel(Step, UnaryOp.Step, (attrs): [number, number] => [(attrs as unknown as StepAttrs).alpha ?? 0, 0]);
