/**
 * A Hugging Face BERT directory on disk (Node only): `config.json` + `model.safetensors` (or the
 * shards a `model.safetensors.index.json` names)
 * (+ `tokenizer.json` / `vocab.txt`), what `BertModel.save_pretrained` (and sentence-transformers'
 * transformer folder) holds. The mapping is ./hf-bert.ts, the file format ./safetensors.ts.
 *
 * `loadHfBert(dir, { pooling })` builds transformerEncoder from config.json, loads the weights and,
 * when the folder has one, the tokenizer (./tokenizer-file.ts). `saveHfBert(model, options, dir)`
 * writes config.json and model.safetensors (F32), atomically; with a tokenizer, its files too.
 *
 * A folder that cannot be used is a one-line DataError naming the file.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { DataError } from '../../data/data-error.js';
import { readText } from '../../data/read-text.js';
import { writeFilesAtomic } from '../../util/atomic-file.js';
import { bertConfigFromOptions, bertOptionsFromConfig, bertTensorsFromModel, loadBertWeights, type CheckpointTensor } from './hf-bert.js';
import { parseSafetensors, writeSafetensors } from './safetensors.js';
import { loadTokenizer, saveTokenizer, TOKENIZER_FILE, VOCAB_FILE } from './tokenizer-file.js';
import type { Tokenizer } from './tokenizer.js';
import { transformerEncoder, type TransformerEncoderOptions, type TransformerPooling } from './transformer-encoder.js';

export const HF_CONFIG_FILE = 'config.json';
export const SAFETENSORS_FILE = 'model.safetensors';
/** The index of a checkpoint saved in shards (`save_pretrained(max_shard_size=...)`): {"weight_map": {tensor: shard file}}. */
export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';

/**
 * The tensors of a sharded checkpoint: every shard the index names, each tensor taken from the
 * shard the index assigns it (a tensor in another shard, or one the index names but no shard
 * holds, is a DataError naming the file).
 */
function readShards(dir: string, indexPath: string): Map<string, CheckpointTensor> {
  let index: unknown;
  try {
    index = JSON.parse(readText(indexPath, 'a safetensors index (JSON)'));
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(indexPath, 'a safetensors index (JSON)', `invalid JSON (${(err as Error).message})`);
  }
  const map = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map) || Object.values(map).some((f) => typeof f !== 'string' || f.includes('/') || f.includes('\\'))) {
    throw new DataError(indexPath, 'a "weight_map" object of tensor name -> shard file name', JSON.stringify(map ?? null).slice(0, 60));
  }
  const weightMap = map as Record<string, string>;
  const out = new Map<string, CheckpointTensor>();
  const shards = [...new Set(Object.values(weightMap))].sort();
  for (const shard of shards) if (!existsSync(join(dir, shard))) throw new DataError(join(dir, shard), `a shard named by ${SAFETENSORS_INDEX_FILE}`, 'nothing at this path');
  for (const shard of shards) {
    const path = join(dir, shard);
    const { tensors } = parseSafetensors(new Uint8Array(readFileSync(path)), path);
    for (const [name, t] of tensors) {
      if (weightMap[name] !== shard) throw new DataError(path, `only the tensors ${SAFETENSORS_INDEX_FILE} assigns to ${shard}`, `'${name}' (assigned to ${weightMap[name] ?? 'no shard'})`);
      out.set(name, t);
    }
  }
  const missing = Object.keys(weightMap).find((name) => !out.has(name));
  if (missing) throw new DataError(join(dir, weightMap[missing]), `the tensor '${missing}' (as ${SAFETENSORS_INDEX_FILE} says)`, 'no such tensor');
  return out;
}

export interface LoadHfBertOptions {
  /** Pooling of the built encoder. Default 'mean'. */
  pooling?: TransformerPooling;
  /** Add BERT's pooler (dense + tanh on CLS, loaded from `pooler.dense`); needs pooling 'cls'. Default false. */
  pooler?: boolean;
  /** Seed of the dropout masks (the weights are the checkpoint's). */
  seed?: number;
  /** Model name. */
  name?: string;
  /** Load the folder's tokenizer.json / vocab.txt when present. Default true. */
  tokenizer?: boolean;
}

