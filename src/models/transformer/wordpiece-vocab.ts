/**
 * A WordPiece vocabulary (BERT's `vocab.txt`: one token per line, the line number is the id) and
 * the `tokenizer.json` that makes a BERT tokenizer of it, so a bare vocab.txt and a trained
 * vocabulary load through the same library as any Hugging Face tokenizer.json.
 *
 * The JSON is what Hugging Face's `BertConverter` (transformers `convert_slow_tokenizer.py`) and
 * `BertWordPieceTokenizer` (tokenizers `implementations/bert_wordpiece.py`) write:
 * - normalizer `BertNormalizer` {clean_text, handle_chinese_chars, strip_accents, lowercase}:
 *   remove control characters, space out CJK ideographs, lowercase and strip accents (NFD, drop
 *   combining marks; `strip_accents: null` follows `lowercase`, as BERT's `do_lower_case`);
 * - pre-tokenizer `BertPreTokenizer`: split on whitespace and isolate every punctuation character;
 * - model `WordPiece` {unk_token, continuing_subword_prefix '##', max_input_chars_per_word 100}:
 *   greedy longest-match-first from the start of each word; a piece that continues a word carries
 *   the '##' prefix; a word with no full cover (or longer than 100 characters) is one [UNK];
 * - post-processor `TemplateProcessing`: `[CLS] A [SEP]` (type ids 0) and `[CLS] A [SEP] B [SEP]`
 *   (B and its [SEP] type 1), present when the vocabulary holds both [CLS] and [SEP];
 * - decoder `WordPiece` (joins '##' pieces, cleans spaces before punctuation);
 * - added_tokens: the special tokens found in the vocabulary, `normalized: false, special: true`
 *   (so "[MASK]" in a text stays one token even under lowercasing).
 *
 * Devlin, Chang, Lee, Toutanova, "BERT: Pre-training of Deep Bidirectional Transformers for
 * Language Understanding", NAACL 2019, https://arxiv.org/abs/1810.04805 (WordPiece inputs, sec. 3);
 * Schuster & Nakajima, "Japanese and Korean Voice Search", ICASSP 2012 (WordPiece);
 * https://huggingface.co/docs/tokenizers/components (the components and their JSON).
 *
 * Pure (no file access): ./tokenizer-file.ts reads and writes vocab.txt on disk.
 */

/** Options of {@link wordPieceTokenizerJSON}: the BERT defaults, the keys of tokenizer_config.json in comments. */
export interface WordPieceJSONOptions {
  /** Lowercase the text (tokenizer_config `do_lower_case`). Default true (bert-base-uncased). */
  lowercase?: boolean;
  /** Strip accents; undefined follows `lowercase` (tokenizer_config `strip_accents`, null there). */
  stripAccents?: boolean;
  /** Put spaces around CJK ideographs (tokenizer_config `tokenize_chinese_chars`). Default true. */
  handleChineseChars?: boolean;
  /** Remove control characters and map whitespace to ' '. Default true. */
  cleanText?: boolean;
  /** The unknown token, which must be in the vocabulary. Default '[UNK]'. */
  unkToken?: string;
  /** Default '[CLS]'. */
  clsToken?: string;
  /** Default '[SEP]'. */
  sepToken?: string;
  /** Default '[PAD]'. */
  padToken?: string;
  /** Default '[MASK]'. */
  maskToken?: string;
  /** Prefix of a piece that continues a word. Default '##'. */
  continuingSubwordPrefix?: string;
  /** A longer word is one unknown token. Default 100. */
  maxInputCharsPerWord?: number;
}

const OPTION_KEYS = ['lowercase', 'stripAccents', 'handleChineseChars', 'cleanText', 'unkToken', 'clsToken', 'sepToken', 'padToken', 'maskToken', 'continuingSubwordPrefix', 'maxInputCharsPerWord'];

/** The special tokens of BERT, in the order of its added_tokens. */
export const BERT_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** A problem with the lines of a vocab.txt: `line` is 1-based. */
export class VocabError extends Error {
  constructor(readonly line: number, readonly expected: string, readonly found: string) {
    super(`line ${line}: expected ${expected}, found ${found}`);
    this.name = 'VocabError';
  }
}

/**
 * The tokens of a vocab.txt in id order: line k (0-based) is token k, kept as written without its
 * line break ('\n' or '\r\n'); a final line break ends the last token, it does not add an empty
 * one (as transformers' `load_vocab`). A BOM is dropped.
 *
 * @throws VocabError for an empty file, an empty line, or a token that appears twice (which
 * would give two ids to one token).
 */
export function parseVocab(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new VocabError(1, 'one token per line', 'an empty file');
  const seen = new Map<string, number>();
  return lines.map((raw, k) => {
    const token = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (token === '') throw new VocabError(k + 1, 'a token', 'an empty line');
    const before = seen.get(token);
    if (before !== undefined) throw new VocabError(k + 1, 'a token not seen before', `${JSON.stringify(token)}, already on line ${before + 1}`);
    seen.set(token, k);
    return token;
  });
}

