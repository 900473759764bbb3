/**
 * Small CNN backbone (the CNN of the speed benchmark, ../shared/BENCHMARKS.md): blocks of
 * conv3x3 (same, no bias) + BatchNorm + ReLU, max-pooling 2x2 after all but the last, then a
 * pooling that makes the representation:
 *
 * - `'flatten'` (default) keeps the last feature map's spatial layout (28x28 input, widths
 *   32-64-128: 7 x 7 x 128 = 6,272 values), followed by `embeddingDim` (default 256) units of
 *   Linear (no bias) + BatchNorm + ReLU, so the representation is [N, 256].
 * - `'global-average'` averages the last map over height and width: [N, last width], the usual
 *   choice for natural images (ResNet, SimCLR) and the layout of the speed benchmark's CNN.
 *
 * Why flatten is the default: on Fashion-MNIST the position of a part (a sleeve, a collar, a heel)
 * is what tells classes apart, and global average pooling throws it away. In our recipe search
 * (BENCHMARKS.md, "SimCLR recipe on Fashion-MNIST"; PyTorch, 15 epochs, seeded split) the same
 * convolutions gave weighted-kNN 83.4% with global average pooling and 87.3% with flatten + 256,
 * the largest single gain of the search. `embeddingDim: 0` keeps the flattened map itself.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { BatchNorm } from '../layers/batch-norm.js';
import { seededKernel } from '../init.js';

export type CnnPooling = 'flatten' | 'global-average';

export interface CnnOptions {
  inputShape: [number, number, number];
  /** Channels of each conv block. Default [32, 64, 128]. */
  widths?: number[];
  /** How the last feature map becomes a vector (see the file comment). Default 'flatten'. */
  pooling?: CnnPooling;
  /**
   * Units of the Linear + BatchNorm + ReLU block after the pooling; 0 for none. Default 256 with
   * 'flatten', 0 with 'global-average'.
   */
  embeddingDim?: number;
  /** Seed of the weight initialisation (unseeded when absent). */
  seed?: number;
}

export function cnnBackbone(options: CnnOptions): tfl.Sequential {
  const { inputShape, widths = [32, 64, 128], pooling = 'flatten', seed } = options;
  const embeddingDim = options.embeddingDim ?? (pooling === 'flatten' ? 256 : 0);
  if (widths.length === 0 || !widths.every((w) => Number.isInteger(w) && w >= 1)) {
    throw new Error(`cnnBackbone: widths must be a non-empty list of integers >= 1, received ${JSON.stringify(widths)}`);
  }
  if (pooling !== 'flatten' && pooling !== 'global-average') {
    throw new Error(`cnnBackbone: pooling must be 'flatten' or 'global-average', received ${JSON.stringify(pooling)}`);
  }
  if (!Number.isInteger(embeddingDim) || embeddingDim < 0) {
    throw new Error(`cnnBackbone: embeddingDim must be an integer >= 0, received ${embeddingDim}`);
  }
  const model = tfl.sequential({ name: 'cnn_backbone' });
  widths.forEach((filters, i) => {
    model.add(tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, ...seededKernel(seed, i), ...(i === 0 ? { inputShape } : {}) }));
    model.add(new BatchNorm());
    model.add(tfl.layers.reLU());
    if (i < widths.length - 1) model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  });
  model.add(pooling === 'flatten' ? tfl.layers.flatten() : tfl.layers.globalAveragePooling2d({}));
  if (embeddingDim > 0) {
    model.add(tfl.layers.dense({ units: embeddingDim, useBias: false, ...seededKernel(seed, widths.length) }));
    model.add(new BatchNorm());
    model.add(tfl.layers.reLU());
  }
  return model;
}