export interface LoadedHfBert {
  model: LayersModel;
  /** The options the model was built with (config.json's, plus pooling / pooler / seed / name). */
  options: TransformerEncoderOptions;
  /** The folder's tokenizer, when it has one (and `tokenizer` was not false). */
  tokenizer?: Tokenizer;
}

/**
 * The BERT checkpoint in `dir` as a transformerEncoder (see the file comment).
 *
 * @throws DataError (one line naming the file) for a missing or unusable config.json or
 *   model.safetensors, or a tokenizer file that cannot be read.
 */
export function loadHfBert(dir: string, options: LoadHfBertOptions = {}): LoadedHfBert {
  if (typeof dir !== 'string' || dir === '') throw new Error(`loadHfBert: dir must be a non-empty string, received ${String(dir)}`);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DataError(dir, 'a folder holding config.json and model.safetensors', existsSync(dir) ? 'a file' : 'nothing at this path');
  const configPath = join(dir, HF_CONFIG_FILE);
  if (!existsSync(configPath)) throw new DataError(configPath, 'a BertConfig JSON file', 'nothing at this path');
  let config: unknown;
  try {
    config = JSON.parse(readText(configPath, 'a BertConfig JSON file').replace(/^\uFEFF/, ''));
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(configPath, 'a BertConfig JSON file', `invalid JSON (${(err as Error).message})`);
  }
  const built: TransformerEncoderOptions = {
    ...bertOptionsFromConfig(config, configPath),
    pooling: options.pooling ?? 'mean',
    pooler: options.pooler ?? false,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.name === undefined ? {} : { name: options.name }),
  };
  const weightsPath = join(dir, SAFETENSORS_FILE), indexPath = join(dir, SAFETENSORS_INDEX_FILE);
  const sharded = !existsSync(weightsPath) && existsSync(indexPath);
  if (!existsSync(weightsPath) && !sharded) {
    const other = ['pytorch_model.bin', 'tf_model.h5'].find((f) => existsSync(join(dir, f)));
    throw new DataError(weightsPath, `the weights as safetensors (${SAFETENSORS_FILE}, or shards named by ${SAFETENSORS_INDEX_FILE})`, other ? `nothing at this path (only ${other}, a format not read: convert it to safetensors)` : 'nothing at this path');
  }
  const model = transformerEncoder(built);
  try {
    if (sharded) {
      const tensors = readShards(dir, indexPath);
      loadBertWeights(model, tensors, indexPath);
    } else {
      const { tensors } = parseSafetensors(new Uint8Array(readFileSync(weightsPath)), weightsPath);
      loadBertWeights(model, tensors, weightsPath);
    }
  } catch (err) {
    model.dispose();
    throw err;
  }
  const result: LoadedHfBert = { model, options: built };
  if (options.tokenizer !== false && (existsSync(join(dir, TOKENIZER_FILE)) || existsSync(join(dir, VOCAB_FILE)))) result.tokenizer = loadTokenizer(dir);
  return result;
}

/**
 * Writes the model as a BERT checkpoint into `dir` (created if missing): config.json (from
 * `options`, the options the model was built with) and model.safetensors; with a tokenizer, its
 * files (./tokenizer-file.ts saveTokenizer). Returns the paths written.
 */
export function saveHfBert(model: LayersModel, options: TransformerEncoderOptions, dir: string, tokenizer?: Tokenizer): string[] {
  if (typeof dir !== 'string' || dir === '') throw new Error(`saveHfBert: dir must be a non-empty string, received ${String(dir)}`);
  const config = bertConfigFromOptions(options);
  const tensors = bertTensorsFromModel(model);
  mkdirSync(dir, { recursive: true });
  const files = [
    { path: join(dir, HF_CONFIG_FILE), data: `${JSON.stringify(config, null, 2)}\n` },
    { path: join(dir, SAFETENSORS_FILE), data: writeSafetensors(tensors, { format: 'pt' }) },
  ];
  writeFilesAtomic(files);
  const paths = files.map((f) => f.path);
  if (tokenizer) paths.push(...saveTokenizer(tokenizer, dir));
  return paths;
}
