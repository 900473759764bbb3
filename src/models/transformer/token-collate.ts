/**
 * Collate for text: the views of N text items -> named int32 tensors of one batch, the text
 * counterpart of collateImages (../../data/collate.ts), for a DataLoader's `collate`:
 *
 *   input_ids       int32 [N, L]  token ids, padded with the pad id
 *   attention_mask  int32 [N, L]  1 for a token, 0 for padding
 *   token_type_ids  int32 [N, L]  0 for text A, 1 for text B of a pair, 0 on padding (only with `typeIds: true`)
 *
 * The names are those of Hugging Face's tokenizers and BERT-style models, so a transformer encoder
 * reads the same keys as its Python counterpart. L is the longest row of the batch, or `maxLength`
 * with `padding: 'max_length'` (a fixed shape, one compiled graph for every batch).
 */
import { tensor2d } from '@tensorflow/tfjs-core';
import type { NamedTensors } from '../../data/batch.js';
import type { Collate } from '../../data/collate.js';
import { Tokenizer, type Padding, type TextInput } from './tokenizer.js';
import { describeValue } from './wordpiece-vocab.js';

/** Options of {@link collateTokens}. */
export interface TokenCollateOptions {
  /** The longest row, special tokens included. Default: the tokenizer's maxLength. */
  maxLength?: number;
  /** Pad to the longest row of the batch or to maxLength. Default 'longest'. */
  padding?: Padding;
  /** Truncate longer rows (true) or refuse them (false). Default true. */
  truncation?: boolean;
  /** Add token_type_ids. Default false. */
  typeIds?: boolean;
}

const OPTION_KEYS = ['maxLength', 'padding', 'truncation', 'typeIds'];

/**
 * A collate of texts (or [textA, textB] pairs) by `tokenizer`. Options are checked here, once,
 * by encoding a probe text, so a bad option fails before the first batch.
 *
 * @example
 * const loader = new DataLoader({ source, views: identityViews(2), collate: collateTokens(tok, { maxLength: 64 }) });
 */
export function collateTokens(tokenizer: Tokenizer, options: TokenCollateOptions = {}): Collate<TextInput> {
  if (!(tokenizer instanceof Tokenizer)) throw new Error(`collateTokens: tokenizer must be a Tokenizer, received ${describeValue(tokenizer)}`);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new Error(`collateTokens: options must be an object, received ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new Error(`collateTokens: unknown option '${key}' (options: ${OPTION_KEYS.join(', ')})`);
  }
  const { typeIds = false, ...encodeOptions } = options;
  if (typeof typeIds !== 'boolean') throw new Error(`collateTokens: typeIds must be a boolean, received ${describeValue(typeIds)}`);
  try {
    tokenizer.encodeBatch([''], encodeOptions);
  } catch (err) {
    throw new Error(`collateTokens: ${(err as Error).message.replace(/^Tokenizer\.encodeBatch: /, '')}`);
  }
  return (views: readonly TextInput[]): NamedTensors => {
    if (!Array.isArray(views) || views.length === 0) throw new Error(`collateTokens: expected at least one text, received ${describeValue(views)}`);
    const b = tokenizer.encodeBatch(views, encodeOptions);
    const shape: [number, number] = [b.n, b.length];
    const out: Record<string, ReturnType<typeof tensor2d>> = {
      input_ids: tensor2d(b.ids, shape, 'int32'),
      attention_mask: tensor2d(b.attentionMask, shape, 'int32'),
    };
    if (typeIds) out.token_type_ids = tensor2d(b.typeIds, shape, 'int32');
    return out;
  };
}
