/**
 * What a training run is, written to `<out>/run.json` by `train` and read by `embed` and `eval` to
 * rebuild the same encoder before loading its checkpoint.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { loadFashionMnist } from '../data/fashion-mnist.js';
import { loadMnist } from '../data/mnist.js';
import type { ImageDataset } from '../data/image-dataset.js';
import { cnnBackbone, type CnnPooling } from '../models/backbones/cnn.js';
import { mlpBackbone } from '../models/backbones/mlp.js';
import { resnetBackbone } from '../models/backbones/resnet.js';
import { simclrHead } from '../models/heads.js';
import { SimCLR } from '../methods/simclr.js';
import { loadCheckpoint } from '../train/checkpoint.js';

/** A bad argument found after parsing (printed as one line, exit code 2). */
export class UsageError extends Error {}

export type DatasetName = 'fashion-mnist' | 'mnist';
export type BackboneName = 'cnn' | 'resnet' | 'mlp';

export interface RunConfig {
  dataset: DatasetName;
  method: 'simclr';
  backbone: BackboneName;
  seed: number;
  temperature: number;
  /** Smallest area of the random resized crop (absent in runs of versions before it: 0.2). */
  cropScale?: number;
  /** cnn only; runs written before this option existed used 'global-average'. */
  pooling?: CnnPooling;
  /** cnn only: conv widths (default 32, 64, 128). */
  widths?: number[];
  /** cnn only: units after the pooling (default 256 with flatten, 0 with global-average). */
  embeddingDim?: number;
}

export function loadDataset(name: DatasetName): ImageDataset {
  return name === 'mnist' ? loadMnist() : loadFashionMnist();
}

/**
 * The backbone of a run: cnn 32-64-128 (flatten + 256 by default), ResNet-18 at width 1/4
 * (16-32-64-128), MLP 512-512-128.
 */
export function buildBackbone(
  name: BackboneName, inputShape: [number, number, number], seed: number, cnn: Pick<RunConfig, 'pooling' | 'widths' | 'embeddingDim'> = {},
): LayersModel {
  if (name === 'resnet') return resnetBackbone({ inputShape, widthMultiplier: 0.25, seed });
  if (name === 'mlp') return mlpBackbone({ inputShape, seed });
  return cnnBackbone({ inputShape, seed, ...cnn });
}

export function buildMethod(config: RunConfig, data: ImageDataset): SimCLR {
  const backbone = buildBackbone(config.backbone, [data.height, data.width, data.channels], config.seed, {
    pooling: config.pooling ?? 'global-average', widths: config.widths, embeddingDim: config.embeddingDim,
  });
  const dim = (backbone.outputs[0].shape[1] ?? 0) as number;
  return new SimCLR({ backbone, head: simclrHead(dim, 128, 64, 2, config.seed + 1), temperature: config.temperature });
}

export function readRun(dir: string): RunConfig {
  const path = join(dir, 'run.json');
  if (!existsSync(path)) throw new UsageError(`--checkpoint: expected a directory written by 'contrastive train' (with run.json), received '${dir}'`);
  return JSON.parse(readFileSync(path, 'utf8')) as RunConfig;
}

/** The run's method with the checkpoint's weights. */
export function restoreMethod(dir: string, data: ImageDataset): SimCLR {
  const config = readRun(dir);
  if (config.dataset !== data.name) {
    // Any image data set of the same shape works; say which one the encoder was trained on.
    process.stderr.write(`note: the encoder was trained on ${config.dataset}, used here on ${data.name}\n`);
  }
  const method = buildMethod(config, data);
  const ck = loadCheckpoint(dir);
  if (!ck) throw new UsageError(`--checkpoint: no checkpoint.json in '${dir}' (did training finish an epoch?)`);
  const n = method.getWeights().length;
  method.setWeights(ck.tensors.slice(0, n).map((t) => t.tensor));
  ck.tensors.forEach((t) => t.tensor.dispose());
  return method;
}
