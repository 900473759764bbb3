/**
 * A BERT-style transformer encoder as a tfjs-layers functional model (Devlin et al. 2018,
 * arXiv:1810.04805), the text backbone of the contrastive methods (SimCSE, MNRL, ...):
 *
 * ```
 * input_ids [B, L] int32 ──> embeddings ──> encoder.layer.0 ... encoder.layer.{n-1} ──> [encoder.LayerNorm] ──> pooling ──> [pooler.dense + tanh] ──> [B, H]
 * attention_mask [B, L] int32 ──────────────┴──────── (every layer) ──────────────────────┴──> (mean / max over the kept tokens)
 * ```
 *
 * Two named inputs of variable length ([null, null]), so a batch of any seqLen <= maxPositions
 * goes through `applyModel` (../apply-model.ts) by name; one output, the pooled [B, H] (or the
 * token vectors [B, L, H] with pooling 'none'). Layers and weights are named after HF's
 * BertModel (`embeddings/word_embeddings`, `encoder.layer.3/attention.self.query.kernel`,
 * `pooler.dense/kernel`, ...; kernels [in, out], the transpose of PyTorch's Linear.weight), so a
 * checkpoint maps one to one. The custom layers serialise (`model.toJSON()` /
 * `models.modelFromJSON` after `registerTransformerLayers()`).
 *
 * Dropout is active only when the model is applied with `{ training: true }`; with a seed, the
 * weights and the sequence of dropout masks repeat (see ./encoder-layer.ts, DropoutStream).
 * Set both dropouts to 0 for a deterministic training-mode pass.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { serialization } from '@tensorflow/tfjs-core';
import { TokenEmbeddings } from './embeddings.js';
import { deriveSeed } from './dropout.js';
import { TransformerEncoderLayer, type NormPlacement } from './encoder-layer.js';
import { checkInt, checkPositive, checkRate, checkSeed, kernelInitializer } from './options.js';
import { BERT_LAYER_NORM_EPS, LayerNorm } from './layer-norm.js';
import { MaskedPooling, POOLING_MODES, type PoolingMode } from './pooling.js';

/** The model's input names, in order (what text collate produces). */
export const TRANSFORMER_INPUTS = ['input_ids', 'attention_mask'] as const;

export type TransformerPooling = PoolingMode | 'none';

/**
 * Options of `transformerEncoder`, flat, with HF BertConfig's names in camelCase. Defaults are
 * BERT-base's (bert-base-uncased); the presets (./presets.ts) choose smaller sizes.
 */
export interface TransformerEncoderOptions {
  /** Rows of the word table: the tokenizer's vocabulary size (vocab_size). Default 30522. */
  vocabSize?: number;
  /** Width H of every token's vector (hidden_size). Default 768. */
  hiddenSize?: number;
  /** Encoder layers (num_hidden_layers). Default 12. */
  numLayers?: number;
  /** Attention heads per layer; must divide hiddenSize (num_attention_heads). Default 12. */
  numHeads?: number;
  /** Width of each feed-forward block (intermediate_size). Default 3072. */
  intermediateSize?: number;
  /** Longest sequence (max_position_embeddings). Default 512. */
  maxPositions?: number;
  /** Rows of the token-type table (type_vocab_size); 0: none. Default 2. */
  typeVocabSize?: number;
  /** Dropout after the embeddings and each sublayer (hidden_dropout_prob), in [0, 1). Default 0.1. */
  hiddenDropout?: number;
  /** Dropout of the attention probabilities (attention_probs_dropout_prob), in [0, 1). Default 0.1. */
  attentionDropout?: number;
  /** LayerNorm epsilon (layer_norm_eps). Default 1e-12. */
  layerNormEps?: number;
  /** Std of the truncated-normal initialisation of kernels and tables (initializer_range). Default 0.02. */
  initializerRange?: number;
  /**
   * 'post': LayerNorm after each residual (BERT); 'pre': before each sublayer, plus a final LayerNorm
   * `encoder.LayerNorm` (Xiong et al. 2020). Both keep BERT's LayerNorm of the embeddings. Default 'post'.
   */
  norm?: NormPlacement;
  /** How token vectors become one vector: 'mean' | 'cls' | 'max' over the mask, or 'none' (output [B, L, H]). Default 'mean'. */
  pooling?: TransformerPooling;
  /** BERT's pooler (dense H -> H + tanh) on the CLS vector; needs pooling 'cls'. Default false. */
  pooler?: boolean;
  /** Seed of every weight and of the dropout masks (unseeded when absent). */
  seed?: number;
  /** Model name. Default 'transformer_encoder'. */
  name?: string;
}

