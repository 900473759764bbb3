/**
 * Backbones by name, built for the items they encode: `cnn` and `resnet` take images, `mlp` takes
 * rows (and flattened images), `transformer` takes texts (token ids and an attention mask: see
 * models/transformer). The sizes are the package's defaults for small data on a CPU: cnn
 * 32-64-128 with flatten + 256 (or global average pooling), ResNet-18 at width 1/4
 * (16-32-64-128), MLP 512-512-128; the transformer's size is its options (`transformer`, e.g. a
 * preset of models/transformer/presets.ts with the tokenizer's vocabulary size).
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ItemSpec } from '../../data/source.js';
import { cnnBackbone, type CnnPooling } from './cnn.js';
import { mlpBackbone } from './mlp.js';
import { resnetBackbone } from './resnet.js';
import { transformerEncoder, transformerParamCount, resolveTransformerOptions, type TransformerEncoderOptions } from '../transformer/transformer-encoder.js';

export const BACKBONE_NAMES = ['cnn', 'resnet', 'mlp', 'transformer'] as const;
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
  /** transformer: its options (required: at least vocabSize, the tokenizer's). `seed` above overrides theirs. */
  transformer?: TransformerEncoderOptions;
  /** transformer: the longest text in tokens a run feeds (memory estimates only). Default its maxPositions. */
  maxLength?: number;
}

/** The backbone a kind of item gets when none is named: images cnn, rows mlp, texts transformer. */
export function defaultBackbone(spec: ItemSpec): BackboneName {
  if (spec.kind === 'image') return 'cnn';
  if (spec.kind === 'vector') return 'mlp';
  return 'transformer';
}

/** The transformer's options of `options` (its own, with `seed` on top), or an error saying they are needed. */
function transformerOptions(options: BackboneOptions): TransformerEncoderOptions {
  if (!options.transformer) throw new Error('buildBackbone: backbone \'transformer\' needs options.transformer (at least vocabSize, the tokenizer\'s), received none');
  return { ...options.transformer, ...(options.seed !== undefined ? { seed: options.seed } : {}) };
}

export function buildBackbone(name: BackboneName, spec: ItemSpec, options: BackboneOptions = {}): LayersModel {
  const { seed } = options;
  if (name === 'transformer') {
    if (spec.kind !== 'text') throw new Error(`buildBackbone: backbone 'transformer' encodes texts, received items of kind '${spec.kind}'`);
    return transformerEncoder(transformerOptions(options));
  }
  if (spec.kind === 'text') throw new Error(`buildBackbone: backbone '${name}' encodes images or rows, received items of kind 'text' (use transformer)`);
  if (name === 'mlp') {
    const inputShape = spec.kind === 'image' ? [spec.height, spec.width, spec.channels] : [spec.dim];
    return mlpBackbone({ inputShape, seed, ...(options.hidden ? { hidden: options.hidden } : {}), ...(options.outputDim ? { outputDim: options.outputDim } : {}) });
  }
  if (spec.kind !== 'image') throw new Error(`buildBackbone: backbone '${name}' encodes images, received items of kind '${spec.kind}' (use mlp for rows)`);
  const inputShape: [number, number, number] = [spec.height, spec.width, spec.channels];
  if (name === 'resnet') return resnetBackbone({ inputShape, widthMultiplier: 0.25, seed });
  if (name === 'cnn') return cnnBackbone({ inputShape, seed, pooling: options.pooling, widths: options.widths, embeddingDim: options.embeddingDim });
  throw new Error(`buildBackbone: name must be one of ${BACKBONE_NAMES.join(', ')}, received ${JSON.stringify(name)}`);
}

/** What a backbone costs, estimated from its options before it is built (nothing is allocated). */
export interface BackboneSize {
  /** Weights (trainable and BatchNorm statistics). */
  params: number;
  /** The width of its output (the representation a head reads). */
  outputDim: number;
  /** Values of the activations of one item's forward pass (every layer's output). */
  activations: number;
}

