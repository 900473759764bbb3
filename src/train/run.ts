/**
 * The run directory's description of a run: `run.json`, written by `trainRun` (and `contrastive
 * train`) before the first epoch and read by `eval`, `embed`, `--resume` and `--init` to rebuild
 * the same method before loading the checkpoint's weights (checkpoint.ts). Fields are the
 * RunConfig below; runs written by earlier versions lack some, and `withLegacyDefaults` gives them
 * the values those versions used.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ItemSpec } from '../data/source.js';
import type { EncoderMethod } from '../methods/encoder-method.js';
import { buildMethod, methodEntry, type MethodName } from '../methods/registry.js';
import type { TripletMining } from '../methods/triplet.js';
import type { CnnPooling } from '../models/backbones/cnn.js';
import { buildBackbone, type BackboneName } from '../models/backbones/registry.js';
import { Encoder, type Preprocessing } from '../models/encoder.js';
import { loadEncoder } from '../models/encoder-file.js';
import { UsageError } from '../util/usage-error.js';
import { loadCheckpoint, loadCheckpointState } from './checkpoint.js';

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

/** The run.json of `dir` (with legacy defaults), or a UsageError naming `option` when there is none. */
export function readRun(dir: string, option = 'checkpoint'): RunConfig {
  const path = join(dir, 'run.json');
  if (!existsSync(path)) throw new UsageError(option, `expected a run directory written by 'contrastive train' (with run.json), received '${dir}'`);
  let config: RunConfig;
  try {
    config = JSON.parse(readFileSync(path, 'utf8')) as RunConfig;
  } catch (e) {
    throw new UsageError(option, `${path} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof config !== 'object' || config === null || typeof config.method !== 'string' || typeof config.backbone !== 'string') {
    throw new UsageError(option, `${path} must hold a run (method, backbone, seed, ...), received ${JSON.stringify(config).slice(0, 80)}`);
  }
  try {
    methodEntry(config.method);
  } catch (e) {
    throw new UsageError(option, `${path}: ${(e as Error).message}`);
  }
  return withLegacyDefaults(config);
}

/** The method a run config describes, with fresh weights. */
export function buildRunMethod(config: RunConfig): EncoderMethod {
  const input = config.input ?? LEGACY_INPUT;
  return buildMethod(config.method, {
    backbone: () => buildBackbone(config.backbone, input, { seed: config.seed, pooling: config.pooling, widths: config.widths, embeddingDim: config.embeddingDim }),
    seed: config.seed, temperature: config.temperature, margin: config.margin, mining: config.mining,
  });
}

/** The run's method with its checkpoint's weights. */
export function restoreMethod(dir: string, option = 'checkpoint'): EncoderMethod {
  const config = readRun(dir, option);
  const method = buildRunMethod(config);
  const ck = loadCheckpoint(dir);
  if (!ck) {
    method.dispose();
    throw new UsageError(option, `no checkpoint.json in '${dir}' (did training finish an epoch?)`);
  }
  try {
    const n = method.getWeights().length;
    if (ck.tensors.length < n) throw new UsageError(option, `the checkpoint in '${dir}' holds ${ck.tensors.length} tensors, the run's method needs ${n}`);
    method.setWeights(ck.tensors.slice(0, n).map((t) => t.tensor));
  } catch (e) {
    method.dispose();
    throw e;
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
 * directory itself.
 */
export async function restoreEncoder(dir: string, option = 'checkpoint'): Promise<RestoredEncoder> {
  const config = existsSync(join(dir, 'run.json')) ? readRun(dir, option) : undefined;
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
    const epoch = loadCheckpointState<{ epoch?: number }>(dir)?.epoch;
    if (encoder && (epoch === undefined || encoder.metadata.epoch === undefined || encoder.metadata.epoch === epoch || !config)) {
      const e = encoder;
      return { encoder: e, ...(config ? { config } : {}), dispose: () => e.dispose() };
    }
    encoder?.dispose();
  }
  if (!config) throw new UsageError(option, `expected a run directory (with run.json or encoder/encoder.json) or a saved encoder, received '${dir}'`);
  const method = restoreMethod(dir, option);
  const input = config.input ?? LEGACY_INPUT;
  const preprocessing: Preprocessing | undefined = config.standardize ? { kind: 'vector', version: 1, mean: config.standardize.mean, std: config.standardize.std } : undefined;
  // The Encoder borrows the method's backbone; disposing the method frees both.
  const encoder = new Encoder({ model: method.backbone, input, ...(preprocessing ? { preprocessing } : {}), name: config.method, metadata: { method: config.method, projectionDim: method.projectionDim } });
  return { encoder, config, dispose: () => method.dispose() };
}
