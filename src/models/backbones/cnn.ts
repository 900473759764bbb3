/**
 * Small CNN backbone (the CNN of the speed benchmark, ../shared/BENCHMARKS.md): blocks of
 * conv3x3 (same) + BatchNorm + ReLU, max-pooling 2x2 after all but the last, then global average
 * pooling: [N, 28, 28, 1] -> [N, last width]. Default widths 32, 64, 128.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { BatchNorm } from '../layers/batch-norm.js';
import { seededKernel } from '../init.js';

export interface CnnOptions {
  inputShape: [number, number, number];
  /** Channels of each conv block. Default [32, 64, 128]. */
  widths?: number[];
  /** Seed of the weight initialisation (unseeded when absent). */
  seed?: number;
}

export function cnnBackbone(options: CnnOptions): tfl.Sequential {
  const { inputShape, widths = [32, 64, 128], seed } = options;
  if (widths.length === 0 || !widths.every((w) => Number.isInteger(w) && w >= 1)) {
    throw new Error(`cnnBackbone: widths must be a non-empty list of integers >= 1, received ${JSON.stringify(widths)}`);
  }
  const model = tfl.sequential({ name: 'cnn_backbone' });
  widths.forEach((filters, i) => {
    model.add(tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, ...seededKernel(seed, i), ...(i === 0 ? { inputShape } : {}) }));
    model.add(new BatchNorm());
    model.add(tfl.layers.reLU());
    if (i < widths.length - 1) model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  });
  model.add(tfl.layers.globalAveragePooling2d({}));
  return model;
}
