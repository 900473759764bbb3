/**
 * The tokenizer of the text encoders: text -> token ids, attention masks and token type ids, one
 * text, a pair of texts, or a padded batch.
 *
 * The tokenization itself (normalizer, pre-tokenizer, WordPiece / BPE / Unigram model, special
 * tokens, decoder) is Hugging Face's `@huggingface/tokenizers` (tokenizers.js: pure JavaScript,
 * no dependency, Apache-2.0), which reads a `tokenizer.json` as written by the Rust `tokenizers`
 * library (https://huggingface.co/docs/tokenizers/components). What that library does not do is
 * here, in its Rust semantics:
 * - truncation: `longest_first` (tokenizers `utils/truncation.rs`): a single text keeps its first
 *   `maxLength - added` tokens, where `added` is the number of special tokens of the
 *   post-processor ([CLS] + [SEP] = 2 for BERT; 3 for a BERT pair, 4 for a RoBERTa pair); of a
 *   pair, with n1 <= n2 the shorter and longer lengths and budget m, the shorter is kept whole
 *   and the longer gets max(n1, m - n1) when that fits, else the two get floor(m/2) (shorter) and
 *   ceil(m/2) (longer). Special tokens are never cut.
 * - type ids as the Rust post-processors give them (tokenizers.js differs for RoBERTa, whose
 *   Rust `RobertaProcessing` gives 0 to both texts of a pair).
 * - padding: on the right, with the pad id, attention mask 0 and type id 0; to the longest row of
 *   the batch ('longest') or to `maxLength` ('max_length').
 * - batching: row-major `Int32Array`s [N * L] ready for an int32 tensor [N, L].
 * - the special ids (pad, cls, sep, unk, mask): from `specialTokens`, else tokenizer_config.json,
 *   else the post-processor's template (the token before sequence A is cls, after it sep), else
 *   the model's unknown token, else the usual names ([PAD] / <pad>, ...).
 *
 * The special tokens a post-processor adds are read once at construction by running it on one
 * marker token per sequence: its output is a template (special ids and type ids around the
 * sequences) that every encode fills in, so truncation can leave room for them and no encode
 * post-processes strings again.
 *
 * What tokenizers.js 0.2.0 cannot do, and where it is done instead: no truncation, padding or
 * batches (here); no bare vocab.txt (./wordpiece-vocab.ts writes the BERT tokenizer.json of one);
 * no training (./wordpiece-trainer.ts); `decode([])` throws (here: ''); its ByteLevel
 * post-processor drops the second text of a pair (here: appended, type id 1, as Rust's default);
 * its BertNormalizer does not space CJK ideographs beyond the BMP and keeps unassigned code points
 * (here: fixed on the instance as BERT and Rust do it, ./bert-normalizer.ts);
 * its .d.ts files use extensionless imports that TypeScript's NodeNext resolution does not follow,
 * so the part used is typed below (`LibTokenizer`). Known difference left as is: its Metaspace
 * pre-tokenizer does not split at '▁', so a Unigram piece with '▁' inside (rare) could match
 * across words where Rust would not.
 *
 * Pure (browser-safe): `Tokenizer.fromJSON` builds from an object or a JSON string; the Node-only
 * `Tokenizer.fromFile` (./tokenizer-file.ts) reads a tokenizer.json or a BERT vocab.txt.
 *
 * WordPiece: Schuster & Nakajima, "Japanese and Korean Voice Search", ICASSP 2012; its use in BERT:
 * Devlin et al., "BERT: Pre-training of Deep Bidirectional Transformers for Language
 * Understanding", NAACL 2019, https://arxiv.org/abs/1810.04805 (sec. 3, input representation:
 * [CLS] A [SEP] B [SEP] with segment (type) ids 0 and 1).
 */
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { fixBertNormalizers } from './bert-normalizer.js';
import { describeValue } from './wordpiece-vocab.js';

/** One text or a pair of texts (encoded as sequence A and sequence B). */
export type TextInput = string | readonly [string, string];

