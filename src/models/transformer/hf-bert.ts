/**
 * Hugging Face BERT checkpoints <-> transformerEncoder (./transformer-encoder.ts), pure (no I/O;
 * ./hf-bert-file.ts reads and writes a directory):
 *
 * - `bertOptionsFromConfig(config)`: a BertConfig (config.json object) -> our options;
 *   `bertConfigFromOptions(options)` the inverse (what `save_pretrained` would write for BertModel);
 * - `loadBertWeights(model, tensors)`: a BertModel state dict (safetensors tensors, names with or
 *   without the `bert.` prefix) onto the model's weights; `bertTensorsFromModel(model)` the inverse.
 *
 * Names: our `embeddings/word_embeddings` is HF's `embeddings.word_embeddings.weight`;
 * `<layer>/<x>.kernel` is `<layer>.<x>.weight` transposed (PyTorch's Linear.weight is [out, in], our
 * kernels [in, out]); `<x>.bias` is `<x>.bias`; LayerNorm `gamma` / `beta` are `weight` / `bias`
 * (old TF-converted checkpoints' `LayerNorm.gamma` / `LayerNorm.beta` are read too). The whole
 * token-type table is loaded; the model adds its row 0 (every token is type 0, ./embeddings.ts).
 *
 * Loading refuses, with one line naming the tensor, a missing tensor, a tensor of the wrong shape
 * and a tensor the model has no place for, except those a BertModel ignores too: the
 * `embeddings.position_ids` buffer, the pre-training heads `cls.*`, and `pooler.dense.*` when the
 * model is built without the pooler.
 */
import { tensor, tidy, transpose } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { DataError } from '../../data/data-error.js';
import { resolveTransformerOptions, type TransformerEncoderOptions } from './transformer-encoder.js';

/** A tensor of a checkpoint: float32 values, row-major. */
export interface CheckpointTensor {
  shape: number[];
  data: Float32Array;
}

/** The subset of HF's BertConfig this library reads and writes. */
export interface BertConfig {
  model_type?: string;
  architectures?: string[];
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  hidden_act: string;
  hidden_dropout_prob: number;
  attention_probs_dropout_prob: number;
  layer_norm_eps: number;
  initializer_range: number;
  position_embedding_type?: string;
  pad_token_id?: number;
  [key: string]: unknown;
}

/** Model types whose checkpoints are BERT's layout and semantics (RoBERTa's offset positions are not). */
const BERT_MODEL_TYPES = ['bert'];

/**
 * Our options (model shape, dropouts, LayerNorm epsilon, post-LN) from a config.json object. Keys
 * absent take BertConfig's defaults (BERT-base's); `hidden_act` must be 'gelu' (exact erf GELU,
 * the only activation the encoder has) and `position_embedding_type` 'absolute'.
 *
 * @throws Error (one line naming the key) for a config this encoder cannot reproduce.
 */
