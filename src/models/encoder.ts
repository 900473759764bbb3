/**
 * The encoder as a unit: a tfjs-layers backbone, what one item is (`ItemSpec`) and how a raw item
 * becomes model input (`Preprocessing`), so a trained model can be saved, loaded and used without
 * rebuilding its architecture (the "embed as a unit" API of transformers.js'
 * `pipelines/feature-extraction.js`: `embed(items, { normalize })`, `dispose()`).
 *
 * Pure (no `node:*` import, browser-safe): `toArtifacts()` / `Encoder.fromArtifacts()` move an
 * encoder as a JSON manifest plus one weight buffer (plus the tokenizer.json bytes of a text
 * encoder); `save(dir)` and `loadEncoder(dir)`
 * (./encoder-file.ts, Node) put those on disk, where the format is documented.
 *
 * Preprocessing of `embed(items)` (version 1):
 * - **image** `{ kind: 'image', version: 1, scale }` (default scale 1/255). The rule is by array type,
 *   never by value: `Uint8Array` / `Uint8ClampedArray` pixels (0-255) are multiplied by `scale`
 *   (in float64, then rounded to float32, so 1/255 gives exactly the float32 of `p / 255` the
 *   training pipeline uses); `Float32Array` pixels are taken as model-ready ([0, 1]) and used as is.
 *   Then channels are converted to the encoder's: 1 -> 3 replicates gray, 3 or 4 -> 1 is the
 *   ITU-R BT.601 luma 0.299 R + 0.587 G + 0.114 B, 4 -> 3 drops alpha (no compositing), 1 or 3 -> 4
 *   adds an opaque alpha of 1. Then an item of another size is resized to the encoder's height x
 *   width with `tf.image.resizeBilinear(x, [H, W], alignCorners = false, halfPixelCenters = true)`:
 *   half-pixel centres, the sampling of PIL, OpenCV's INTER_LINEAR and torchvision/PyTorch
 *   `interpolate(mode='bilinear', align_corners=False)`, without antialiasing on downscale.
 * - **vector** `{ kind: 'vector', version: 1, mean?, std? }`: `(x - mean) / std` per column (either
 *   may be absent: 0 and 1), in float64, rounded to float32.
 * - **text** `{ kind: 'text', version: 1, tokenizer, maxLength }` (`TextPreprocessing`): `embed(texts)`
 *   tokenizes each batch with `tokenizer.encodeBatch(texts, { maxLength, padding: 'longest',
 *   truncation: true })` and feeds the model's inputs by name: `input_ids`, `attention_mask` (and
 *   `token_type_ids` when the model takes it), int32 [n, L]. `maxLength` defaults to the model's
 *   `maxPositions` (its ContrastiveTokenEmbeddings layer), else 128. The tokenizer is stored as a
 *   separate part, `tokenizer.json` (Hugging Face's format, `tokenizer.toJSON()`), with its own
 *   CRC-32 in the manifest (`TextPreprocessingEntry`). A text encoder without a tokenizer
 *   (`{ kind: 'text', version: 1 }`, what older files hold) still loads; its `embed` refuses text,
 *   `embedTensor` takes token tensors.
 *
 * `embedTensor(x)` takes model-ready input (what collate makes: NHWC float32 images at the encoder's
 * size, vectors already preprocessed) and applies no preprocessing.
 */
import { dispose, image as tfImage, tensor, tensor2d, tensor3d, tensor4d, tidy, serialization, type DataType, type Tensor, type Tensor2D } from '@tensorflow/tfjs-core';
import { models, version_layers, type LayersModel } from '@tensorflow/tfjs-layers';
import type { ItemSpec } from '../data/source.js';
import { embedTextWindows, LONG_TEXT_MODES, type LongText } from '../embed/text-windows.js';
import { isTensor, type ViewInput } from '../data/batch.js';
import { applyModel } from './apply-model.js';
import { BatchNorm } from './layers/batch-norm.js';
import { TokenEmbeddings } from './transformer/embeddings.js';
import { Tokenizer, type SpecialTokens } from './transformer/tokenizer.js';
import { registerTransformerLayers } from './transformer/transformer-encoder.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Text: the tokenizer and the longest row (special tokens included) that `embed` feeds the model. */
export interface TextPreprocessing {
  kind: 'text';
  version: 1;
  /** Absent: the encoder cannot embed raw text (embedTensor only). */
  tokenizer?: Tokenizer;
  /** Rows are truncated to this many tokens. Default: the model's maxPositions, else 128 (needs a tokenizer). */
  maxLength?: number;
}

/** How `embed` turns a raw item into model input (see the file comment). */
export type Preprocessing =
  | { kind: 'image'; version: 1; scale: number }
  | { kind: 'vector'; version: 1; mean?: number[]; std?: number[] }
  | TextPreprocessing;

/** The tokenizer part as the manifest describes it (`preprocessing.tokenizer` of a text encoder). */
export interface TokenizerFileEntry {
  /** Name of the tokenizer file beside the manifest: "tokenizer.json". */
  file: string;
  /** Bytes of the file (UTF-8 JSON, Hugging Face's tokenizer.json). */
  byteLength: number;
  /** CRC-32 of the whole file, 8 lowercase hex digits. */
  checksum: { algorithm: 'crc32'; value: string };
  /** The special tokens by role (those the tokenizer has), so they resolve as when it was saved. */
  specialTokens: SpecialTokens;
  /** The tokenizer_config.json it was made with; absent when none. */
  config?: { [key: string]: JsonValue };
}

/** Text preprocessing as the manifest stores it. */
export interface TextPreprocessingEntry {
  kind: 'text';
  version: 1;
  /** Present with a tokenizer. */
  maxLength?: number;
  /** Absent: no tokenizer (older files, or an encoder built without one). */
  tokenizer?: TokenizerFileEntry;
}

/** Preprocessing as the manifest stores it: images and vectors as in memory, text with its tokenizer part. */
export type PreprocessingEntry = Exclude<Preprocessing, TextPreprocessing> | TextPreprocessingEntry;