/** The encoding of one text or pair: equal-length int32 rows. */
export interface Encoding {
  /** Token ids, special tokens included. */
  ids: Int32Array;
  /** 1 for every token (no padding in a single encoding). */
  attentionMask: Int32Array;
  /** Segment ids: 0 for sequence A (and its special tokens), 1 for B. */
  typeIds: Int32Array;
}

/** N encodings padded to one length L, row-major. */
export interface EncodedBatch {
  /** [N * L] token ids; row i is ids[i*L .. (i+1)*L). */
  ids: Int32Array;
  /** [N * L] 1 for a token, 0 for padding. */
  attentionMask: Int32Array;
  /** [N * L] segment ids (0 on padding). */
  typeIds: Int32Array;
  /** L, the padded length. */
  length: number;
  /** N, the number of rows. */
  n: number;
}

export type Padding = 'longest' | 'max_length';

/** Options of {@link Tokenizer.encode}. */
export interface EncodeOptions {
  /** Truncate to this many tokens, special tokens included. Default: no truncation. */
  maxLength?: number;
  /** Add the post-processor's special tokens ([CLS], [SEP], ...). Default true. */
  addSpecialTokens?: boolean;
}

/** Options of {@link Tokenizer.encodeBatch}. */
export interface EncodeBatchOptions {
  /** The longest row, special tokens included. Default: the tokenizer's `maxLength` (512 unless its files say otherwise). */
  maxLength?: number;
  /** Pad to the longest row of the batch or to `maxLength`. Default 'longest'. */
  padding?: Padding;
  /** Truncate rows longer than `maxLength` (true), or refuse them (false). Default true. */
  truncation?: boolean;
  /** Add the post-processor's special tokens. Default true. */
  addSpecialTokens?: boolean;
}

/** The special tokens by role, as tokens of the vocabulary. */
export interface SpecialTokens {
  pad?: string;
  unk?: string;
  cls?: string;
  sep?: string;
  mask?: string;
}

/** Options of {@link Tokenizer.fromJSON}. */
export interface TokenizerOptions {
  /** The model's tokenizer_config.json (special token names, model_max_length, ...). */
  config?: Record<string, unknown>;
  /** Special tokens by role, overriding what the files say; each must be in the vocabulary. */
  specialTokens?: SpecialTokens;
  /** The default `maxLength` of encodeBatch. Default: tokenizer.json's truncation.max_length, else tokenizer_config's model_max_length (when <= 1e6), else 512. */
  maxLength?: number;
}

/**
 * A tokenizer.json (or its tokenizer_config) that cannot make a tokenizer: the message is
 * `Tokenizer.fromJSON: expected <expected>, received <received>`; Tokenizer.fromFile turns it into a
 * DataError naming the file.
 */
export class TokenizerJSONError extends Error {
  constructor(readonly expected: string, readonly received: string) {
    super(`Tokenizer.fromJSON: expected ${expected}, received ${received}`);
    this.name = 'TokenizerJSONError';
  }
}

/** The default maximum length when nothing says otherwise: BERT's 512 positions. */
export const DEFAULT_MAX_LENGTH = 512;

const ROLES = ['pad', 'unk', 'cls', 'sep', 'mask'] as const;
type Role = (typeof ROLES)[number];
const USUAL_NAMES: Record<Role, string[]> = {
  pad: ['[PAD]', '<pad>'],
  unk: ['[UNK]', '<unk>'],
  cls: ['[CLS]', '<s>'],
  sep: ['[SEP]', '</s>'],
  mask: ['[MASK]', '<mask>'],
};
const MODEL_TYPES = ['WordPiece', 'BPE', 'Unigram'];
const TOKENIZER_OPTION_KEYS = ['config', 'specialTokens', 'maxLength'];
const ENCODE_OPTION_KEYS = ['maxLength', 'addSpecialTokens'];
const BATCH_OPTION_KEYS = ['maxLength', 'padding', 'truncation', 'addSpecialTokens'];

