/**
 * Texts longer than a transformer reads, embedded whole: each text is cut into windows of at most
 * `maxLength` tokens (`Tokenizer.encodeWindows`), every window is embedded, and a text's embedding
 * is the mean of its windows' embeddings weighted by their token counts. For a mean-pooled encoder
 * this is the mean over all of the text's tokens, each seen in its own window's context; a text
 * that fits is one window, so its embedding equals the truncating path's. Long-document retrieval
 * aggregates passage representations the same way (Dai & Callan, SIGIR 2019, "SumP"/"FirstP";
 * Sentence-BERT itself truncates, so this is the option, not the default).
 */
import { tensor2d, tidy, type Tensor, type Tensor2D } from '@tensorflow/tfjs-core';
import type { Tokenizer } from '../models/transformer/tokenizer.js';

/** How a text longer than maxLength is embedded: its first maxLength tokens, or all of it in windows. */
export type LongText = 'truncate' | 'windows';

export const LONG_TEXT_MODES: readonly LongText[] = ['truncate', 'windows'];

export interface TextWindowsOptions {
  /** Tokens per window, special tokens included. */
  maxLength: number;
  /** Content tokens between window starts. Default: a window's content length (no overlap). */
  stride?: number;
  /** Windows per forward pass. Default 256. */
  batchSize?: number;
  /** The model's named inputs to feed (input_ids, attention_mask, token_type_ids). Default the first two. */
  inputNames?: readonly string[];
}

/**
 * [texts.length, D] float32 embeddings of `texts`, each the token-weighted mean of its windows'
 * rows of `encode` (a function of the named int32 [n, L] inputs, in inference mode). No tensor is
 * left behind.
 */
export function embedTextWindows(
  texts: readonly string[], tokenizer: Tokenizer, encode: (inputs: { [name: string]: Tensor }) => Tensor2D, options: TextWindowsOptions,
): { values: Float32Array; dim: number } {
  const { maxLength, stride, batchSize = 256, inputNames = ['input_ids', 'attention_mask'] } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`embedTextWindows: batchSize must be an integer >= 1, received ${batchSize}`);
  if (tokenizer.padId === undefined) throw new Error('embedTextWindows: the tokenizer has no pad token, which batching windows needs');
  const rows: Int32Array[] = [];
  const owner: number[] = [];
  const weight: number[] = [];
  texts.forEach((t, i) => {
    const w = tokenizer.encodeWindows(t, { maxLength, ...(stride === undefined ? {} : { stride }) });
    w.ids.forEach((ids, k) => {
      rows.push(ids);
      owner.push(i);
      weight.push(Math.max(1, w.tokens[k])); // an empty text: its one window, weight 1
    });
  });
  let dim = 0;
  let out = new Float32Array(0);
  const total = new Float64Array(texts.length);
  let sums: Float64Array | null = null;
  for (let s = 0; s < rows.length; s += batchSize) {
    const part = rows.slice(s, s + batchSize);
    const length = Math.max(...part.map((r) => r.length));
    const ids = new Int32Array(part.length * length).fill(tokenizer.padId);
    const mask = new Int32Array(part.length * length);
    part.forEach((r, i) => {
      ids.set(r, i * length);
      mask.fill(1, i * length, i * length + r.length);
    });
    const z = tidy(() => {
      const feed: { [name: string]: Tensor } = {};
      for (const name of inputNames) feed[name] = tensor2d(name === 'input_ids' ? ids : name === 'attention_mask' ? mask : new Int32Array(ids.length), [part.length, length], 'int32');
      return encode(feed);
    });
    try {
      if (z.rank !== 2 || z.shape[0] !== part.length) throw new Error(`embedTextWindows: the encoder must return [${part.length}, D], returned [${z.shape}]`);
      const v = z.dataSync() as Float32Array;
      if (!sums) {
        dim = z.shape[1];
        sums = new Float64Array(texts.length * dim);
      }
      for (let i = 0; i < part.length; i++) {
        const o = owner[s + i], w = weight[s + i];
        total[o] += w;
        for (let d = 0; d < dim; d++) sums[o * dim + d] += w * v[i * dim + d];
      }
    } finally {
      z.dispose();
    }
  }
  if (sums) {
    out = new Float32Array(texts.length * dim);
    for (let i = 0; i < texts.length; i++) for (let d = 0; d < dim; d++) out[i * dim + d] = sums[i * dim + d] / total[i];
  }
  return { values: out, dim };
}