/** One image: row-major [height, width, channels]; uint8 (0-255) or float32 (model-ready) pixels. */
export interface ImageItem {
  data: Uint8Array | Uint8ClampedArray | Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** One row of `dim` features. */
export type VectorItem = ArrayLike<number>;

export type EncoderItem = ImageItem | VectorItem | string;

export interface EncoderOptions {
  /**
   * The backbone: one input (text: named int32 inputs [N, L] among input_ids, attention_mask,
   * token_type_ids, e.g. transformerEncoder's), one output [N, D]. The Encoder owns it from now on (dispose()).
   */
  model: LayersModel;
  /** What one item is; an image spec must match the model's input [N, height, width, channels]. */
  input: ItemSpec;
  /** How embed() prepares raw items. Default: the kind's default (images: scale 1/255; none otherwise). */
  preprocessing?: Preprocessing;
  /** A name for messages and files. Default: the model's name. */
  name?: string;
  /** Any JSON (method, data set, epochs, ...), stored with the encoder. Default {}. */
  metadata?: { [key: string]: JsonValue };
}

export interface EmbedItemsOptions {
  /** Items per forward pass. Default 256. */
  batchSize?: number;
  /** Scale every row to unit L2 norm (a zero row stays zero). Default false. */
  normalize?: boolean;
  /**
   * Text encoders: a text longer than maxLength tokens is embedded from its first maxLength tokens
   * ('truncate', what Sentence-BERT does), or whole, as the token-weighted mean of windows of
   * maxLength tokens ('windows', src/embed/text-windows.ts). Default 'truncate'.
   */
  longText?: LongText;
  /** With longText 'windows': content tokens between window starts. Default: a window's content length (no overlap). */
  stride?: number;
}

/** Embeddings of `rows` items, row-major [rows, dim] (the `Embeddings` of eval/knn.ts plus rows). */
export interface ItemEmbeddings {
  values: Float32Array;
  dim: number;
  rows: number;
}

export interface WeightEntry {
  /** The tfjs-layers weight's original name, e.g. 'conv2d_Conv2D1/kernel'. */
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  /** Byte offset of the first value in the weight buffer. */
  offset: number;
  /** 4 x the number of values. */
  byteLength: number;
}

export interface EncoderManifest {
  format: 'contrastive-encoder';
  version: 1;
  name: string;
  /** Width D of one embedding. */
  dim: number;
  input: ItemSpec;
  preprocessing: PreprocessingEntry;
  metadata: { [key: string]: JsonValue };
  /** The tfjs-layers model topology, `model.toJSON(null, false)` (tfjs's model.json `modelTopology`). */
  topology: { [key: string]: JsonValue };
  weights: {
    /** Name of the weight file beside the manifest (on disk). */
    file: string;
    /** Total bytes of the weight buffer. */
    byteLength: number;
    byteOrder: 'little-endian';
    /** CRC-32 (IEEE 802.3) of the whole weight buffer, 8 lowercase hex digits. */
    checksum: { algorithm: 'crc32'; value: string };
    entries: WeightEntry[];
  };
  /** What wrote it (informative). */
  producer: { library: 'contrastive'; tfjsLayers: string };
}

export interface EncoderArtifacts {
  manifest: EncoderManifest;
  weights: Uint8Array;
  /** The bytes of tokenizer.json (UTF-8 JSON): text encoders with a tokenizer only. */
  tokenizer?: Uint8Array;
}

/** Names used in error messages of fromArtifacts (loadEncoder passes the file paths). */
export interface ArtifactNames {
  manifest?: string;
  weights?: string;
  tokenizer?: string;
}

/** Parts of an encoder besides the manifest and the weights (text: the tokenizer file). */
export interface ArtifactParts {
  /** The bytes of tokenizer.json, required when the manifest's preprocessing names one. */
  tokenizer?: Uint8Array;
}

export const ENCODER_FORMAT = 'contrastive-encoder';
export const ENCODER_VERSION = 1;
export const WEIGHTS_FILE = 'weights.bin';
export const MANIFEST_FILE = 'encoder.json';
export const TOKENIZER_FILE = 'tokenizer.json';
/** The named inputs a text encoder's embed can feed (what collateTokens makes). */
export const TEXT_INPUT_NAMES = ['input_ids', 'attention_mask', 'token_type_ids'] as const;
/** maxLength of text preprocessing when the model does not say its maxPositions. */
export const DEFAULT_TEXT_MAX_LENGTH = 128;
const SPECIAL_ROLES = ['pad', 'unk', 'cls', 'sep', 'mask'] as const;

// ---------------------------------------------------------------------------------------------
// Helpers

/** Registers the layers our backbones use with tfjs' serialization (idempotent, no import-time side effect). */
export function registerEncoderLayers(): void {
  serialization.registerClass(BatchNorm);
}

let crcTable: Int32Array | null = null;

/**
 * CRC-32 (IEEE 802.3 / zlib / PNG: reflected polynomial 0xEDB88320, initial value 0xFFFFFFFF,
 * final XOR 0xFFFFFFFF) of `bytes`, as 8 lowercase hex digits. crc32('123456789') = 'cbf43926'.
 */
export function crc32(bytes: Uint8Array): string {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  const t = crcTable;
  let crc = -1;
  for (let i = 0; i < bytes.length; i++) crc = t[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return ((crc ^ -1) >>> 0).toString(16).padStart(8, '0');
}

/**
 * The first float32 weight of `model` that is NaN or infinite (its tfjs-layers original name, the
 * flat index and the value), or undefined when every weight is finite. A run that diverged leaves
 * such weights; loading (`fromArtifacts`), saving and `contrastive embed` / `eval` refuse them.
 */
export function nonFiniteWeight(model: LayersModel): { name: string; index: number; value: number } | undefined {
  for (const w of model.weights) {
    if (w.dtype !== 'float32') continue;
    const v = w.read().dataSync() as Float32Array;
    const index = v.findIndex((x) => !Number.isFinite(x));
    if (index >= 0) return { name: w.originalName, index, value: v[index] };
  }
  return undefined;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Little-endian bytes of float32 / int32 values. */
function toLeBytes(values: Float32Array | Int32Array): Uint8Array {
  if (littleEndian) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.byteLength);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => (values instanceof Float32Array ? view.setFloat32(i * 4, v, true) : view.setInt32(i * 4, v, true)));
  return out;
}

/** float32 / int32 values of little-endian bytes [offset, offset + 4 * count). */
function fromLeBytes(bytes: Uint8Array, offset: number, count: number, dtype: 'float32' | 'int32'): Float32Array | Int32Array {
  if (littleEndian) {
    const copy = bytes.slice(offset, offset + 4 * count); // aligned copy
    return dtype === 'float32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 4 * count);
  const out = dtype === 'float32' ? new Float32Array(count) : new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = dtype === 'float32' ? view.getFloat32(i * 4, true) : view.getInt32(i * 4, true);
  return out;
}

const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;
const show = (v: unknown): string => {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 200 ? `${s.slice(0, 200)}...` : s;
  } catch {
    return String(v);
  }
};

/** Throws unless `spec` is a valid ItemSpec; `where` names it. */
function checkSpec(where: string, spec: unknown): ItemSpec {
  const s = spec as ItemSpec;
  if (s && typeof s === 'object') {
    if (s.kind === 'image' && isInt(s.height, 1) && isInt(s.width, 1) && isInt(s.channels, 1)) return s;
    if (s.kind === 'vector' && isInt(s.dim, 1) && (s.columns === undefined || (Array.isArray(s.columns) && s.columns.length === s.dim && s.columns.every((c) => typeof c === 'string')))) return s;
    if (s.kind === 'text') return s;
  }
  throw new Error(`${where} must be {kind:'image', height, width, channels} | {kind:'vector', dim, columns?} | {kind:'text'} with sizes integers >= 1, received ${show(spec)}`);
}

/** The default preprocessing of items of `spec`'s kind. */
export function defaultPreprocessing(spec: ItemSpec): Preprocessing {
  return spec.kind === 'image' ? { kind: 'image', version: 1, scale: 1 / 255 } : spec.kind === 'vector' ? { kind: 'vector', version: 1 } : { kind: 'text', version: 1 };
}

/** The maxPositions and vocabSize of a transformer's token embeddings (undefined for other models). */
function tokenTable(model: LayersModel): { maxPositions: number; vocabSize: number } | undefined {
  const layer = model.layers.find((l) => l.getClassName() === TokenEmbeddings.className) as TokenEmbeddings | undefined;
  return layer && isInt(layer.maxPositions, 1) && isInt(layer.vocabSize, 1) ? { maxPositions: layer.maxPositions, vocabSize: layer.vocabSize } : undefined;
}

/** Throws unless `p` is valid text preprocessing for `model`; resolves maxLength. */
function checkTextPreprocessing(where: string, q: TextPreprocessing, model: LayersModel | undefined): TextPreprocessing {
  const { tokenizer, maxLength } = q;
  if (tokenizer === undefined) {
    if (maxLength !== undefined) throw new Error(`${where}.maxLength needs a tokenizer (${where}.tokenizer is absent), received maxLength ${show(maxLength)}`);
    return { kind: 'text', version: 1 };
  }
  if (!(tokenizer instanceof Tokenizer)) throw new Error(`${where}.tokenizer must be a Tokenizer (Tokenizer.fromJSON / fromFile / trainWordPiece), received ${show(tokenizer)}`);
  const table = model ? tokenTable(model) : undefined;
  const resolved = maxLength ?? table?.maxPositions ?? DEFAULT_TEXT_MAX_LENGTH;
  if (!isInt(resolved, 1)) throw new Error(`${where}.maxLength must be an integer >= 1, received ${show(maxLength)}`);
  if (table && resolved > table.maxPositions) throw new Error(`${where}.maxLength must be at most the model's maxPositions ${table.maxPositions}, received ${resolved}`);
  if (table && tokenizer.vocabSize > table.vocabSize) {
    throw new Error(`${where}.tokenizer has ${tokenizer.vocabSize} ids, more than the model's vocabulary of ${table.vocabSize} (vocabSize)`);
  }
  try {
    tokenizer.encodeBatch([''], { maxLength: resolved, padding: 'longest', truncation: true }); // a pad token, room for the special tokens
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message.replace(/^Tokenizer\.encodeBatch: /, '')}`);
  }
  return { kind: 'text', version: 1, tokenizer, maxLength: resolved };
}

/** Throws unless `p` is a stored text preprocessing (the manifest's); returns it. */
function checkTextEntry(where: string, q: TextPreprocessingEntry, weightsFile: unknown): TextPreprocessingEntry {
  const { tokenizer: t, maxLength } = q;
  if (t === undefined) {
    if (maxLength !== undefined) throw new Error(`${where}.maxLength needs a tokenizer (${where}.tokenizer is absent), received maxLength ${show(maxLength)}`);
    return q;
  }
  if (!isInt(maxLength, 1)) throw new Error(`${where}.maxLength must be an integer >= 1, received ${show(maxLength)}`);
  if (!t || typeof t !== 'object' || Array.isArray(t)) throw new Error(`${where}.tokenizer must be { file, byteLength, checksum, specialTokens, config? }, received ${show(t)}`);
  if (typeof t.file !== 'string' || !/^[A-Za-z0-9._-]+$/.test(t.file) || t.file === '.' || t.file === '..' || t.file === MANIFEST_FILE || t.file === weightsFile) {
    throw new Error(`${where}.tokenizer.file must be a plain file name other than ${MANIFEST_FILE} and the weights file, received ${show(t.file)}`);
  }
  if (!isInt(t.byteLength, 0)) throw new Error(`${where}.tokenizer.byteLength must be an integer >= 0, received ${show(t.byteLength)}`);
  if (!t.checksum || t.checksum.algorithm !== 'crc32' || typeof t.checksum.value !== 'string' || !/^[0-9a-f]{8}$/.test(t.checksum.value)) {
    throw new Error(`${where}.tokenizer.checksum must be { algorithm: 'crc32', value: 8 hex digits }, received ${show(t.checksum)}`);
  }
  const sp = t.specialTokens as unknown;
  const okSpecial = !!sp && typeof sp === 'object' && !Array.isArray(sp) &&
    Object.entries(sp).every(([k, v]) => (SPECIAL_ROLES as readonly string[]).includes(k) && typeof v === 'string' && v.length > 0);
  if (!okSpecial) throw new Error(`${where}.tokenizer.specialTokens must map roles (${SPECIAL_ROLES.join(', ')}) to tokens, received ${show(sp)}`);
  if (t.config !== undefined) checkMetadata(`${where}.tokenizer.config`, t.config);
  return q;
}

/** Throws unless `p` is a valid preprocessing of items of `spec`; returns a clean copy. */
function checkPreprocessing(where: string, p: unknown, spec: ItemSpec, model?: LayersModel): Preprocessing {
  const q = p as Preprocessing;
  if (!q || typeof q !== 'object') throw new Error(`${where} must be an object, received ${show(p)}`);
  if (q.kind !== spec.kind) throw new Error(`${where}.kind must be '${spec.kind}' (the input's kind), received ${show(q.kind)}`);
  if (q.version !== 1) throw new Error(`${where}.version must be 1, received ${show(q.version)}`);
  if (q.kind === 'image') {
    if (!(typeof q.scale === 'number' && Number.isFinite(q.scale) && q.scale > 0)) throw new Error(`${where}.scale must be a finite number > 0, received ${show(q.scale)}`);
    return { kind: 'image', version: 1, scale: q.scale };
  }
  if (q.kind === 'vector') {
    const dim = (spec as { dim: number }).dim;
    const out: Preprocessing = { kind: 'vector', version: 1 };
    for (const key of ['mean', 'std'] as const) {
      const v = q[key];
      if (v === undefined) continue;
      const ok = Array.isArray(v) && v.length === dim && v.every((x) => typeof x === 'number' && Number.isFinite(x) && (key === 'mean' || x > 0));
      if (!ok) throw new Error(`${where}.${key} must be ${dim} finite numbers${key === 'std' ? ' > 0' : ''} (one per column), received ${show(v)}`);
      out[key] = Array.from(v);
    }
    return out;
  }
  if (q.kind === 'text') return checkTextPreprocessing(where, q, model);
  throw new Error(`${where}.kind must be 'image', 'vector' or 'text', received ${show((q as { kind: unknown }).kind)}`);
}

function checkMetadata(where: string, metadata: unknown): { [key: string]: JsonValue } {
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) throw new Error(`${where} must be a JSON object, received ${show(metadata)}`);
  let text: string;
  try {
    text = JSON.stringify(metadata);
  } catch (e) {
    throw new Error(`${where} must be JSON-serialisable: ${(e as Error).message}`);
  }
  return JSON.parse(text) as { [key: string]: JsonValue };
}

/**
 * Shape of a model's input (the first) and single output, or an error naming which is wrong. Image
 * and vector encoders take one input; text encoders may take named inputs (ids, mask, ...).
 */
function modelShapes(where: string, model: LayersModel, kind: ItemSpec['kind']): { input: (number | null)[]; output: (number | null)[] } {
  if (kind !== 'text' && model.inputs.length !== 1) throw new Error(`${where}: the model must have 1 input, received ${model.inputs.length}`);
  if (model.inputs.length < 1) throw new Error(`${where}: the model must have at least 1 input, received 0`);
  if (model.outputs.length !== 1) throw new Error(`${where}: the model must have 1 output [N, D], received ${model.outputs.length} outputs`);
  return { input: model.inputs[0].shape, output: model.outputs[0].shape };
}

function l2Normalize(values: Float32Array, dim: number): void {
  for (let r = 0; r < values.length; r += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += values[r + j] * values[r + j];
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) values[r + j] *= inv;
  }
}

