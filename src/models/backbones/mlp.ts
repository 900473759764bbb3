/**
 * MLP backbone for rows of features ([N, D]: tables, precomputed vectors) or flattened images
 * ([N, H, W, C]): -> [N, outputDim] through hidden layers of Linear + BatchNorm + ReLU (the MLP of
 * the speed benchmark: 784 -> 512 -> 512 -> 128).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { BatchNorm } from '../layers/batch-norm.js';
import { seededKernel } from '../init.js';

export interface MlpOptions {
  /** Input shape: [dim] for rows, [height, width, channels] for images. */
  inputShape: number[];
  /** Hidden widths. Default [512, 512]. */
  hidden?: number[];
  /** Output (representation) width. Default 128. */
  outputDim?: number;
  /** Seed of the weight initialisation (unseeded when absent). */
  seed?: number;
}

export function mlpBackbone(options: MlpOptions): tfl.Sequential {
  const { inputShape, hidden = [512, 512], outputDim = 128, seed } = options;
  for (const v of [...inputShape, ...hidden, outputDim]) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`mlpBackbone: sizes must be integers >= 1, received ${v} in ${JSON.stringify(options)}`);
  }
  if (!Array.isArray(inputShape) || inputShape.length < 1) throw new Error(`mlpBackbone: inputShape must be [dim] or [height, width, channels], received ${JSON.stringify(inputShape)}`);
  const model = tfl.sequential({ name: 'mlp_backbone' });
  const flat = inputShape.length > 1;
  if (flat) model.add(tfl.layers.flatten({ inputShape }));
  hidden.forEach((units, i) => {
    model.add(tfl.layers.dense({ units, ...seededKernel(seed, i), ...(i === 0 && !flat ? { inputShape } : {}) }));
    model.add(new BatchNorm());
    model.add(tfl.layers.reLU());
  });
  model.add(tfl.layers.dense({ units: outputDim, ...seededKernel(seed, hidden.length), ...(hidden.length === 0 && !flat ? { inputShape } : {}) }));
  return model;
}
