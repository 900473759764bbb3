/**
 * Embeds every item of a source with an encoder, in batches (bounded memory), in inference mode:
 * items -> collate -> encoder -> [size, D] float32 rows in the source's order. The same for every
 * kind of item: images, rows, texts (with the tokenizer's collate).
 */
import { tidy, type Tensor2D } from '@tensorflow/tfjs-core';
import type { ViewInput } from '../data/batch.js';
import { defaultCollate, type Collate } from '../data/collate.js';
import type { Source } from '../data/source.js';
import type { Embeddings } from '../eval/knn.js';
import type { LongText } from './text-windows.js';

/** An encoder as embed sees it: a function of a view input, or an object with embed (a Method). */
export type Embedder = ((x: ViewInput) => Tensor2D) | { embed(x: ViewInput): Tensor2D };

export interface EmbedOptions<Item = unknown> {
  /** Items -> encoder input. Default: by the source's kind (images, vectors). */
  collate?: Collate<Item>;
  /** Items per forward pass. Default 512. */
  batchSize?: number;
  /** Called after each batch with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

export function embed<Item>(source: Source<Item>, encoder: Embedder, options: EmbedOptions<Item> = {}): Embeddings {
  const { batchSize = 512, onProgress } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`embed: batchSize must be an integer >= 1, received ${batchSize}`);
  const encode = typeof encoder === 'function' ? encoder : typeof encoder?.embed === 'function' ? (x: ViewInput) => encoder.embed(x) : null;
  if (!encode) throw new Error(`embed: encoder must be a function of a view input or an object with embed(x), received ${String(encoder)}`);
  const collate = options.collate ?? (defaultCollate(source.spec) as Collate<Item>);
  let out: Float32Array | null = null;
  let dim = 0;
  for (let s = 0; s < source.size; s += batchSize) {
    const n = Math.min(batchSize, source.size - s);
    const items = Array.from({ length: n }, (_, i) => source.item(s + i));
    const z = tidy(() => encode(collate(items)));
    if (z.rank !== 2 || z.shape[0] !== n) {
      z.dispose();
      throw new Error(`embed: the encoder must return [${n}, D], returned [${z.shape}]`);
    }
    if (!out) {
      dim = z.shape[1];
      out = new Float32Array(source.size * dim);
    }
    out.set(z.dataSync() as Float32Array, s * dim);
    z.dispose();
    onProgress?.(s + n, source.size);
  }
  return { values: out ?? new Float32Array(0), dim };
}


/**
 * Every item of a source through an encoder that prepares raw items (`Encoder.embed`: scaling,
 * resizing, standardisation), `batchSize` items at a time, in the source's order.
 */
export function embedItems<Item>(
  source: Source<Item>, encoder: { embed(items: readonly Item[], options?: { batchSize?: number; longText?: LongText; stride?: number }): { values: Float32Array; dim: number } },
  options: Omit<EmbedOptions<Item>, 'collate'> & { longText?: LongText; stride?: number } = {},
): Embeddings {
  const { batchSize = 512, onProgress, longText, stride } = options;
  const textOptions = { ...(longText === undefined ? {} : { longText }), ...(stride === undefined ? {} : { stride }) };
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`embedItems: batchSize must be an integer >= 1, received ${batchSize}`);
  let out: Float32Array | null = null;
  let dim = 0;
  for (let s = 0; s < source.size; s += batchSize) {
    const n = Math.min(batchSize, source.size - s);
    const e = encoder.embed(Array.from({ length: n }, (_, i) => source.item(s + i)), { batchSize, ...textOptions });
    if (!out) {
      dim = e.dim;
      out = new Float32Array(source.size * dim);
    }
    out.set(e.values, s * dim);
    onProgress?.(s + n, source.size);
  }
  return { values: out ?? new Float32Array(0), dim };
}

/** The items themselves as rows (raw pixels in [0, 1], table rows): the baseline every encoder is compared with. */
export function rawRows(source: Source<unknown>): Embeddings {
  const spec = source.spec;
  if (spec.kind === 'text') throw new Error(`rawRows: items of kind 'text' are not rows of numbers`);
  const dim = spec.kind === 'image' ? spec.height * spec.width * spec.channels : spec.dim;
  const values = new Float32Array(source.size * dim);
  for (let i = 0; i < source.size; i++) {
    const item = source.item(i) as { data: Float32Array } | ArrayLike<number>;
    const row = 'data' in item ? item.data : item;
    if (row.length !== dim) throw new Error(`rawRows: item ${i} has ${row.length} values, expected ${dim}`);
    values.set(row, i * dim);
  }
  return { values, dim };
}