export function bertOptionsFromConfig(config: unknown, source = 'config.json'): TransformerEncoderOptions {
  if (!config || typeof config !== 'object' || Array.isArray(config)) throw new DataError(source, 'a BertConfig JSON object', JSON.stringify(config)?.slice(0, 40) ?? String(config));
  const c = config as Record<string, unknown>;
  const fail = (key: string, expected: string): never => {
    throw new DataError(source, `${key} ${expected}`, JSON.stringify(c[key]) ?? 'nothing');
  };
  if (c.model_type !== undefined && !BERT_MODEL_TYPES.includes(c.model_type as string)) fail('model_type', `one of ${BERT_MODEL_TYPES.join(', ')} (a BERT checkpoint)`);
  if ((c.hidden_act ?? 'gelu') !== 'gelu') fail('hidden_act', "'gelu' (the exact erf GELU, the only activation of this encoder)");
  if ((c.position_embedding_type ?? 'absolute') !== 'absolute') fail('position_embedding_type', "'absolute'");
  const int = (key: string, fallback?: number): number => {
    const v = c[key] ?? fallback;
    if (v === undefined) fail(key, 'present (an integer >= 1)');
    if (!Number.isInteger(v) || (v as number) < (key === 'type_vocab_size' || key === 'num_hidden_layers' ? 0 : 1)) fail(key, 'an integer >= 1');
    return v as number;
  };
  const num = (key: string, fallback: number, max = Infinity): number => {
    const v = c[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= max) fail(key, max === 1 ? 'a rate in [0, 1)' : 'a finite number >= 0');
    return v as number;
  };
  const options: TransformerEncoderOptions = {
    vocabSize: int('vocab_size'),
    hiddenSize: int('hidden_size'),
    numLayers: int('num_hidden_layers'),
    numHeads: int('num_attention_heads'),
    intermediateSize: int('intermediate_size'),
    maxPositions: int('max_position_embeddings', 512),
    typeVocabSize: int('type_vocab_size', 2),
    hiddenDropout: num('hidden_dropout_prob', 0.1, 1),
    attentionDropout: num('attention_probs_dropout_prob', 0.1, 1),
    layerNormEps: num('layer_norm_eps', 1e-12),
    initializerRange: num('initializer_range', 0.02),
    norm: 'post',
  };
  if (options.layerNormEps === 0) fail('layer_norm_eps', 'a number > 0');
  if (options.initializerRange === 0) fail('initializer_range', 'a number > 0');
  if (options.hiddenSize! % options.numHeads! !== 0) fail('hidden_size', `divisible by num_attention_heads = ${options.numHeads}`);
  return options;
}

/**
 * The config.json object of BertModel for our options (post-LN only: a pre-LN encoder is not a
 * BERT checkpoint).
 */
export function bertConfigFromOptions(options: TransformerEncoderOptions = {}): BertConfig {
  const o = resolveTransformerOptions(options, 'bertConfigFromOptions');
  if (o.norm !== 'post') throw new Error(`bertConfigFromOptions: norm must be 'post' (BERT's layout) to save a BERT checkpoint, received '${o.norm}'`);
  return {
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: o.vocabSize,
    hidden_size: o.hiddenSize,
    num_hidden_layers: o.numLayers,
    num_attention_heads: o.numHeads,
    intermediate_size: o.intermediateSize,
    max_position_embeddings: o.maxPositions,
    type_vocab_size: o.typeVocabSize,
    hidden_act: 'gelu',
    hidden_dropout_prob: o.hiddenDropout,
    attention_probs_dropout_prob: o.attentionDropout,
    layer_norm_eps: o.layerNormEps,
    initializer_range: o.initializerRange,
    position_embedding_type: 'absolute',
    pad_token_id: 0,
  };
}

/** How one of our weights is stored in the checkpoint. */
interface Mapping {
  /** Our weight's name, e.g. `encoder.layer.0/attention.self.query.kernel`. */
  ours: string;
  /** HF's name, without the `bert.` prefix, e.g. `encoder.layer.0.attention.self.query.weight`. */
  hf: string;
  /** Whether HF stores the transpose ([out, in] Linear.weight for our [in, out] kernel). */
  transposed: boolean;
}

/** Our weight name -> HF's tensor name (see the file comment). */
export function hfBertName(ours: string): { name: string; transposed: boolean } {
  const slash = ours.indexOf('/');
  if (slash < 0) throw new Error(`hfBertName: expected a weight name '<layer>/<weight>', received '${ours}'`);
  const dotted = `${ours.slice(0, slash)}.${ours.slice(slash + 1)}`;
  if (dotted.endsWith('.kernel')) return { name: `${dotted.slice(0, -'.kernel'.length)}.weight`, transposed: true };
  if (dotted.endsWith('.gamma')) return { name: `${dotted.slice(0, -'.gamma'.length)}.weight`, transposed: false };
  if (dotted.endsWith('.beta')) return { name: `${dotted.slice(0, -'.beta'.length)}.bias`, transposed: false };
  if (dotted.endsWith('.bias')) return { name: dotted, transposed: false };
  if (dotted.endsWith('_embeddings')) return { name: `${dotted}.weight`, transposed: false };
  throw new Error(`hfBertName: no BERT name for weight '${ours}'`);
}