/** Every option with its value (seed may stay absent). */
export type ResolvedTransformerOptions = Required<Omit<TransformerEncoderOptions, 'seed'>> & { seed?: number };

/** BERT-base's configuration (HF bert-base-uncased config.json). */
export const BERT_BASE_DEFAULTS: Required<Omit<TransformerEncoderOptions, 'seed'>> = {
  vocabSize: 30522,
  hiddenSize: 768,
  numLayers: 12,
  numHeads: 12,
  intermediateSize: 3072,
  maxPositions: 512,
  typeVocabSize: 2,
  hiddenDropout: 0.1,
  attentionDropout: 0.1,
  layerNormEps: BERT_LAYER_NORM_EPS,
  initializerRange: 0.02,
  norm: 'post',
  pooling: 'mean',
  pooler: false,
  name: 'transformer_encoder',
};

const OPTION_NAMES = [...Object.keys(BERT_BASE_DEFAULTS), 'seed'];

/** The options with defaults filled in, checked: each error names the option, what it must be and what it was. */
export function resolveTransformerOptions(options: TransformerEncoderOptions = {}, where = 'transformerEncoder'): ResolvedTransformerOptions {
  if (!options || typeof options !== 'object' || Array.isArray(options)) throw new Error(`${where}: options must be an object, received ${JSON.stringify(options)}`);
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) throw new Error(`${where}: unknown option '${key}'; the options are ${OPTION_NAMES.join(', ')}`);
  }
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as TransformerEncoderOptions;
  const o = { ...BERT_BASE_DEFAULTS, ...defined };
  checkInt(where, 'vocabSize', o.vocabSize, 1);
  checkInt(where, 'hiddenSize', o.hiddenSize, 1);
  checkInt(where, 'numLayers', o.numLayers, 0);
  checkInt(where, 'numHeads', o.numHeads, 1);
  if (o.hiddenSize % o.numHeads !== 0) throw new Error(`${where}: hiddenSize must be divisible by numHeads = ${o.numHeads}, received ${o.hiddenSize}`);
  checkInt(where, 'intermediateSize', o.intermediateSize, 1);
  checkInt(where, 'maxPositions', o.maxPositions, 1);
  checkInt(where, 'typeVocabSize', o.typeVocabSize, 0);
  checkRate(where, 'hiddenDropout', o.hiddenDropout);
  checkRate(where, 'attentionDropout', o.attentionDropout);
  checkPositive(where, 'layerNormEps', o.layerNormEps);
  checkPositive(where, 'initializerRange', o.initializerRange);
  if (o.norm !== 'post' && o.norm !== 'pre') throw new Error(`${where}: norm must be 'post' or 'pre', received ${JSON.stringify(o.norm)}`);
  const poolings: readonly string[] = [...POOLING_MODES, 'none'];
  if (!poolings.includes(o.pooling)) throw new Error(`${where}: pooling must be one of ${poolings.join(', ')}, received ${JSON.stringify(o.pooling)}`);
  if (typeof o.pooler !== 'boolean') throw new Error(`${where}: pooler must be a boolean, received ${JSON.stringify(o.pooler)}`);
  if (o.pooler && o.pooling !== 'cls') throw new Error(`${where}: pooler (dense + tanh on the CLS vector) needs pooling 'cls', received pooling ${JSON.stringify(o.pooling)}`);
  const seed = checkSeed(where, o.seed);
  if (typeof o.name !== 'string' || !/^[A-Za-z0-9][-A-Za-z0-9._]*$/.test(o.name)) throw new Error(`${where}: name must be letters, digits, '.', '_' or '-' (a tfjs name), received ${JSON.stringify(o.name)}`);
  const { seed: _, ...rest } = o;
  return seed === undefined ? rest : { ...rest, seed };
}