/** The part of tokenizers.js this file uses (its own .d.ts files do not resolve under NodeNext). */
interface LibPostProcessor {
  (tokens: string[], pair: string[] | null, addSpecialTokens: boolean): { tokens: string[]; token_type_ids?: (number | undefined)[]; tokens_pair?: string[] | null };
}
interface LibTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): { ids: (number | undefined)[]; tokens: string[] };
  decode(ids: number[], options: { skip_special_tokens: boolean; clean_up_tokenization_spaces?: boolean }): string;
  tokenize(text: string, options: { add_special_tokens: boolean }): string[];
  token_to_id(token: string): number | undefined;
  post_processor: LibPostProcessor | null;
  normalizer: unknown;
  model: { vocab: string[]; unk_token_id?: number };
}
const LibTokenizerClass = HfTokenizer as unknown as new (json: object, config: object) => LibTokenizer;

/** One slot of a post-processor's template: a special token or the tokens of sequence A (0) / B (1). */
type Slot = { special: number; typeId: number } | { sequence: 0 | 1; typeId: number };

/**
 * A tokenizer over a Hugging Face tokenizer.json (WordPiece, BPE or Unigram), with truncation,
 * padding and batches (see the file comment).
 *
 * @example
 * const tok = Tokenizer.fromJSON(json);            // or: await Tokenizer.fromFile('bert-dir')
 * const b = tok.encodeBatch(['a cat', ['a question', 'its answer']], { maxLength: 128 });
 * // b.ids, b.attentionMask, b.typeIds: Int32Array [b.n * b.length]
 */
export class Tokenizer {
  /** The model of the tokenizer.json: 'WordPiece', 'BPE' or 'Unigram'. */
  readonly modelType: string;
  /** Number of ids (the largest id + 1, added tokens included): the rows of an embedding table. */
  readonly vocabSize: number;
  /** Default `maxLength` of encodeBatch. */
  readonly maxLength: number;
  readonly padId: number | undefined;
  readonly unkId: number | undefined;
  readonly clsId: number | undefined;
  readonly sepId: number | undefined;
  readonly maskId: number | undefined;

  private readonly lib: LibTokenizer;
  private readonly json: Record<string, unknown>;
  private readonly config: Record<string, unknown>;
  private readonly single: Slot[];
  private readonly pair: Slot[];
  private readonly singleSpecials: number;
  private readonly pairSpecials: number;

  private constructor(json: Record<string, unknown>, options: TokenizerOptions) {
    const config = options.config ?? {};
    let lib: LibTokenizer;
    try {
      lib = new LibTokenizerClass(json, config);
    } catch (err) {
      throw new TokenizerJSONError('a tokenizer.json that @huggingface/tokenizers reads', `one it refuses (${(err as Error).message})`);
    }
    fixBertNormalizers(lib.normalizer);
    this.lib = lib;
    this.json = json;
    this.config = config;
    this.modelType = (json.model as { type: string }).type;
    this.vocabSize = lib.model.vocab.length;

    // Special ids by role (see the file comment for the order).
    const [single, pair] = [this.template(false), this.template(true)];
    this.single = single;
    this.pair = pair;
    this.singleSpecials = single.filter((s) => 'special' in s).length;
    this.pairSpecials = pair.filter((s) => 'special' in s).length;
    const inVocab = (t: string) => lib.token_to_id(t);
    const found: Partial<Record<Role, number>> = {};
    for (const role of ROLES) {
      const given = options.specialTokens?.[role];
      if (given !== undefined) {
        const id = inVocab(given);
        if (id === undefined) throw new Error(`Tokenizer.fromJSON: specialTokens.${role} must be a token of the vocabulary, received ${describeValue(given)}, which is not`);
        found[role] = id;
        continue;
      }
      const named = configToken(config, `${role}_token`);
      if (named !== undefined) {
        const id = inVocab(named);
        if (id === undefined) throw new TokenizerJSONError(`tokenizer_config's ${role}_token to be a token of the vocabulary`, `${describeValue(named)}, which is not`);
        found[role] = id;
        continue;
      }
      const a = single.findIndex((s) => 'sequence' in s);
      const fromTemplate = role === 'cls' && a > 0 ? single[a - 1] : role === 'sep' && a >= 0 && a + 1 < single.length ? single[a + 1] : undefined;
      if (fromTemplate && 'special' in fromTemplate) {
        found[role] = fromTemplate.special;
        continue;
      }
      if (role === 'unk' && lib.model.unk_token_id !== undefined && lib.model.unk_token_id !== null) {
        found[role] = lib.model.unk_token_id;
        continue;
      }
      for (const name of USUAL_NAMES[role]) {
        const id = inVocab(name);
        if (id !== undefined) {
          found[role] = id;
          break;
        }
      }
    }
    [this.padId, this.unkId, this.clsId, this.sepId, this.maskId] = ROLES.map((r) => found[r]);
    this.maxLength = options.maxLength ?? defaultMaxLength(json, config);
  }