function mappings(model: LayersModel): Mapping[] {
  return model.weights.map((w) => {
    const { name, transposed } = hfBertName(w.originalName);
    return { ours: w.originalName, hf: name, transposed };
  });
}

/** A checkpoint name without the `bert.` prefix, old LayerNorm names made new. */
function canonical(name: string): string {
  let n = name.startsWith('bert.') ? name.slice('bert.'.length) : name;
  n = n.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
  return n;
}

/** Checkpoint tensors a BertModel-shaped encoder has no place for and may skip. */
function ignorable(name: string, hasPooler: boolean): boolean {
  return name === 'embeddings.position_ids' || name.startsWith('cls.') || (!hasPooler && name.startsWith('pooler.'));
}

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * Loads a BertModel state dict onto the model's weights (all or nothing). `tensors`: name ->
 * float32 values and shape (e.g. `parseSafetensors(...).tensors`); `source` names the file in errors.
 *
 * @throws DataError (one line naming the tensor) for a missing, extra, duplicated or
 *   shape-mismatched tensor.
 */
export function loadBertWeights(model: LayersModel, tensors: Map<string, CheckpointTensor> | Record<string, CheckpointTensor>, source = 'model.safetensors'): void {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const maps = mappings(model);
  const hasPooler = maps.some((m) => m.hf.startsWith('pooler.'));
  const byName = new Map<string, { original: string; t: CheckpointTensor }>();
  for (const [original, t] of entries) {
    const name = canonical(original);
    const prev = byName.get(name);
    if (prev) throw new DataError(source, `one tensor for '${name}'`, `two ('${prev.original}' and '${original}')`);
    byName.set(name, { original, t });
  }
  const wanted = new Set(maps.map((m) => m.hf));
  for (const [name, { original }] of byName) {
    if (!wanted.has(name) && !ignorable(name, hasPooler)) {
      throw new DataError(source, `only the tensors of a BertModel with ${model.weights.length} weights`, `unexpected tensor '${original}'`);
    }
  }
  const weights = model.weights;
  const values = maps.map((m, i) => {
    const entry = byName.get(m.hf);
    const ourShape = weights[i].shape as number[];
    const shape = m.transposed ? [...ourShape].reverse() : ourShape;
    if (!entry) throw new DataError(source, `tensor '${m.hf}' ${shapeText(shape)} (for ${m.ours})`, 'none');
    const { original, t } = entry;
    if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
      throw new DataError(source, `tensor '${original}' of shape ${shapeText(shape)} (for ${m.ours})`, `shape ${shapeText(t.shape)}`);
    }
    if (t.data.length !== shape.reduce((a, b) => a * b, 1)) throw new DataError(source, `tensor '${original}' with ${shape.reduce((a, b) => a * b, 1)} values`, `${t.data.length}`);
    return { m, t, shape };
  });
  for (let i = 0; i < values.length; i++) {
    const { m, t, shape } = values[i];
    const v = tidy(() => (m.transposed ? transpose(tensor(t.data, shape, 'float32')) : tensor(t.data, shape, 'float32')));
    weights[i].write(v);
    v.dispose();
  }
}

/**
 * The model's weights as a BertModel state dict (HF names without the `bert.` prefix, Linear
 * weights [out, in]), in the model's weight order: what `writeSafetensors` saves.
 */
export function bertTensorsFromModel(model: LayersModel): Map<string, CheckpointTensor> {
  const out = new Map<string, CheckpointTensor>();
  const maps = mappings(model);
  model.weights.forEach((w, i) => {
    const m = maps[i];
    const value = w.read();
    const t = m.transposed ? transpose(value) : value;
    out.set(m.hf, { shape: [...t.shape], data: t.dataSync() as Float32Array });
    if (t !== value) t.dispose();
  });
  return out;
}
