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
import {
  barlowTwinsHead, byolPredictor, byolProjector, mocoV2Head, mocoV3Predictor, mocoV3Projector, nnclrPredictionHead, nnclrProjectionHead,
  simclrHead, simsiamPredictor, simsiamProjector, vicregHead,
} from '../models/heads.js';
import { BYOL } from '../methods/byol.js';
import { MoCo } from '../methods/moco.js';
import { MoCoV3 } from '../methods/mocov3.js';
import { SimSiam } from '../methods/simsiam.js';
import { BarlowTwins } from '../methods/barlow-twins.js';
import { NNCLR } from '../methods/nnclr.js';
import { VICReg } from '../methods/vicreg.js';
import { SimCLR } from '../methods/simclr.js';
import { SupCon } from '../methods/supcon.js';
import { Triplet, type TripletMining } from '../methods/triplet.js';
import { Siamese } from '../methods/siamese.js';
import type { EncoderMethod } from '../methods/encoder-method.js';
import { loadCheckpoint } from '../train/checkpoint.js';

/** A bad argument found after parsing (printed as one line, exit code 2). */
export class UsageError extends Error {}

export type DatasetName = 'fashion-mnist' | 'mnist';
export type BackboneName = 'cnn' | 'resnet' | 'mlp';
/** Every method of `train --method`, in the order of the help text. */
export const METHODS = ['simclr', 'supcon', 'triplet', 'siamese', 'moco', 'mocov3', 'byol', 'simsiam', 'barlow', 'vicreg', 'nnclr'] as const;
export type MethodName = (typeof METHODS)[number];
/** Methods trained with the items' labels. */
export const SUPERVISED_METHODS: readonly MethodName[] = ['supcon', 'triplet', 'siamese'];
/**
 * Methods with a softmax temperature and its default: simclr 0.2 (measured best here, BENCHMARKS.md),
 * supcon 0.1 (Khosla et al.), moco 0.2 (MoCo v2), mocov3 0.2 (the paper's ViT value; its ResNet
 * recipe uses 1.0), nnclr 0.1 (Dwibedi et al.).
 */
export const DEFAULT_TEMPERATURE: Partial<Record<MethodName, number>> = { simclr: 0.2, supcon: 0.1, moco: 0.2, mocov3: 0.2, nnclr: 0.1 };

export interface RunConfig {
  dataset: DatasetName;
  method: MethodName;
  backbone: BackboneName;
  seed: number;
  /** simclr and supcon. */
  temperature?: number;
  /** Supervised methods: images per class in a batch. */
  mPerClass?: number;
  /** --limit: the size of the seeded training sample (absent: the whole training split). */
  limit?: number;
  /** triplet and siamese: the margin (default triplet 0.2, siamese 1). */
  margin?: number;
  /** triplet: which triplets of a batch make the loss (default semi-hard). */
  mining?: TripletMining;
  /** Labelled images per class the supervised methods trained on (absent: the whole training split). */
  labelsPerClass?: number;
  /** The run whose backbone weights this run started from (absent: random initialisation). */
  init?: string;
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

export function buildMethod(config: RunConfig, data: ImageDataset): EncoderMethod {
  // Momentum methods build a second (target) encoder the same way; its weights are overwritten.
  const encoder = () => buildBackbone(config.backbone, [data.height, data.width, data.channels], config.seed, {
    pooling: config.pooling ?? 'global-average', widths: config.widths, embeddingDim: config.embeddingDim,
  });
  const backbone = encoder(), target = encoder;
  const dim = (backbone.outputs[0].shape[1] ?? 0) as number;
  const s = config.seed, T = config.temperature;
  // The heads of the papers scaled to the small encoders here (a 256-d representation by default).
  switch (config.method) {
    case 'moco': return new MoCo({ backbone, head: mocoV2Head(dim, 256, 128, s + 1), targetBackbone: target(), targetHead: mocoV2Head(dim, 256, 128, s + 1), temperature: T, seed: s });
    case 'mocov3': return new MoCoV3({
      backbone, head: mocoV3Projector(dim, 512, 128, 2, s + 1), targetBackbone: target(), targetHead: mocoV3Projector(dim, 512, 128, 2, s + 1),
      predictor: mocoV3Predictor(128, 512, 128, s + 2), temperature: T,
    });
    case 'byol': return new BYOL({
      backbone, head: byolProjector(dim, 512, 128, s + 1), targetBackbone: target(), targetHead: byolProjector(dim, 512, 128, s + 1),
      predictor: byolPredictor(128, 512, 128, s + 2),
    });
    case 'simsiam': return new SimSiam({ backbone, head: simsiamProjector(dim, 512, 512, s + 1), predictor: simsiamPredictor(512, 128, 512, s + 2) });
    case 'barlow': return new BarlowTwins({ backbone, head: barlowTwinsHead(dim, 512, 512, s + 1) });
    case 'vicreg': return new VICReg({ backbone, head: vicregHead(dim, 512, 512, 3, s + 1) });
    case 'nnclr': return new NNCLR({
      backbone, head: nnclrProjectionHead(dim, 256, 128, s + 1), predictor: nnclrPredictionHead(128, 512, 128, s + 2),
      temperature: T, seed: s,
    });
    default: break;
  }
  const head = simclrHead(dim, 128, 64, 2, s + 1);
  switch (config.method) {
    case 'supcon': return new SupCon({ backbone, head, temperature: config.temperature });
    case 'triplet': return new Triplet({ backbone, head, margin: config.margin, mining: config.mining });
    case 'siamese': return new Siamese({ backbone, head, margin: config.margin });
    default: return new SimCLR({ backbone, head, temperature: config.temperature });
  }
}

/**
 * A run.json with the values that runs written before a field existed used: crop scale 0.2,
 * global average pooling, widths 32-64-128 and no embedding block (cnn).
 */
export function withLegacyDefaults(config: RunConfig): RunConfig {
  const out: RunConfig = { ...config, cropScale: config.cropScale ?? 0.2 };
  if (config.backbone === 'cnn') {
    out.pooling = config.pooling ?? 'global-average';
    out.widths = config.widths ?? [32, 64, 128];
    out.embeddingDim = config.embeddingDim ?? (out.pooling === 'flatten' ? 256 : 0);
  }
  return out;
}

export function readRun(dir: string, flag = '--checkpoint'): RunConfig {
  const path = join(dir, 'run.json');
  if (!existsSync(path)) throw new UsageError(`${flag}: expected a directory written by 'contrastive train' (with run.json), received '${dir}'`);
  return JSON.parse(readFileSync(path, 'utf8')) as RunConfig;
}

/** The run's method with the checkpoint's weights. */
export function restoreMethod(dir: string, data: ImageDataset, flag = '--checkpoint'): EncoderMethod {
  const config = readRun(dir, flag);
  if (config.dataset !== data.name) {
    // Any image data set of the same shape works; say which one the encoder was trained on.
    process.stderr.write(`note: the encoder was trained on ${config.dataset}, used here on ${data.name}\n`);
  }
  const method = buildMethod(config, data);
  const ck = loadCheckpoint(dir);
  if (!ck) throw new UsageError(`${flag}: no checkpoint.json in '${dir}' (did training finish an epoch?)`);
  const n = method.getWeights().length;
  method.setWeights(ck.tensors.slice(0, n).map((t) => t.tensor));
  ck.tensors.forEach((t) => t.tensor.dispose());
  return method;
}
