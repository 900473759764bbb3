/**
 * A Hugging Face BERT directory on disk (Node only): `config.json` + `model.safetensors`
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
import { bertConfigFromOptions, bertOptionsFromConfig, bertTensorsFromModel, loadBertWeights } from './hf-bert.js';
import { parseSafetensors, writeSafetensors } from './safetensors.js';
import { loadTokenizer, saveTokenizer, TOKENIZER_FILE, VOCAB_FILE } from './tokenizer-file.js';
import type { Tokenizer } from './tokenizer.js';
import { transformerEncoder, type TransformerEncoderOptions, type TransformerPooling } from './transformer-encoder.js';

export const HF_CONFIG_FILE = 'config.json';
export const SAFETENSORS_FILE = 'model.safetensors';

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
  const weightsPath = join(dir, SAFETENSORS_FILE);
  if (!existsSync(weightsPath)) {
    const other = ['pytorch_model.bin', 'tf_model.h5', 'model.safetensors.index.json'].find((f) => existsSync(join(dir, f)));
    throw new DataError(weightsPath, 'a single safetensors file of the weights', other ? `nothing at this path (only ${other}, which is not read)` : 'nothing at this path');
  }
  const model = transformerEncoder(built);
  try {
    const { tensors } = parseSafetensors(new Uint8Array(readFileSync(weightsPath)), weightsPath);
    loadBertWeights(model, tensors, weightsPath);
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