/**
 * The size of `buildBackbone(name, spec, options)` without building it: its parameters (exactly)
 * and activations (roughly, for memory estimates). Lets a run refuse a network too large for the
 * machine (`--widths 100000`) with one line instead of an allocation failure.
 */
export function backboneSize(name: BackboneName, spec: ItemSpec, options: BackboneOptions = {}): BackboneSize {
  if (name === 'transformer') {
    if (spec.kind !== 'text' || !options.transformer) return { params: 0, outputDim: 0, activations: 0 };
    const o = resolveTransformerOptions(transformerOptions(options), 'backboneSize');
    // Activations of one text of `maxLength` tokens (the most a run feeds): per layer the attention's
    // Q, K, V, context and output, its [heads, L, L] scores and probabilities, the feed-forward's
    // two intermediate maps and the LayerNorms' outputs.
    const L = options.maxLength ?? o.maxPositions, H = o.hiddenSize, I = o.intermediateSize;
    const perLayer = 8 * L * H + 3 * o.numHeads * L * L + 3 * L * I;
    return { params: transformerParamCount(o), outputDim: H, activations: 3 * L * H + o.numLayers * perLayer + H };
  }
  if (spec.kind === 'text') return { params: 0, outputDim: 0, activations: 0 };
  if (name === 'mlp') {
    const input = spec.kind === 'image' ? spec.height * spec.width * spec.channels : spec.dim;
    const widths = [...(options.hidden ?? [512, 512]), options.outputDim ?? 128];
    let params = 0, activations = input, from = input;
    widths.forEach((units, i) => {
      const last = i === widths.length - 1;
      params += from * units + units + (last ? 0 : 4 * units); // Linear (+ BatchNorm: gamma, beta, mean, variance)
      activations += last ? units : 3 * units; // Linear, BatchNorm, ReLU
      from = units;
    });
    return { params, outputDim: from, activations };
  }
  if (spec.kind !== 'image') return { params: 0, outputDim: 0, activations: 0 };
  let [h, w, c] = [spec.height, spec.width, spec.channels];
  if (name === 'resnet') {
    // 16-32-64-128, two basic blocks per stage: about 0.7 M weights; activations dominated by the first stage.
    const widths = [16, 32, 64, 128];
    let params = 9 * c * widths[0] + 4 * widths[0], activations = h * w * (c + 3 * widths[0]), from = widths[0];
    widths.forEach((f, stage) => {
      if (stage > 0) {
        h = Math.ceil(h / 2);
        w = Math.ceil(w / 2);
      }
      params += 9 * from * f + 9 * f * f + 8 * f + 9 * f * f + 9 * f * f + 8 * f + (from !== f ? from * f + 4 * f : 0);
      activations += h * w * f * 14; // two blocks of conv, BN, ReLU twice, the add and the shortcut
      from = f;
    });
    return { params, outputDim: from, activations: activations + from };
  }
  const widths = options.widths ?? [32, 64, 128];
  const pooling = options.pooling ?? 'flatten';
  const embeddingDim = options.embeddingDim ?? (pooling === 'flatten' ? 256 : 0);
  let params = 0, activations = h * w * c;
  widths.forEach((f, i) => {
    params += 9 * c * f + 4 * f; // conv 3x3 without bias, BatchNorm
    activations += 3 * h * w * f; // conv, BatchNorm, ReLU
    c = f;
    if (i < widths.length - 1) {
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
      activations += h * w * f;
    }
  });
  const pooled = pooling === 'flatten' ? h * w * c : c;
  activations += pooled;
  if (embeddingDim > 0) {
    params += pooled * embeddingDim + 4 * embeddingDim;
    activations += 3 * embeddingDim;
  }
  return { params, outputDim: embeddingDim > 0 ? embeddingDim : pooled, activations };
}