/**
 * Converts float pixels [pixels, c] to [pixels, C] (see the file comment). Returns `src` itself when
 * c = C.
 */
export function convertChannels(src: Float32Array, c: number, C: number): Float32Array {
  if (c === C) return src;
  const n = src.length / c;
  const out = new Float32Array(n * C);
  if (C === 1 && (c === 3 || c === 4)) {
    for (let i = 0; i < n; i++) out[i] = 0.299 * src[i * c] + 0.587 * src[i * c + 1] + 0.114 * src[i * c + 2];
  } else if ((C === 3 || C === 4) && (c === 1 || c === 3 || c === 4)) {
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < 3; k++) out[i * C + k] = src[i * c + (c === 1 ? 0 : k)];
      if (C === 4) out[i * C + 3] = 1;
    }
  } else {
    throw new Error(`convertChannels: can convert 1, 3 or 4 channels to 1, 3 or 4, received ${c} -> ${C}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

export class Encoder {
  readonly model: LayersModel;
  readonly input: ItemSpec;
  readonly preprocessing: Preprocessing;
  readonly name: string;
  readonly metadata: { [key: string]: JsonValue };
  /** Width D of one embedding. */
  readonly dim: number;
  private disposed = false;

  constructor(options: EncoderOptions) {
    if (!options || typeof options !== 'object') throw new Error(`Encoder: options must be { model, input, preprocessing?, name?, metadata? }, received ${show(options)}`);
    const { model } = options;
    if (!model || typeof (model as LayersModel).apply !== 'function' || !Array.isArray((model as LayersModel).inputs)) {
      throw new Error(`Encoder: model must be a tfjs-layers LayersModel, received ${show(model)}`);
    }
    registerEncoderLayers();
    const input = checkSpec('Encoder: input', options.input);
    const shapes = modelShapes('Encoder', model, input.kind);
    const out = shapes.output;
    if (out.length !== 2 || !isInt(out[1], 1)) throw new Error(`Encoder: the model's output must be [N, D], received [${out.map((d) => d ?? 'N')}]`);
    const inShape = shapes.input;
    const want = input.kind === 'image' ? [input.height, input.width, input.channels] : input.kind === 'vector' ? [input.dim] : null;
    if (want && (inShape.length !== want.length + 1 || want.some((d, i) => inShape[i + 1] !== null && inShape[i + 1] !== d))) {
      const what = input.kind === 'image' ? '[N, height, width, channels]' : '[N, dim]';
      throw new Error(`Encoder: input ${show(options.input)} must match the model's input ${what} = [${inShape.map((d) => d ?? 'N')}], expected [N, ${want.join(', ')}]`);
    }
    const name = options.name ?? model.name;
    if (typeof name !== 'string' || name.length === 0) throw new Error(`Encoder: name must be a non-empty string, received ${show(options.name)}`);
    this.model = model;
    this.input = JSON.parse(JSON.stringify(input)) as ItemSpec;
    const preprocessing = checkPreprocessing('Encoder: preprocessing', options.preprocessing ?? defaultPreprocessing(input), input, model);
    if (preprocessing.kind === 'text' && preprocessing.tokenizer) {
      const unknown = model.inputNames.filter((n) => !(TEXT_INPUT_NAMES as readonly string[]).includes(n));
      const badRank = model.inputs.filter((t) => t.shape.length !== 2).map((t) => t.name);
      if (unknown.length > 0 || badRank.length > 0 || !model.inputNames.includes('input_ids')) {
        throw new Error(`Encoder: a text encoder's model must take named inputs [N, L] among ${TEXT_INPUT_NAMES.join(', ')} (input_ids included), received ${model.inputs.map((t, i) => `${model.inputNames[i]} [${t.shape.map((d) => d ?? 'N')}]`).join(', ')}`);
      }
    }
    this.preprocessing = preprocessing;
    this.name = name;
    this.metadata = checkMetadata('Encoder: metadata', options.metadata ?? {});
    this.dim = out[1] as number;
  }

  private live(caller: string): void {
    if (this.disposed) throw new Error(`Encoder.${caller}: the encoder '${this.name}' was disposed`);
  }

  /**
   * The embeddings of model-ready input x ([N, ...] or named tensors, fed to the model's inputs by
   * name), in inference mode: [N, D]. No preprocessing. The caller disposes the result.
   */
  embedTensor(x: ViewInput): Tensor2D {
    this.live('embedTensor');
    const { inputs, inputNames } = this.model;
    let feed: ViewInput;
    if (isTensor(x)) {
      if (inputs.length !== 1) throw new Error(`Encoder.embedTensor: the model takes named inputs {${inputNames.join(', ')}}; x must be an object of those tensors, received one tensor [${x.shape}]`);
      feed = x;
    } else {
      if (!x || typeof x !== 'object') throw new Error(`Encoder.embedTensor: x must be a tensor or named tensors {${inputNames.join(', ')}}, received ${show(x)}`);
      const names = Object.keys(x);
      const missing = inputNames.filter((k) => !x[k] || typeof x[k] !== 'object' || !isTensor(x[k]));
      if (missing.length > 0) {
        const what = inputNames.length === 1 ? `'${inputNames[0]}' (the model's input)` : `${inputNames.map((k) => `'${k}'`).join(', ')} (the model's inputs)`;
        throw new Error(`Encoder.embedTensor: named input must hold ${what}, received {${names.join(', ')}}`);
      }
      feed = x;
    }
    inputs.forEach((sym, k) => {
      const t = isTensor(feed) ? feed : feed[inputNames[k]];
      const inShape = sym.shape;
      if (t.rank !== inShape.length || inShape.some((d, i) => d !== null && t.shape[i] !== d)) {
        const label = inputs.length === 1 && isTensor(feed) ? 'x' : `x.${inputNames[k]}`;
        throw new Error(`Encoder.embedTensor: ${label} must be [${inShape.map((d) => d ?? 'N')}], received [${t.shape}]`);
      }
    });
    return tidy(() => {
      const y = applyModel(this.model, feed, false);
      if (y.rank !== 2) throw new Error(`Encoder.embedTensor: the model returned [${y.shape}], expected [N, ${this.dim}]`);
      return y as Tensor2D;
    });
  }

  /**
   * Embeds one item or an array of items (images: `ImageItem`, vectors: `ArrayLike<number>` of
   * length dim, text: strings), preprocessed as the file comment says, in batches, in inference
   * mode. Returns [rows, dim] float32, row-major; no tensor is left behind.
   */
  embed(items: EncoderItem | readonly EncoderItem[], options: EmbedItemsOptions = {}): ItemEmbeddings {
    this.live('embed');
    const { batchSize = 256, normalize = false, longText = 'truncate', stride } = options;
    if (!isInt(batchSize, 1)) throw new Error(`Encoder.embed: batchSize must be an integer >= 1, received ${show(batchSize)}`);
    if (typeof normalize !== 'boolean') throw new Error(`Encoder.embed: normalize must be a boolean, received ${show(normalize)}`);
    if (!LONG_TEXT_MODES.includes(longText)) throw new Error(`Encoder.embed: longText must be one of ${LONG_TEXT_MODES.join(', ')}, received ${show(longText)}`);
    if (stride !== undefined && longText !== 'windows') throw new Error(`Encoder.embed: stride needs longText 'windows', received longText ${show(longText)}`);
    const spec = this.input;
    if (spec.kind === 'text') return this.embedTexts(items, batchSize, normalize, longText, stride);
    if (options.longText !== undefined) throw new Error(`Encoder.embed: longText applies to text encoders; encoder '${this.name}' embeds ${spec.kind} items`);
    const list = this.asList(items);
    const rows = list.length;
    const rowLen = spec.kind === 'image' ? spec.height * spec.width * spec.channels : spec.dim;
    const buf = new Float32Array(Math.min(batchSize, Math.max(rows, 1)) * rowLen);
    return this.embedBatches(rows, batchSize, normalize, (s, n) => {
      for (let i = 0; i < n; i++) buf.set(this.prepare(list[s + i], s + i), i * rowLen);
      const x = buf.subarray(0, n * rowLen);
      return spec.kind === 'image' ? tensor4d(x, [n, spec.height, spec.width, spec.channels]) : tensor2d(x, [n, spec.dim]);
    });
  }

  /** The embeddings of `rows` items, `batchSize` at a time: `input(s, n)` makes the model input of items s..s+n-1 (inside a tidy). */
  private embedBatches(rows: number, batchSize: number, normalize: boolean, input: (s: number, n: number) => Tensor | { [name: string]: Tensor }): ItemEmbeddings {
    const values = new Float32Array(rows * this.dim);
    for (let s = 0; s < rows; s += batchSize) {
      const n = Math.min(batchSize, rows - s);
      const z = tidy(() => this.embedTensor(input(s, n) as never));
      try {
        values.set(z.dataSync() as Float32Array, s * this.dim);
      } finally {
        z.dispose();
      }
    }
    if (normalize) l2Normalize(values, this.dim);
    return { values, dim: this.dim, rows };
  }

  /** embed() of a text encoder: tokenized per batch, fed by input name. */
  private embedTexts(items: unknown, batchSize: number, normalize: boolean, longText: LongText, stride: number | undefined): ItemEmbeddings {
    const { tokenizer, maxLength } = this.preprocessing as TextPreprocessing;
    if (!tokenizer || maxLength === undefined) throw new Error(`Encoder.embed: text items need a tokenizer, which encoder '${this.name}' does not hold; pass token tensors to embedTensor`);
    let texts: readonly string[];
    if (typeof items === 'string') {
      texts = [items];
    } else if (Array.isArray(items)) {
      items.forEach((t, i) => {
        if (typeof t !== 'string') throw new Error(`Encoder.embed: items[${i}] must be a string (encoder '${this.name}' embeds text), received ${show(t)}`);
      });
      texts = items as string[];
    } else {
      throw new Error(`Encoder.embed: items must be a string or an array of strings (encoder '${this.name}' embeds text), received ${show(items)}`);
    }
    const names = this.model.inputNames;
    if (longText === 'windows') {
      let values: Float32Array;
      try {
        ({ values } = embedTextWindows(texts, tokenizer, (feed) => applyModel(this.model, feed, false) as Tensor2D, {
          maxLength, batchSize, inputNames: names, ...(stride === undefined ? {} : { stride }),
        }));
      } catch (e) {
        throw new Error(`Encoder.embed: ${(e as Error).message.replace(/^(Tokenizer\.encodeWindows|embedTextWindows): /, '')}`);
      }
      if (normalize) l2Normalize(values, this.dim);
      return { values, dim: this.dim, rows: texts.length };
    }
    return this.embedBatches(texts.length, batchSize, normalize, (s, n) => {
      const b = tokenizer.encodeBatch(texts.slice(s, s + n), { maxLength, padding: 'longest', truncation: true });
      const shape: [number, number] = [b.n, b.length];
      const all: { [name: string]: Tensor } = {};
      for (const name of names) all[name] = tensor2d(name === 'input_ids' ? b.ids : name === 'attention_mask' ? b.attentionMask : b.typeIds, shape, 'int32');
      return all;
    });
  }

  /** One item or a list, as a list. */
  private asList(items: EncoderItem | readonly EncoderItem[]): readonly EncoderItem[] {
    if (this.input.kind === 'image') return Array.isArray(items) ? (items as readonly EncoderItem[]) : [items as EncoderItem];
    // vectors: a list is an array whose elements are not numbers ([] is an empty list)
    if (Array.isArray(items) && (items.length === 0 || typeof items[0] !== 'number')) return items as readonly EncoderItem[];
    return [items as EncoderItem];
  }

  /** Item i as one model-ready row (see the file comment). */
  private prepare(item: EncoderItem, i: number): Float32Array {
    const spec = this.input;
    if (spec.kind === 'vector') {
      const v = item as VectorItem;
      if (!v || typeof v.length !== 'number' || v.length !== spec.dim) {
        throw new Error(`Encoder.embed: item ${i} must be ${spec.dim} numbers, received ${v && typeof v.length === 'number' ? `${v.length} values` : show(v)}`);
      }
      const p = this.preprocessing as { mean?: number[]; std?: number[] };
      const out = new Float32Array(spec.dim);
      for (let j = 0; j < spec.dim; j++) {
        const x = Number(v[j]);
        out[j] = (x - (p.mean ? p.mean[j] : 0)) / (p.std ? p.std[j] : 1);
      }
      return out;
    }
    if (spec.kind !== 'image') throw new Error(`Encoder.embed: items of kind '${spec.kind}' are not supported`);
    const im = item as ImageItem;
    if (!im || typeof im !== 'object' || !('data' in im)) throw new Error(`Encoder.embed: item ${i} must be { data, height, width, channels }, received ${show(im)}`);
    const { data, height: h, width: w, channels: c } = im;
    if (!isInt(h, 1) || !isInt(w, 1) || !isInt(c, 1)) throw new Error(`Encoder.embed: item ${i}: height, width and channels must be integers >= 1, received ${show(h)}x${show(w)}x${show(c)}`);
    if (c !== spec.channels && c !== 1 && c !== 3 && c !== 4) throw new Error(`Encoder.embed: item ${i}: channels must be 1, 3, 4 or ${spec.channels}, received ${c}`);
    const isU8 = data instanceof Uint8Array || data instanceof Uint8ClampedArray;
    if (!isU8 && !(data instanceof Float32Array)) throw new Error(`Encoder.embed: item ${i}: data must be a Uint8Array, Uint8ClampedArray or Float32Array, received ${(data as object)?.constructor?.name ?? show(data)}`);
    if (data.length !== h * w * c) throw new Error(`Encoder.embed: item ${i}: data must hold height x width x channels = ${h * w * c} values, received ${data.length}`);
    let px: Float32Array;
    if (isU8) {
      const scale = (this.preprocessing as { scale: number }).scale;
      px = new Float32Array(data.length);
      for (let k = 0; k < data.length; k++) px[k] = data[k] * scale;
    } else {
      px = data as Float32Array;
    }
    px = convertChannels(px, c, spec.channels);
    if (h === spec.height && w === spec.width) return px;
    return tidy(() => {
      const r = tfImage.resizeBilinear(tensor3d(px, [h, w, spec.channels]), [spec.height, spec.width], false, true);
      return r.dataSync() as Float32Array;
    });
  }

  /** The encoder as a JSON manifest and one little-endian weight buffer (./encoder-file.ts documents the fields). */
  toArtifacts(): EncoderArtifacts {
    this.live('toArtifacts');
    const entries: WeightEntry[] = [];
    const parts: Uint8Array[] = [];
    const seen = new Map<string, unknown>();
    let offset = 0;
    for (const w of this.model.weights) {
      const name = w.originalName;
      if (seen.has(name)) {
        if (seen.get(name) === w) continue; // a shared weight, stored once
        throw new Error(`Encoder.toArtifacts: two weights of model '${this.model.name}' share the name '${name}'`);
      }
      seen.set(name, w);
      if (w.dtype !== 'float32' && w.dtype !== 'int32') throw new Error(`Encoder.toArtifacts: weight '${name}' has dtype ${w.dtype}, expected float32 or int32`);
      const values = w.read().dataSync() as Float32Array | Int32Array;
      const bytes = toLeBytes(values);
      entries.push({ name, shape: [...w.shape] as number[], dtype: w.dtype, offset, byteLength: bytes.byteLength });
      parts.push(bytes);
      offset += bytes.byteLength;
    }
    const weights = new Uint8Array(offset);
    parts.forEach((p, i) => weights.set(p, entries[i].offset));
    const topology = JSON.parse(JSON.stringify(this.model.toJSON(null, false))) as { [key: string]: JsonValue };
    const p = this.preprocessingEntry();
    const manifest: EncoderManifest = {
      format: ENCODER_FORMAT,
      version: ENCODER_VERSION,
      name: this.name,
      dim: this.dim,
      input: JSON.parse(JSON.stringify(this.input)) as ItemSpec,
      preprocessing: p.entry,
      metadata: JSON.parse(JSON.stringify(this.metadata)) as { [key: string]: JsonValue },
      topology,
      weights: { file: WEIGHTS_FILE, byteLength: offset, byteOrder: 'little-endian', checksum: { algorithm: 'crc32', value: crc32(weights) }, entries },
      producer: { library: 'contrastive', tfjsLayers: version_layers },
    };
    return p.tokenizer ? { manifest, weights, tokenizer: p.tokenizer } : { manifest, weights };
  }

  /** The manifest's preprocessing, and the bytes of tokenizer.json for a text encoder with a tokenizer. */
  private preprocessingEntry(): { entry: PreprocessingEntry; tokenizer?: Uint8Array } {
    const p = this.preprocessing;
    if (p.kind !== 'text') return { entry: JSON.parse(JSON.stringify(p)) as PreprocessingEntry };
    const { tokenizer, maxLength } = p;
    if (!tokenizer || maxLength === undefined) return { entry: { kind: 'text', version: 1 } };
    const bytes = new TextEncoder().encode(JSON.stringify(tokenizer.toJSON()));
    const specialTokens: SpecialTokens = {};
    const ids = { pad: tokenizer.padId, unk: tokenizer.unkId, cls: tokenizer.clsId, sep: tokenizer.sepId, mask: tokenizer.maskId };
    for (const role of SPECIAL_ROLES) {
      const id = ids[role];
      const token = id === undefined ? undefined : tokenizer.idToToken(id);
      if (token) specialTokens[role] = token;
    }
    const config = tokenizer.tokenizerConfig();
    const entry: TokenizerFileEntry = { file: TOKENIZER_FILE, byteLength: bytes.byteLength, checksum: { algorithm: 'crc32', value: crc32(bytes) }, specialTokens };
    if (Object.keys(config).length > 0) entry.config = checkMetadata('Encoder.toArtifacts: the tokenizer config', config);
    return { entry: { kind: 'text', version: 1, maxLength, tokenizer: entry }, tokenizer: bytes };
  }

  /**
   * An encoder from `toArtifacts()` output (or a parsed encoder.json and the bytes of weights.bin).
   * Checks the format and version, every field, the weight buffer's length and CRC-32, that every
   * float32 weight is finite and that the weights fit the topology; `names` label the two parts in
   * error messages (loadEncoder passes the file paths). A text encoder with a tokenizer also needs
   * `parts.tokenizer`, the bytes of its tokenizer.json (checked against the manifest's length and
   * CRC-32, then read by `Tokenizer.fromJSON`).
   */
  static async fromArtifacts(manifest: unknown, weights: Uint8Array, names: ArtifactNames = {}, parts: ArtifactParts = {}): Promise<Encoder> {
    const mName = names.manifest ?? 'manifest';
    const wName = names.weights ?? 'weights';
    const where = `Encoder.fromArtifacts: ${mName}`;
    const m = checkManifest(where, manifest);
    const preprocessing = readPreprocessing(m.preprocessing, parts?.tokenizer, mName, names.tokenizer);
    if (!(weights instanceof Uint8Array)) throw new Error(`Encoder.fromArtifacts: ${wName} must be a Uint8Array, received ${show(weights)}`);
    if (weights.byteLength !== m.weights.byteLength) {
      throw new Error(`Encoder.fromArtifacts: ${wName} must hold ${m.weights.byteLength} bytes (as ${mName} says), received ${weights.byteLength}${weights.byteLength < m.weights.byteLength ? ' (truncated)' : ''}`);
    }
    const sum = crc32(weights);
    if (sum !== m.weights.checksum.value) {
      throw new Error(`Encoder.fromArtifacts: ${wName}: checksum mismatch: expected crc32 ${m.weights.checksum.value} (from ${mName}), received ${sum} (the file is corrupted or not the one the manifest was written with)`);
    }
    const values = new Map<string, { entry: WeightEntry; data: Float32Array | Int32Array }>();
    for (const e of m.weights.entries) {
      const data = fromLeBytes(weights, e.offset, e.byteLength / 4, e.dtype);
      if (e.dtype === 'float32') {
        const bad = (data as Float32Array).findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) throw new Error(`Encoder.fromArtifacts: ${wName}: weights hold NaN/Infinity: '${e.name}'[${bad}] = ${data[bad]}`);
      }
      values.set(e.name, { entry: e, data });
    }
    registerEncoderLayers();
    registerTransformerLayers();
    let model: LayersModel;
    try {
      model = await models.modelFromJSON({ modelTopology: m.topology as never });
    } catch (err) {
      throw new Error(`Encoder.fromArtifacts: ${mName}: the topology does not make a tfjs-layers model: ${(err as Error).message}`);
    }
    const tensors: { [name: string]: Tensor } = {};
    try {
      const expected = [...new Set(model.weights.map((w) => w.originalName))];
      const missing = expected.filter((n) => !values.has(n));
      const extra = [...values.keys()].filter((n) => !expected.includes(n));
      if (missing.length > 0 || extra.length > 0) {
        throw new Error(`Encoder.fromArtifacts: ${mName}: the weight entries must be the model's weights [${expected.join(', ')}]; missing [${missing.join(', ')}], unknown [${extra.join(', ')}]`);
      }
      for (const w of model.weights) {
        const { entry, data } = values.get(w.originalName)!;
        if (entry.shape.length !== w.shape.length || entry.shape.some((d, i) => d !== w.shape[i]) || entry.dtype !== w.dtype) {
          throw new Error(`Encoder.fromArtifacts: ${mName}: weight '${entry.name}' must be ${w.dtype} [${w.shape}] (the topology's), received ${entry.dtype} [${entry.shape}]`);
        }
        tensors[w.originalName] ??= tensor(data, entry.shape, entry.dtype as DataType);
      }
      model.loadWeights(tensors, true);
      return new Encoder({ model, input: m.input, preprocessing, name: m.name, metadata: m.metadata });
    } catch (err) {
      model.dispose();
      throw err;
    } finally {
      dispose(Object.values(tensors));
    }
  }

  /**
   * Writes `encoder.json` and `weights.bin` into `dir` atomically (Node only; ./encoder-file.ts).
   * In a browser, use toArtifacts() and store the two parts yourself.
   */
  async save(dir: string): Promise<void> {
    this.live('save');
    // Node only, and out of a bundler's sight (a computed specifier): the pure entry reads no files.
    const module = './encoder-file.js';
    const { saveEncoder } = (await import(/* @vite-ignore */ module)) as typeof import('./encoder-file.js');
    await saveEncoder(this, dir);
  }

  /** Frees the model's weights; the encoder cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }
}

/** The in-memory preprocessing of a checked manifest's entry: text rebuilds its tokenizer from `bytes`. */
function readPreprocessing(entry: PreprocessingEntry, bytes: Uint8Array | undefined, mName: string, tName: string | undefined): Preprocessing {
  if (entry.kind !== 'text') return entry;
  const t = entry.tokenizer;
  if (!t) return { kind: 'text', version: 1 };
  const name = tName ?? t.file;
  if (bytes === undefined) throw new Error(`Encoder.fromArtifacts: ${name} is missing (the tokenizer that ${mName} names; pass its bytes as parts.tokenizer)`);
  if (!(bytes instanceof Uint8Array)) throw new Error(`Encoder.fromArtifacts: ${name} must be a Uint8Array, received ${show(bytes)}`);
  if (bytes.byteLength !== t.byteLength) {
    throw new Error(`Encoder.fromArtifacts: ${name} must hold ${t.byteLength} bytes (as ${mName} says), received ${bytes.byteLength}${bytes.byteLength < t.byteLength ? ' (truncated)' : ''}`);
  }
  const sum = crc32(bytes);
  if (sum !== t.checksum.value) {
    throw new Error(`Encoder.fromArtifacts: ${name}: checksum mismatch: expected crc32 ${t.checksum.value} (from ${mName}), received ${sum} (the file is corrupted or not the one the manifest was written with)`);
  }
  let tokenizer: Tokenizer;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    tokenizer = Tokenizer.fromJSON(text, { specialTokens: t.specialTokens, ...(t.config ? { config: t.config } : {}) });
  } catch (err) {
    throw new Error(`Encoder.fromArtifacts: ${name}: not a tokenizer this library reads: ${(err as Error).message.split('\n')[0]}`);
  }
  return { kind: 'text', version: 1, tokenizer, maxLength: entry.maxLength };
}