  /**
   * A tokenizer from the contents of a tokenizer.json (an object or its JSON text). Pure: reads no
   * file. Missing top-level parts (normalizer, pre_tokenizer, post_processor, decoder,
   * added_tokens) are taken as absent; a WordPiece model without continuing_subword_prefix uses '##'.
   *
   * @throws Error for invalid JSON, a model other than WordPiece / BPE / Unigram, options out of
   * range, or a tokenizer.json the library refuses.
   */
  static fromJSON(json: object | string, options: TokenizerOptions = {}): Tokenizer {
    checkTokenizerOptions(options);
    let obj: unknown = json;
    if (typeof json === 'string') {
      try {
        obj = JSON.parse(json);
      } catch (err) {
        throw new TokenizerJSONError('the JSON text of a tokenizer.json', `invalid JSON (${(err as Error).message})`);
      }
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new TokenizerJSONError('a tokenizer.json object', describeValue(obj));
    const copy = structuredClone(obj) as Record<string, unknown>;
    const model = copy.model as Record<string, unknown> | undefined;
    if (typeof model !== 'object' || model === null || Array.isArray(model)) throw new TokenizerJSONError("a tokenizer.json with a 'model' object", describeValue(model));
    if (!MODEL_TYPES.includes(model.type as string)) throw new TokenizerJSONError(`model.type ${MODEL_TYPES.join(' or ')}`, describeValue(model.type));
    if (model.type === 'WordPiece' && model.continuing_subword_prefix == null) model.continuing_subword_prefix = '##';
    for (const key of ['normalizer', 'pre_tokenizer', 'post_processor', 'decoder']) copy[key] ??= null;
    copy.added_tokens ??= [];
    if (!Array.isArray(copy.added_tokens)) throw new TokenizerJSONError('added_tokens to be an array', describeValue(copy.added_tokens));
    return new Tokenizer(copy, options);
  }

  /**
   * Node only: a tokenizer from a directory holding tokenizer.json (or vocab.txt), a tokenizer.json
   * or a BERT vocab.txt, with tokenizer_config.json beside it when present. See ./tokenizer-file.ts.
   */
  static async fromFile(path: string, options: TokenizerOptions = {}): Promise<Tokenizer> {
    // Node only, and out of a bundler's sight (a computed specifier): the pure entry reads no files.
    const module = './tokenizer-file.js';
    const { loadTokenizer } = (await import(/* @vite-ignore */ module)) as typeof import('./tokenizer-file.js');
    return loadTokenizer(path, options);
  }

  /** The tokenizer.json (a copy), e.g. to save it: `JSON.stringify(tokenizer)`. */
  toJSON(): Record<string, unknown> {
    return structuredClone(this.json);
  }

  /** The tokenizer_config.json it was made with (a copy; {} when none). */
  tokenizerConfig(): Record<string, unknown> {
    return structuredClone(this.config);
  }

  /** The tokens of the vocabulary in id order (added tokens included; a gap in the ids is ''). */
  vocab(): string[] {
    return Array.from(this.lib.model.vocab, (t) => t ?? '');
  }

  /** The id of a token, or undefined when it is not in the vocabulary. */
  tokenToId(token: string): number | undefined {
    return this.lib.token_to_id(token);
  }

  /** The token of an id, or undefined for an id outside the vocabulary. */
  idToToken(id: number): string | undefined {
    return this.lib.model.vocab[id];
  }

  /** The tokens of a text, without special tokens (e.g. ['un', '##aff', '##able']). */
  tokenize(text: string): string[] {
    if (typeof text !== 'string') throw new Error(`Tokenizer.tokenize: text must be a string, received ${describeValue(text)}`);
    return this.lib.tokenize(text, { add_special_tokens: false });
  }

  /** How many special tokens the post-processor adds to a single text (pair = false) or a pair. */
  numSpecialTokens(pair = false): number {
    return pair ? this.pairSpecials : this.singleSpecials;
  }

  /**
   * The ids, attention mask and type ids of one text or pair.
   *
   * @param input a text, or [textA, textB].
   * @param options `maxLength` truncates (longest_first, special tokens kept); `addSpecialTokens` (default true).
   */
  encode(input: TextInput, options: EncodeOptions = {}): Encoding {
    checkKeys('Tokenizer.encode', options, ENCODE_OPTION_KEYS);
    const { maxLength, addSpecialTokens = true } = options;
    if (maxLength !== undefined) checkMaxLength('Tokenizer.encode', maxLength);
    checkBoolean('Tokenizer.encode', 'addSpecialTokens', addSpecialTokens);
    const where = 'Tokenizer.encode: input';
    checkInput(where, input);
    if (maxLength !== undefined) this.checkRoom('Tokenizer.encode', maxLength, typeof input !== 'string', addSpecialTokens);
    const { ids, types } = this.encodeRow(input, maxLength, addSpecialTokens);
    return { ids: Int32Array.from(ids), attentionMask: new Int32Array(ids.length).fill(1), typeIds: Int32Array.from(types) };
  }

  /**
   * N texts (or pairs) as one padded batch: row-major Int32Arrays [N * L]. Rows are truncated to
   * `maxLength` (special tokens kept) and padded on the right with the pad id (mask 0, type 0).
   *
   * @throws Error naming the option or the input for bad options, a non-text input, an empty
   * list, no pad token, or (truncation false) a row longer than maxLength.
   */
  encodeBatch(inputs: readonly TextInput[], options: EncodeBatchOptions = {}): EncodedBatch {
    const fn = 'Tokenizer.encodeBatch';
    checkKeys(fn, options, BATCH_OPTION_KEYS);
    const { maxLength = this.maxLength, padding = 'longest', truncation = true, addSpecialTokens = true } = options;
    checkMaxLength(fn, maxLength);
    if (padding !== 'longest' && padding !== 'max_length') throw new Error(`${fn}: padding must be 'longest' or 'max_length', received ${describeValue(padding)}`);
    checkBoolean(fn, 'truncation', truncation);
    checkBoolean(fn, 'addSpecialTokens', addSpecialTokens);
    if (!Array.isArray(inputs) || inputs.length === 0) throw new Error(`${fn}: expected a non-empty array of texts, received ${describeValue(inputs)}`);
    inputs.forEach((x, i) => checkInput(`${fn}: inputs[${i}]`, x));
    if (this.padId === undefined) {
      throw new Error(`${fn}: padding needs a pad token, and this tokenizer has none; pass specialTokens: { pad: '<a token of the vocabulary>' } to Tokenizer.fromJSON / fromFile`);
    }
    this.checkRoom(fn, maxLength, inputs.some((x) => typeof x !== 'string'), addSpecialTokens);

    const rows = inputs.map((x, i) => {
      const row = this.encodeRow(x, truncation ? maxLength : undefined, addSpecialTokens);
      if (row.ids.length > maxLength) {
        throw new Error(`${fn}: inputs[${i}] has ${row.ids.length} tokens, more than maxLength ${maxLength}; pass truncation: true or a larger maxLength`);
      }
      return row;
    });
    const n = rows.length;
    const length = padding === 'max_length' ? maxLength : Math.max(...rows.map((r) => r.ids.length));
    const ids = new Int32Array(n * length).fill(this.padId);
    const attentionMask = new Int32Array(n * length);
    const typeIds = new Int32Array(n * length);
    rows.forEach((r, i) => {
      ids.set(r.ids, i * length);
      attentionMask.fill(1, i * length, i * length + r.ids.length);
      typeIds.set(r.types, i * length);
    });
    return { ids, attentionMask, typeIds, length, n };
  }

  /**
   * One text as windows of at most `maxLength` tokens each (special tokens included), for texts
   * longer than the model reads: the content tokens are cut into pieces of `maxLength - specials`
   * tokens starting every `stride` tokens until one reaches the text's end (the last may be shorter),
   * and each piece gets the single-text special tokens ([CLS] ... [SEP]). A text that fits is one window, equal to
   * `encode(text, { maxLength })`. Hugging Face's `return_overflowing_tokens` makes the same windows
   * with its `stride` (an overlap) set to `maxLength - specials - stride`; long-document retrieval
   * scores such passages and aggregates them (Dai & Callan, "Deeper Text Understanding for IR with
   * Contextual Neural Language Modeling", SIGIR 2019).
   *
   * @param options `maxLength` (default: the tokenizer's), `stride` (default: a window's content
   * length, no overlap; at most that length).
   * @returns the windows' ids and their content token counts (what a mean over windows weights by).
   */
  encodeWindows(text: string, options: { maxLength?: number; stride?: number } = {}): { ids: Int32Array[]; tokens: number[] } {
    const fn = 'Tokenizer.encodeWindows';
    checkKeys(fn, options, ['maxLength', 'stride']);
    const { maxLength = this.maxLength } = options;
    checkMaxLength(fn, maxLength);
    if (typeof text !== 'string') throw new Error(`${fn}: text must be a string, received ${describeValue(text)}`);
    this.checkRoom(fn, maxLength, false, true);
    const budget = maxLength - this.numSpecialTokens(false);
    const { stride = budget } = options;
    if (!Number.isInteger(stride) || stride < 1 || stride > budget) {
      throw new Error(`${fn}: stride must be an integer in [1, ${budget}] (maxLength ${maxLength} less ${this.numSpecialTokens(false)} special tokens), received ${describeValue(stride)}`);
    }
    const content = this.contentIds(text);
    const starts = [0];
    while (starts.at(-1)! + budget < content.length) starts.push(starts.at(-1)! + stride);
    const ids: Int32Array[] = [];
    const tokens: number[] = [];
    for (const s of starts) {
      const piece = content.slice(s, s + budget);
      const row: number[] = [];
      for (const slot of this.single) {
        if ('special' in slot) row.push(slot.special);
        else row.push(...piece);
      }
      ids.push(Int32Array.from(row));
      tokens.push(piece.length);
    }
    return { ids, tokens };
  }

  /**
   * The text of some ids, by the tokenizer.json's decoder ('##' pieces joined for WordPiece,
   * bytes for byte-level BPE, '▁' as space for Metaspace).
   *
   * @param options `skipSpecialTokens` drops the special tokens (padding included). Default false (as Hugging Face).
   */
  decode(ids: ArrayLike<number>, options: { skipSpecialTokens?: boolean } = {}): string {
    checkKeys('Tokenizer.decode', options, ['skipSpecialTokens']);
    const { skipSpecialTokens = false } = options;
    checkBoolean('Tokenizer.decode', 'skipSpecialTokens', skipSpecialTokens);
    if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') throw new Error(`Tokenizer.decode: ids must be an array of token ids, received ${describeValue(ids)}`);
    const list = Array.from(ids);
    list.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize || this.lib.model.vocab[id] === undefined) {
        throw new Error(`Tokenizer.decode: ids[${i}] must be an id of the vocabulary (an integer in [0, ${this.vocabSize})), received ${describeValue(id)}`);
      }
    });
    if (list.length === 0) return '';
    let kept = list;
    // The library skips only the added tokens marked special; the pad id is dropped too.
    if (skipSpecialTokens) kept = list.filter((id) => id !== this.padId);
    if (kept.length === 0) return '';
    return this.lib.decode(kept, { skip_special_tokens: skipSpecialTokens });
  }

  /** ids and type ids of one input, truncated to maxLength (when given) with its special tokens. */
  private encodeRow(input: TextInput, maxLength: number | undefined, addSpecialTokens: boolean): { ids: number[]; types: number[] } {
    const isPair = typeof input !== 'string';
    let a = this.contentIds(isPair ? input[0] : input);
    let b = isPair ? this.contentIds(input[1]) : undefined;
    const template = isPair ? this.pair : this.single;
    if (maxLength !== undefined) {
      const budget = maxLength - (addSpecialTokens ? this.numSpecialTokens(isPair) : 0);
      if (b === undefined) {
        if (a.length > budget) a = a.slice(0, budget);
      } else {
        const [n1, n2] = longestFirst(a.length, b.length, budget);
        a = a.slice(0, n1);
        b = b.slice(0, n2);
      }
    }
    const ids: number[] = [];
    const types: number[] = [];
    for (const slot of template) {
      if ('special' in slot) {
        if (!addSpecialTokens) continue;
        ids.push(slot.special);
        types.push(slot.typeId);
      } else {
        const seq = slot.sequence === 0 ? a : b!;
        for (const id of seq) {
          ids.push(id);
          types.push(slot.typeId);
        }
      }
    }
    return { ids, types };
  }

  /** The ids of a text without special tokens. */
  private contentIds(text: string): number[] {
    const { ids, tokens } = this.lib.encode(text, { add_special_tokens: false });
    for (let k = 0; k < ids.length; k++) {
      if (ids[k] === undefined) {
        if (this.unkId === undefined) throw new Error(`Tokenizer: the token ${describeValue(tokens[k])} of ${describeValue(text)} is not in the vocabulary, and the tokenizer has no unknown token`);
        ids[k] = this.unkId;
      }
    }
    return ids as number[];
  }

  /** Throws unless maxLength leaves room for the special tokens. */
  private checkRoom(fn: string, maxLength: number, anyPair: boolean, addSpecialTokens: boolean): void {
    const added = addSpecialTokens ? this.numSpecialTokens(anyPair) : 0;
    if (maxLength < added + (anyPair ? 2 : 1)) {
      throw new Error(`${fn}: maxLength must be >= ${added + (anyPair ? 2 : 1)} (${added} special tokens${anyPair ? ' of a pair' : ''} and at least one token per text), received ${maxLength}`);
    }
  }

  /**
   * The post-processor's template for a single text or a pair: run once on one marker token per
   * sequence; every other token of its output is a special token of the vocabulary.
   */
  private template(pair: boolean): Slot[] {
    const A = '\u0000contrastive:A\u0000', B = '\u0000contrastive:B\u0000';
    const pp = this.lib.post_processor;
    const seqs: Slot[] = pair ? [{ sequence: 0, typeId: 0 }, { sequence: 1, typeId: 1 }] : [{ sequence: 0, typeId: 0 }];
    if (!pp) return seqs;
    const out = pp([A], pair ? [B] : null, true);
    let tokens = out.tokens;
    let types = out.token_type_ids;
    // A post-processor that leaves the pair apart (tokenizers.js' ByteLevel) is followed by a plain concatenation.
    if (Array.isArray(out.tokens_pair)) {
      types = [...(types ?? tokens.map(() => 0)), ...out.tokens_pair.map(() => 1)];
      tokens = [...tokens, ...out.tokens_pair];
    }
    // RoBERTa has one segment: the Rust RobertaProcessing gives type id 0 to every token of a pair
    // (tokenizers.js gives 1 to the second text), so its type ids are not read.
    if (usesRoberta(this.json.post_processor)) types = tokens.map(() => 0);
    let seen = 0; // without type ids from the post-processor: 0 up to sequence B, 1 from it on
    return tokens.map((t, k) => {
      if (t === B) seen = 1;
      const typeId = types?.[k] ?? seen;
      if (t === A) return { sequence: 0, typeId };
      if (t === B) return { sequence: 1, typeId };
      const id = this.lib.token_to_id(t);
      if (id === undefined) throw new TokenizerJSONError('a post-processor whose special tokens are in the vocabulary', `${describeValue(t)}, which is not`);
      return { special: id, typeId };
    });
  }
}

