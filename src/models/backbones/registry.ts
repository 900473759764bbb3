/**
 * Backbones by name, built for the items they encode: `cnn` and `resnet` take images, `mlp` takes
 * rows (and flattened images). The sizes are the package's defaults for small data on a CPU: cnn
 * 32-64-128 with flatten + 256 (or global average pooling), ResNet-18 at width 1/4
 * (16-32-64-128), MLP 512-512-128.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ItemSpec } from '../../data/source.js';
import { cnnBackbone, type CnnPooling } from './cnn.js';
import { mlpBackbone } from './mlp.js';
import { resnetBackbone } from './resnet.js';

export const BACKBONE_NAMES = ['cnn', 'resnet', 'mlp'] as const;
export type BackboneName = (typeof BACKBONE_NAMES)[number];

export interface BackboneOptions {
  /** Seed of the weight initialisation. */
  seed?: number;
  /** cnn: how the last map becomes a vector. Default 'flatten'. */
  pooling?: CnnPooling;
  /** cnn: conv widths. Default [32, 64, 128]. */
  widths?: number[];
  /** cnn: units after the pooling (default 256 with flatten, 0 with global-average). */
  embeddingDim?: number;
  /** mlp: hidden widths. Default [512, 512]. */
  hidden?: number[];
  /** mlp: output width. Default 128. */
  outputDim?: number;
}

/** The backbone a kind of item gets when none is named: images cnn, rows mlp. */
export function defaultBackbone(spec: ItemSpec): BackboneName {
  if (spec.kind === 'image') return 'cnn';
  if (spec.kind === 'vector') return 'mlp';
  throw new Error(`defaultBackbone: no built-in backbone encodes items of kind '${spec.kind}' yet (text needs a transformer encoder)`);
}

export function buildBackbone(name: BackboneName, spec: ItemSpec, options: BackboneOptions = {}): LayersModel {
  const { seed } = options;
  if (name === 'mlp') {
    if (spec.kind === 'text') throw new Error("buildBackbone: backbone 'mlp' encodes images or rows, received items of kind 'text'");
    const inputShape = spec.kind === 'image' ? [spec.height, spec.width, spec.channels] : [spec.dim];
    return mlpBackbone({ inputShape, seed, ...(options.hidden ? { hidden: options.hidden } : {}), ...(options.outputDim ? { outputDim: options.outputDim } : {}) });
  }
  if (spec.kind !== 'image') throw new Error(`buildBackbone: backbone '${name}' encodes images, received items of kind '${spec.kind}' (use mlp for rows)`);
  const inputShape: [number, number, number] = [spec.height, spec.width, spec.channels];
  if (name === 'resnet') return resnetBackbone({ inputShape, widthMultiplier: 0.25, seed });
  if (name === 'cnn') return cnnBackbone({ inputShape, seed, pooling: options.pooling, widths: options.widths, embeddingDim: options.embeddingDim });
  throw new Error(`buildBackbone: name must be one of ${BACKBONE_NAMES.join(', ')}, received ${JSON.stringify(name)}`);
}