/**
 * Throws unless `manifest` is an encoder manifest of format contrastive-encoder version 1 with
 * valid fields; `where` names it in messages.
 */
export function checkManifest(where: string, manifest: unknown): EncoderManifest {
  const m = manifest as EncoderManifest;
  if (!m || typeof m !== 'object' || Array.isArray(m)) throw new Error(`${where}: expected format ${ENCODER_FORMAT} version ${ENCODER_VERSION}, received ${show(manifest)}`);
  if (m.format !== ENCODER_FORMAT || m.version !== ENCODER_VERSION) {
    throw new Error(`${where}: expected format ${ENCODER_FORMAT} version ${ENCODER_VERSION}, received format ${show(m.format)} version ${show(m.version)}`);
  }
  if (typeof m.name !== 'string' || m.name.length === 0) throw new Error(`${where}: name must be a non-empty string, received ${show(m.name)}`);
  const input = checkSpec(`${where}: input`, m.input);
  const pre = m.preprocessing as PreprocessingEntry | undefined;
  if (input.kind === 'text' && pre && typeof pre === 'object' && pre.kind === 'text' && pre.version === 1) checkTextEntry(`${where}: preprocessing`, pre, m.weights?.file);
  else checkPreprocessing(`${where}: preprocessing`, pre, input);
  checkMetadata(`${where}: metadata`, m.metadata);
  if (!isInt(m.dim, 1)) throw new Error(`${where}: dim must be an integer >= 1, received ${show(m.dim)}`);
  if (!m.topology || typeof m.topology !== 'object' || Array.isArray(m.topology)) throw new Error(`${where}: topology must be a tfjs-layers model topology (an object), received ${show(m.topology)}`);
  const w = m.weights;
  if (!w || typeof w !== 'object') throw new Error(`${where}: weights must be { file, byteLength, byteOrder, checksum, entries }, received ${show(w)}`);
  if (typeof w.file !== 'string' || !/^[A-Za-z0-9._-]+$/.test(w.file) || w.file === '.' || w.file === '..') throw new Error(`${where}: weights.file must be a plain file name, received ${show(w.file)}`);
  if (!isInt(w.byteLength, 0)) throw new Error(`${where}: weights.byteLength must be an integer >= 0, received ${show(w.byteLength)}`);
  if (w.byteOrder !== 'little-endian') throw new Error(`${where}: weights.byteOrder must be 'little-endian', received ${show(w.byteOrder)}`);
  if (!w.checksum || w.checksum.algorithm !== 'crc32' || typeof w.checksum.value !== 'string' || !/^[0-9a-f]{8}$/.test(w.checksum.value)) {
    throw new Error(`${where}: weights.checksum must be { algorithm: 'crc32', value: 8 hex digits }, received ${show(w.checksum)}`);
  }
  if (!Array.isArray(w.entries)) throw new Error(`${where}: weights.entries must be an array, received ${show(w.entries)}`);
  let end = 0;
  const names = new Set<string>();
  w.entries.forEach((e, i) => {
    const ok = e && typeof e.name === 'string' && Array.isArray(e.shape) && e.shape.every((d) => isInt(d, 0)) && (e.dtype === 'float32' || e.dtype === 'int32') && isInt(e.offset, 0) && isInt(e.byteLength, 0);
    if (!ok) throw new Error(`${where}: weights.entries[${i}] must be { name, shape: integers >= 0, dtype: 'float32' | 'int32', offset, byteLength }, received ${show(e)}`);
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.byteLength !== 4 * size) throw new Error(`${where}: weights.entries[${i}] ('${e.name}'): byteLength must be 4 x ${size} = ${4 * size}, received ${e.byteLength}`);
    if (e.offset !== end) throw new Error(`${where}: weights.entries[${i}] ('${e.name}'): offset must be ${end} (entries are contiguous, in order), received ${e.offset}`);
    if (names.has(e.name)) throw new Error(`${where}: weights.entries[${i}]: the name '${e.name}' appears twice`);
    names.add(e.name);
    end += e.byteLength;
  });
  if (end !== w.byteLength) throw new Error(`${where}: weights.byteLength must be the sum of the entries' byteLength ${end}, received ${w.byteLength}`);
  return m;
}