/**
 * Lengths kept of a pair of n1 and n2 tokens within `budget`: Hugging Face's longest_first
 * (tokenizers `utils/truncation.rs`). Pure, exported for the tests.
 */
export function longestFirst(n1: number, n2: number, budget: number): [number, number] {
  if (n1 + n2 <= budget) return [n1, n2];
  if (budget <= 0) return [0, 0];
  let [short, long] = n1 > n2 ? [n2, n1] : [n1, n2];
  long = short > budget ? short : Math.max(short, budget - short);
  if (short + long > budget) {
    short = Math.floor(budget / 2);
    long = short + (budget % 2);
  }
  return n1 > n2 ? [long, short] : [short, long];
}

/** True when a post-processor config is RobertaProcessing or a Sequence holding one. */
function usesRoberta(pp: unknown): boolean {
  if (typeof pp !== 'object' || pp === null) return false;
  const c = pp as { type?: unknown; processors?: unknown };
  if (c.type === 'RobertaProcessing') return true;
  return c.type === 'Sequence' && Array.isArray(c.processors) && c.processors.some(usesRoberta);
}

function defaultMaxLength(json: Record<string, unknown>, config: Record<string, unknown>): number {
  const truncation = json.truncation as { max_length?: unknown } | null | undefined;
  const fromJson = truncation?.max_length;
  if (Number.isInteger(fromJson) && (fromJson as number) >= 1) return fromJson as number;
  const fromConfig = config.model_max_length;
  if (Number.isInteger(fromConfig) && (fromConfig as number) >= 1 && (fromConfig as number) <= 1e6) return fromConfig as number;
  return DEFAULT_MAX_LENGTH;
}