/** The text of a vocab.txt: token k on line k, each line ended by '\n'. */
export function vocabText(vocab: readonly string[]): string {
  for (let k = 0; k < vocab.length; k++) {
    if (vocab[k] === '' || /[\r\n]/.test(vocab[k])) throw new Error(`vocabText: token ${k} must be a non-empty string without line breaks, received ${JSON.stringify(vocab[k])}`);
  }
  return vocab.map((t) => `${t}\n`).join('');
}

/**
 * The tokenizer.json of a BERT WordPiece tokenizer over `vocab` (token k has id k); see the file
 * comment for its parts.
 *
 * @throws Error naming the option for a bad option, or when the unknown token is not in the vocabulary.
 *
 * @example
 * const tok = Tokenizer.fromJSON(wordPieceTokenizerJSON(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'a', '##b']));
 */
export function wordPieceTokenizerJSON(vocab: readonly string[], options: WordPieceJSONOptions = {}): Record<string, unknown> {
  checkOptions(options);
  const {
    lowercase = true, stripAccents, handleChineseChars = true, cleanText = true,
    unkToken = '[UNK]', clsToken = '[CLS]', sepToken = '[SEP]', padToken = '[PAD]', maskToken = '[MASK]',
    continuingSubwordPrefix = '##', maxInputCharsPerWord = 100,
  } = options;
  if (!Array.isArray(vocab) || vocab.length === 0) throw new Error(`wordPieceTokenizerJSON: vocab must be a non-empty array of tokens, received ${describeValue(vocab)}`);
  const ids: Record<string, number> = {};
  vocab.forEach((t, k) => {
    if (typeof t !== 'string' || t === '') throw new Error(`wordPieceTokenizerJSON: vocab[${k}] must be a non-empty string, received ${describeValue(t)}`);
    if (Object.hasOwn(ids, t)) throw new Error(`wordPieceTokenizerJSON: vocab[${k}] ${JSON.stringify(t)} repeats vocab[${ids[t]}]`);
    ids[t] = k;
  });
  if (!Object.hasOwn(ids, unkToken)) throw new Error(`wordPieceTokenizerJSON: the unknown token (unkToken) must be in the vocabulary, received ${JSON.stringify(unkToken)}, which is not`);

  const specials = [padToken, unkToken, clsToken, sepToken, maskToken].filter((t, i, all) => Object.hasOwn(ids, t) && all.indexOf(t) === i);
  const addedTokens = specials
    .map((content) => ({ id: ids[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }))
    .sort((a, b) => a.id - b.id);
  const hasTemplate = Object.hasOwn(ids, clsToken) && Object.hasOwn(ids, sepToken);
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: 'A' | 'B', typeId: number) => ({ Sequence: { id, type_id: typeId } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: { type: 'BertNormalizer', clean_text: cleanText, handle_chinese_chars: handleChineseChars, strip_accents: stripAccents ?? null, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: hasTemplate
      ? {
          type: 'TemplateProcessing',
          single: [special(clsToken, 0), sequence('A', 0), special(sepToken, 0)],
          pair: [special(clsToken, 0), sequence('A', 0), special(sepToken, 0), sequence('B', 1), special(sepToken, 1)],
          special_tokens: Object.fromEntries([clsToken, sepToken].map((t) => [t, { id: t, ids: [ids[t]], tokens: [t] }])),
        }
      : null,
    decoder: { type: 'WordPiece', prefix: continuingSubwordPrefix, cleanup: true },
    model: { type: 'WordPiece', unk_token: unkToken, continuing_subword_prefix: continuingSubwordPrefix, max_input_chars_per_word: maxInputCharsPerWord, vocab: ids },
  };
}

function checkOptions(options: WordPieceJSONOptions): void {
  if (typeof options !== 'object' || options === null) throw new Error(`wordPieceTokenizerJSON: options must be an object, received ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new Error(`wordPieceTokenizerJSON: unknown option '${key}' (options: ${OPTION_KEYS.join(', ')})`);
  }
  for (const key of ['lowercase', 'stripAccents', 'handleChineseChars', 'cleanText'] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== 'boolean') throw new Error(`wordPieceTokenizerJSON: ${key} must be a boolean, received ${describeValue(v)}`);
  }
  for (const key of ['unkToken', 'clsToken', 'sepToken', 'padToken', 'maskToken', 'continuingSubwordPrefix'] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== 'string' || v === '')) throw new Error(`wordPieceTokenizerJSON: ${key} must be a non-empty string, received ${describeValue(v)}`);
  }
  const m = options.maxInputCharsPerWord;
  if (m !== undefined && !(Number.isInteger(m) && m >= 1)) throw new Error(`wordPieceTokenizerJSON: maxInputCharsPerWord must be an integer >= 1, received ${describeValue(m)}`);
}

/** A received value for a message: strings quoted and shortened, others by type. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return typeof v === 'object' ? 'an object' : typeof v;
}