/** Registers the transformer's layers with tfjs' serialization, so `models.modelFromJSON` rebuilds them (idempotent). */
export function registerTransformerLayers(): void {
  for (const cls of [TokenEmbeddings, TransformerEncoderLayer, LayerNorm, MaskedPooling]) serialization.registerClass(cls);
}

/**
 * Builds the encoder (see the file comment): `transformerEncoder(transformerPreset('minilm-l6'))`,
 * `transformerEncoder({ ...transformerPreset('tiny', { vocabSize: tokenizer.vocabSize }), seed: 0 })`.
 */
export function transformerEncoder(options: TransformerEncoderOptions = {}): tfl.LayersModel {
  const o = resolveTransformerOptions(options);
  registerTransformerLayers();
  const sub = (k: number) => (o.seed === undefined ? {} : { seed: deriveSeed(o.seed, k) });
  const ids = tfl.input({ shape: [null], dtype: 'int32', name: TRANSFORMER_INPUTS[0] }); // [B, L]
  const mask = tfl.input({ shape: [null], dtype: 'int32', name: TRANSFORMER_INPUTS[1] }); // [B, L]
  const common = { hiddenSize: o.hiddenSize, hiddenDropout: o.hiddenDropout, layerNormEps: o.layerNormEps, initializerRange: o.initializerRange };
  let h = new TokenEmbeddings({ ...common, vocabSize: o.vocabSize, maxPositions: o.maxPositions, typeVocabSize: o.typeVocabSize, name: 'embeddings', ...sub(0) }).apply(ids) as tfl.SymbolicTensor; // [B, L, H]
  for (let i = 0; i < o.numLayers; i++) {
    const layer = new TransformerEncoderLayer({ ...common, numHeads: o.numHeads, intermediateSize: o.intermediateSize, attentionDropout: o.attentionDropout, norm: o.norm, name: `encoder.layer.${i}`, ...sub(i + 1) });
    h = layer.apply([h, mask]) as tfl.SymbolicTensor; // [B, L, H]
  }
  if (o.norm === 'pre') h = new LayerNorm({ epsilon: o.layerNormEps, name: 'encoder.LayerNorm' }).apply(h) as tfl.SymbolicTensor;
  let out = h;
  if (o.pooling !== 'none') out = new MaskedPooling({ mode: o.pooling, name: 'pooling' }).apply([h, mask]) as tfl.SymbolicTensor; // [B, H]
  if (o.pooler) {
    const seed = o.seed === undefined ? undefined : deriveSeed(o.seed, o.numLayers + 1, 0);
    out = tfl.layers.dense({ units: o.hiddenSize, activation: 'tanh', name: 'pooler.dense', kernelInitializer: kernelInitializer(o.initializerRange, seed) }).apply(out) as tfl.SymbolicTensor;
  }
  return tfl.model({ inputs: [ids, mask], outputs: out, name: o.name });
}

/**
 * Parameters of the encoder the options describe, without building it:
 * embeddings (V + P + T) H + 2H; per layer 4 (H^2 + H) attention + 2 (H I) + I + H feed-forward +
 * 4H LayerNorms; + 2H final LayerNorm (pre-LN); + H^2 + H pooler.
 */
export function transformerParamCount(options: TransformerEncoderOptions = {}): number {
  const o = resolveTransformerOptions(options, 'transformerParamCount');
  const H = o.hiddenSize, I = o.intermediateSize;
  const embeddings = (o.vocabSize + o.maxPositions + o.typeVocabSize) * H + 2 * H;
  const layer = 4 * (H * H + H) + (H * I + I) + (I * H + H) + 4 * H;
  return embeddings + o.numLayers * layer + (o.norm === 'pre' ? 2 * H : 0) + (o.pooler ? H * H + H : 0);
}