/** A token of tokenizer_config.json: a string or an AddedToken object ({content}). */
function configToken(config: Record<string, unknown>, key: string): string | undefined {
  const v = config[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

function checkTokenizerOptions(options: TokenizerOptions): void {
  checkKeys('Tokenizer.fromJSON', options, TOKENIZER_OPTION_KEYS);
  const { config, specialTokens, maxLength } = options;
  if (config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config))) {
    throw new Error(`Tokenizer.fromJSON: config must be a tokenizer_config object, received ${describeValue(config)}`);
  }
  if (specialTokens !== undefined) {
    checkKeys('Tokenizer.fromJSON: specialTokens', specialTokens, [...ROLES]);
    for (const role of ROLES) {
      const t = specialTokens[role];
      if (t !== undefined && (typeof t !== 'string' || t === '')) throw new Error(`Tokenizer.fromJSON: specialTokens.${role} must be a non-empty string, received ${describeValue(t)}`);
    }
  }
  if (maxLength !== undefined) checkMaxLength('Tokenizer.fromJSON', maxLength);
}

function checkKeys(fn: string, options: object, keys: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new Error(`${fn}: options must be an object, received ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (!keys.includes(key)) throw new Error(`${fn}: unknown option '${key}' (options: ${keys.join(', ')})`);
  }
}

function checkMaxLength(fn: string, maxLength: unknown): void {
  if (!Number.isInteger(maxLength) || (maxLength as number) < 1) throw new Error(`${fn}: maxLength must be an integer >= 1, received ${describeValue(maxLength)}`);
}

function checkBoolean(fn: string, name: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new Error(`${fn}: ${name} must be a boolean, received ${describeValue(v)}`);
}

function checkInput(where: string, x: unknown): void {
  if (typeof x === 'string') return;
  if (Array.isArray(x) && x.length === 2 && typeof x[0] === 'string' && typeof x[1] === 'string') return;
  throw new Error(`${where} must be a string or a [string, string] pair, received ${describeValue(x)}`);
}
