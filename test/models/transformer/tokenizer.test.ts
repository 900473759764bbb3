/**
 * The tokenizer over tiny tokenizer.json files of the three model families (WordPiece / BPE /
 * Unigram), written here the way the Rust `tokenizers` library writes them. Every expected id is
 * derived by hand from the vocabularies below (no Python tokenizers on this machine); the
 * derivation is next to each expectation.
 */
import { describe, expect, it } from 'vitest';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { Tokenizer, longestFirst, type EncodedBatch } from '../../../src/models/transformer/tokenizer.js';
import { wordPieceTokenizerJSON } from '../../../src/models/transformer/wordpiece-vocab.js';

const special = (id: number, content: string, extra: Record<string, unknown> = {}) =>
  ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true, ...extra });

/** BERT-style WordPiece vocabulary: id = index. */
export const WORDPIECE_VOCAB = [
  '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', // 0-4
  'the', 'cat', 'sat', 'un', '##aff', // 5-9
  '##able', 'cafe', '.', ',', '!', // 10-14
  'play', '##ing', '##s', 'a', 'dog', // 15-19
  'on', 'mat', // 20-21
];

/** bert-base-uncased's tokenizer.json layout (BertNormalizer lowercase + strip accents, BertPreTokenizer, WordPiece, [CLS] A [SEP] B [SEP]). */
export function wordPieceJSON(): Record<string, unknown> {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '[PAD]'), special(1, '[UNK]'), special(2, '[CLS]'), special(3, '[SEP]'), special(4, '[MASK]')],
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100,
      vocab: Object.fromEntries(WORDPIECE_VOCAB.map((t, i) => [t, i])),
    },
  };
}

/**
 * RoBERTa-style byte-level BPE. Bytes map to characters as GPT-2's bytes_to_unicode: printable
 * ASCII to itself, the space 0x20 to 'Ġ' (U+0120), 0xC3 to 'Ã', 0xA9 to '©' (so 'é' = C3 A9 is 'Ã©').
 */
export const BPE_VOCAB = [
  '<s>', '<pad>', '</s>', '<unk>', '<mask>', // 0-4
  'l', 'o', 'w', 'e', 'r', // 5-9
  'Ġ', 'n', 's', 't', '!', // 10-14
  'lo', 'low', 'er', 'Ġlow', 'Ġlower', // 15-19
  'Ã', '©', 'Ã©', // 20-22
];
/** Merges by rank (earlier = applied first). */
export const BPE_MERGES = ['l o', 'lo w', 'e r', 'Ġ low', 'Ġlow er', 'Ã ©'];

export function bpeJSON(): Record<string, unknown> {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '<s>'), special(1, '<pad>'), special(2, '</s>'), special(3, '<unk>'), special(4, '<mask>', { lstrip: true })],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, ignore_merges: false,
      vocab: Object.fromEntries(BPE_VOCAB.map((t, i) => [t, i])),
      merges: BPE_MERGES,
    },
  };
}

/** T5-style Unigram (SentencePiece): Metaspace '▁', pieces with log-probability scores. */
export const UNIGRAM_VOCAB: [string, number][] = [
  ['<pad>', 0], ['</s>', 0], ['<unk>', 0], // 0-2
  ['▁', -2], ['▁the', -1], ['▁cat', -1.5], ['▁ca', -2.5], ['t', -3], // 3-7
  ['s', -2], ['▁c', -3], ['a', -3], // 8-10
];

export function unigramJSON(): Record<string, unknown> {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '<pad>'), special(1, '</s>'), special(2, '<unk>')],
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      special_tokens: { '</s>': { id: '</s>', ids: [1], tokens: ['</s>'] } },
    },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 2, byte_fallback: false, vocab: UNIGRAM_VOCAB },
  };
}

const wp = () => Tokenizer.fromJSON(wordPieceJSON());
const ids = (t: Tokenizer, x: string | [string, string]) => Array.from(t.encode(x).ids);
const rows = (b: EncodedBatch, a: Int32Array) => Array.from({ length: b.n }, (_, i) => Array.from(a.subarray(i * b.length, (i + 1) * b.length)));

describe('Tokenizer: WordPiece (BERT)', () => {
  it('special ids, vocab size, model type', () => {
    const t = wp();
    expect([t.padId, t.unkId, t.clsId, t.sepId, t.maskId]).toEqual([0, 1, 2, 3, 4]);
    expect(t.vocabSize).toBe(22);
    expect(t.modelType).toBe('WordPiece');
    expect(t.maxLength).toBe(512);
    expect([t.numSpecialTokens(), t.numSpecialTokens(true)]).toEqual([2, 3]);
  });

  it('lowercase, punctuation split, ## continuations, accents, unknown words, [MASK] kept', () => {
    const t = wp();
    // "the cat sat ." -> [CLS] the cat sat . [SEP]
    expect(ids(t, 'The cat SAT.')).toEqual([2, 5, 6, 7, 12, 3]);
    // "unaffable" -> un ##aff ##able (greedy longest match), "!" alone
    expect(ids(t, 'Unaffable!')).toEqual([2, 8, 9, 10, 14, 3]);
    expect(t.tokenize('Unaffable!')).toEqual(['un', '##aff', '##able', '!']);
    // "Café" -> lowercase "café" -> NFD, combining acute dropped -> "cafe"
    expect(ids(t, 'Café')).toEqual([2, 11, 3]);
    // play ##ing, cat ##s
    expect(ids(t, 'playing cats')).toEqual([2, 15, 16, 6, 17, 3]);
    // "zebra": no piece starts it -> [UNK]; "dogz": dog + "##z" missing -> the whole word is one [UNK]
    expect(ids(t, 'zebra dogz')).toEqual([2, 1, 1, 3]);
    // "cat,dog" -> cat , dog (punctuation isolated without spaces)
    expect(ids(t, 'cat,dog')).toEqual([2, 6, 13, 19, 3]);
    // "[MASK]" is an added special token: matched before normalization, one id
    expect(ids(t, 'the [MASK] sat')).toEqual([2, 5, 4, 7, 3]);
    // whitespace of any kind, and the empty text
    expect(ids(t, '  the\tcat\n')).toEqual([2, 5, 6, 3]);
    expect(ids(t, '')).toEqual([2, 3]);
  });

  it('pairs: [CLS] A [SEP] B [SEP] with type ids 0 / 1; mask all ones', () => {
    const e = wp().encode(['the cat', 'a dog']);
    expect(Array.from(e.ids)).toEqual([2, 5, 6, 3, 18, 19, 3]);
    expect(Array.from(e.typeIds)).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect(Array.from(e.attentionMask)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(e.ids).toBeInstanceOf(Int32Array);
  });

  it('encode: addSpecialTokens false, maxLength truncates the text and keeps [CLS]/[SEP]', () => {
    const t = wp();
    expect(Array.from(t.encode('the cat', { addSpecialTokens: false }).ids)).toEqual([5, 6]);
    // the cat sat on the mat = 5 6 7 20 5 21; maxLength 5 leaves 3 for the text
    expect(Array.from(t.encode('the cat sat on the mat', { maxLength: 5 }).ids)).toEqual([2, 5, 6, 7, 3]);
    // a pair within 6: budget 6 - 3 = 3 for A (2 tokens) and B (3 tokens "on the mat"): longest_first keeps 1 + 2
    // (both longer than 3 - the other: floor(3/2) = 1 to the shorter A, 2 to B)
    expect(Array.from(t.encode(['the cat', 'on the mat'], { maxLength: 6 }).ids)).toEqual([2, 5, 3, 20, 5, 3]);
    // "sat" (1 token) and "on the mat" (3) in 6: the shorter is kept whole, the longer gets 3 - 1 = 2
    expect(Array.from(t.encode(['sat', 'on the mat'], { maxLength: 6 }).ids)).toEqual([2, 7, 3, 20, 5, 3]);
  });

  it('decode joins ## pieces; skipSpecialTokens drops [CLS], [SEP] and padding', () => {
    const t = wp();
    expect(t.decode([2, 8, 9, 10, 14, 3, 0, 0], { skipSpecialTokens: true })).toBe('unaffable!');
    expect(t.decode([2, 5, 6, 3])).toBe('[CLS] the cat [SEP]');
    expect(t.decode([])).toBe('');
    expect(t.decode(Int32Array.of(5, 6, 7))).toBe('the cat sat');
    expect(() => t.decode([5, 22])).toThrow('Tokenizer.decode: ids[1] must be an id of the vocabulary (an integer in [0, 22)), received 22');
  });

  it('tokenToId, idToToken, vocab()', () => {
    const t = wp();
    expect(t.tokenToId('##able')).toBe(10);
    expect(t.tokenToId('zebra')).toBeUndefined();
    expect(t.idToToken(9)).toBe('##aff');
    expect(t.vocab()).toEqual(WORDPIECE_VOCAB);
  });

  it('the JSON of wordPieceTokenizerJSON(vocab) is the BERT tokenizer.json above', () => {
    expect(wordPieceTokenizerJSON(WORDPIECE_VOCAB)).toEqual(wordPieceJSON());
    const cased = Tokenizer.fromJSON(wordPieceTokenizerJSON(WORDPIECE_VOCAB, { lowercase: false }));
    // Cased: "The" is not "the" -> [UNK]; accents are kept (strip_accents follows lowercase) -> "café" unknown
    expect(ids(cased, 'The the Café')).toEqual([2, 1, 5, 1, 3]);
  });
});

describe('Tokenizer: byte-level BPE (RoBERTa)', () => {
  const t = () => Tokenizer.fromJSON(bpeJSON());

  it('special ids from the RobertaProcessing template and the usual names', () => {
    const b = t();
    // cls/sep: the template's <s> / </s>; pad: '<pad>'; unk: the model's unk_token; mask: '<mask>'
    expect([b.padId, b.unkId, b.clsId, b.sepId, b.maskId]).toEqual([1, 3, 0, 2, 4]);
    expect([b.numSpecialTokens(), b.numSpecialTokens(true)]).toEqual([2, 4]);
  });

  it('merges by rank; the space is part of the next word (Ġ)', () => {
    const b = t();
    // "low": l o w -> (l,o) rank 0 -> lo w -> (lo,w) rank 1 -> low
    expect(ids(b, 'low')).toEqual([0, 16, 2]);
    // " lower" -> Ġ l o w e r -> lo (0), low (1), er (2), Ġlow (3), Ġlower (4)
    expect(ids(b, 'low lower')).toEqual([0, 16, 19, 2]);
    // "lowest": low, then no merge for (low,e), (e,s), (s,t) -> low e s t
    expect(ids(b, 'lowest')).toEqual([0, 16, 8, 12, 13, 2]);
    // "!" is its own pre-token
    expect(ids(b, 'low!')).toEqual([0, 16, 14, 2]);
    // "z" is a byte without a token -> <unk>
    expect(ids(b, 'lz')).toEqual([0, 5, 3, 2]);
    // "é" = bytes C3 A9 = 'Ã' '©' -> merge rank 5 -> 'Ã©'
    expect(ids(b, 'é')).toEqual([0, 22, 2]);
    expect(b.decode([0, 16, 19, 2], { skipSpecialTokens: true })).toBe('low lower');
    expect(b.decode([22])).toBe('é');
  });

  it('pairs: <s> A </s></s> B </s>, every type id 0 (as the Rust RobertaProcessing)', () => {
    const e = t().encode(['low', 'lower']);
    // "lower" without a leading space: lo, low, er; (low, er) has no merge
    expect(Array.from(e.ids)).toEqual([0, 16, 2, 2, 16, 17, 2]);
    expect(Array.from(e.typeIds)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('GPT-2 style (ByteLevel post-processor, no special tokens): a pair is A then B, type ids 0 / 1', () => {
    const g = Tokenizer.fromJSON({ ...bpeJSON(), post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true } });
    expect(g.numSpecialTokens(true)).toBe(0);
    // tokenizers.js' ByteLevel post-processor leaves the second text out; here it follows the first (Rust's default)
    const e = g.encode(['low', 'lower']);
    expect(Array.from(e.ids)).toEqual([16, 16, 17]);
    expect(Array.from(e.typeIds)).toEqual([0, 1, 1]);
  });
});

describe('Tokenizer: Unigram (T5 / SentencePiece)', () => {
  const t = () => Tokenizer.fromJSON(unigramJSON());

  it('special ids: pad by name, unk by the model, sep from the template, no cls / mask', () => {
    const u = t();
    expect([u.padId, u.unkId, u.clsId, u.sepId, u.maskId]).toEqual([0, 2, undefined, 1, undefined]);
    expect([u.numSpecialTokens(), u.numSpecialTokens(true)]).toEqual([1, 2]);
  });

  it('the most probable segmentation (Viterbi over the piece scores); unknown runs fused to one <unk>', () => {
    const u = t();
    // "the cats" -> "▁the▁cats". ▁the (-1). "▁cats": ▁cat + s = -3.5 beats ▁ca t s = -7.5 and ▁c a t s = -11
    expect(ids(u, 'the cats')).toEqual([4, 5, 8, 1]);
    // "▁dog": ▁ (-2), then d o g have no piece: three unknowns fused into one <unk>
    expect(ids(u, 'the dog')).toEqual([4, 3, 2, 1]);
    expect(u.decode([4, 5, 8, 1], { skipSpecialTokens: true })).toBe('the cats');
  });

  it('pairs: A </s> B </s>, type ids 0', () => {
    const e = t().encode(['the cats', 'the cat']);
    expect(Array.from(e.ids)).toEqual([4, 5, 8, 1, 4, 5, 1]);
    expect(Array.from(e.typeIds)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('a tokenizer without a pad token refuses to pad, and says how to give one', () => {
    const json = unigramJSON();
    (json.model as { vocab: [string, number][] }).vocab[0] = ['<nothing>', 0];
    (json.added_tokens as { content: string }[])[0].content = '<nothing>';
    const u = Tokenizer.fromJSON(json);
    expect(u.padId).toBeUndefined();
    expect(() => u.encodeBatch(['the'])).toThrow("Tokenizer.encodeBatch: padding needs a pad token, and this tokenizer has none; pass specialTokens: { pad: '<a token of the vocabulary>' } to Tokenizer.fromJSON / fromFile");
    const padded = Tokenizer.fromJSON(json, { specialTokens: { pad: '<nothing>' } }).encodeBatch(['the', 'the cats']);
    expect(rows(padded, padded.ids)).toEqual([[4, 1, 0, 0], [4, 5, 8, 1]]);
  });
});

describe('Tokenizer.encodeBatch: padding, truncation, masks', () => {
  it("padding 'longest': right-padded with [PAD], mask 0 and type 0 on padding", () => {
    const b = wp().encodeBatch(['the cat sat.', 'unaffable', ['the cat', 'a dog']], { maxLength: 6 });
    expect([b.n, b.length]).toEqual([3, 6]);
    expect(b.ids).toBeInstanceOf(Int32Array);
    expect(b.ids.length).toBe(18);
    // row 2: budget 6 - 3 = 3 for (2, 2) tokens: floor(3/2) = 1 to A, 2 to B
    expect(rows(b, b.ids)).toEqual([[2, 5, 6, 7, 12, 3], [2, 8, 9, 10, 3, 0], [2, 5, 3, 18, 19, 3]]);
    expect(rows(b, b.attentionMask)).toEqual([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1]]);
    expect(rows(b, b.typeIds)).toEqual([[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1]]);
  });

  it("padding 'max_length' pads every row to maxLength; truncation keeps [CLS] ... [SEP]", () => {
    const b = wp().encodeBatch(['the cat', 'the cat sat on the mat'], { maxLength: 5, padding: 'max_length' });
    expect([b.n, b.length]).toEqual([2, 5]);
    expect(rows(b, b.ids)).toEqual([[2, 5, 6, 3, 0], [2, 5, 6, 7, 3]]);
    expect(rows(b, b.attentionMask)).toEqual([[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]]);
    const long = wp().encodeBatch(['the'], { maxLength: 8, padding: 'max_length' });
    expect(rows(long, long.ids)).toEqual([[2, 5, 3, 0, 0, 0, 0, 0]]);
  });

  it('truncation false refuses a row longer than maxLength, naming it', () => {
    expect(() => wp().encodeBatch(['the', 'the cat sat on the mat'], { maxLength: 5, truncation: false }))
      .toThrow('Tokenizer.encodeBatch: inputs[1] has 8 tokens, more than maxLength 5; pass truncation: true or a larger maxLength');
    const b = wp().encodeBatch(['the cat'], { maxLength: 5, truncation: false });
    expect(rows(b, b.ids)).toEqual([[2, 5, 6, 3]]);
  });

  it('the default maxLength: tokenizer.json truncation.max_length, else model_max_length, else 512', () => {
    const json = wordPieceJSON();
    expect(Tokenizer.fromJSON(json, { config: { model_max_length: 64 } }).maxLength).toBe(64);
    // transformers writes a huge sentinel when the model has no limit
    expect(Tokenizer.fromJSON(json, { config: { model_max_length: 1e30 } }).maxLength).toBe(512);
    expect(Tokenizer.fromJSON({ ...json, truncation: { max_length: 7, strategy: 'LongestFirst', stride: 0 } }).maxLength).toBe(7);
    const t = Tokenizer.fromJSON(json, { maxLength: 4 });
    const b = t.encodeBatch(['the cat sat on']);
    expect(rows(b, b.ids)).toEqual([[2, 5, 6, 3]]);
  });

  it("longest_first: the Rust truncation's table (max_length 7)", () => {
    // tokenizers utils/truncation.rs, truncate_encodings_longest_first: lengths 0, 2, 4, 8
    const table: [number, number, number, number][] = [
      [0, 0, 0, 0], [0, 2, 0, 2], [0, 4, 0, 4], [0, 8, 0, 7],
      [2, 0, 2, 0], [2, 2, 2, 2], [2, 4, 2, 4], [2, 8, 2, 5],
      [4, 0, 4, 0], [4, 2, 4, 2], [4, 4, 3, 4], [4, 8, 3, 4],
      [8, 0, 7, 0], [8, 2, 5, 2], [8, 4, 4, 3], [8, 8, 3, 4],
    ];
    for (const [n1, n2, k1, k2] of table) expect([n1, n2, longestFirst(n1, n2, 7)]).toEqual([n1, n2, [k1, k2]]);
    expect(longestFirst(5, 5, 0)).toEqual([0, 0]);
  });
});

describe('Tokenizer: errors name the argument, the expected and the received', () => {
  it('bad options', () => {
    const t = wp();
    expect(() => t.encodeBatch(['a'], { maxLength: 0 })).toThrow('Tokenizer.encodeBatch: maxLength must be an integer >= 1, received 0');
    expect(() => t.encodeBatch(['a'], { maxLength: 2.5 })).toThrow('Tokenizer.encodeBatch: maxLength must be an integer >= 1, received 2.5');
    expect(() => t.encodeBatch(['a'], { padding: 'left' as never })).toThrow(`Tokenizer.encodeBatch: padding must be 'longest' or 'max_length', received "left"`);
    expect(() => t.encodeBatch(['a'], { truncation: 'yes' as never })).toThrow('Tokenizer.encodeBatch: truncation must be a boolean, received "yes"');
    expect(() => t.encodeBatch(['a'], { max_length: 4 } as never)).toThrow("Tokenizer.encodeBatch: unknown option 'max_length' (options: maxLength, padding, truncation, addSpecialTokens)");
    expect(() => t.encodeBatch(['a'], { maxLength: 2 })).toThrow('Tokenizer.encodeBatch: maxLength must be >= 3 (2 special tokens and at least one token per text), received 2');
    expect(() => t.encodeBatch([['a', 'b']], { maxLength: 4 })).toThrow('Tokenizer.encodeBatch: maxLength must be >= 5 (3 special tokens of a pair and at least one token per text), received 4');
    expect(() => t.encode('a', { maxLength: -1 })).toThrow('Tokenizer.encode: maxLength must be an integer >= 1, received -1');
  });

  it('bad inputs', () => {
    const t = wp();
    expect(() => t.encodeBatch([])).toThrow('Tokenizer.encodeBatch: expected a non-empty array of texts, received an array of length 0');
    expect(() => t.encodeBatch(['a', 3 as never])).toThrow('Tokenizer.encodeBatch: inputs[1] must be a string or a [string, string] pair, received 3');
    expect(() => t.encodeBatch([['a'] as never])).toThrow('Tokenizer.encodeBatch: inputs[0] must be a string or a [string, string] pair, received an array of length 1');
    expect(() => t.encode(null as never)).toThrow('Tokenizer.encode: input must be a string or a [string, string] pair, received null');
  });

  it('bad tokenizer.json and options of fromJSON', () => {
    expect(() => Tokenizer.fromJSON('{"model": ')).toThrow(/^Tokenizer\.fromJSON: expected the JSON text of a tokenizer\.json, received invalid JSON \(/);
    expect(() => Tokenizer.fromJSON([] as never)).toThrow('Tokenizer.fromJSON: expected a tokenizer.json object, received an array of length 0');
    expect(() => Tokenizer.fromJSON({ version: '1.0' })).toThrow("Tokenizer.fromJSON: expected a tokenizer.json with a 'model' object, received undefined");
    expect(() => Tokenizer.fromJSON({ model: { type: 'WordLevel', vocab: {} } })).toThrow('Tokenizer.fromJSON: expected model.type WordPiece or BPE or Unigram, received "WordLevel"');
    expect(() => Tokenizer.fromJSON(wordPieceJSON(), { specialTokens: { pad: '<pad>' } })).toThrow('Tokenizer.fromJSON: specialTokens.pad must be a token of the vocabulary, received "<pad>", which is not');
    expect(() => Tokenizer.fromJSON(wordPieceJSON(), { config: { pad_token: '<pad>' } })).toThrow(`Tokenizer.fromJSON: expected tokenizer_config's pad_token to be a token of the vocabulary, received "<pad>", which is not`);
    expect(() => Tokenizer.fromJSON(wordPieceJSON(), { maxLength: 0 })).toThrow('Tokenizer.fromJSON: maxLength must be an integer >= 1, received 0');
    const json = wordPieceJSON();
    (json.post_processor as { special_tokens: unknown; single: { SpecialToken?: { id: string } }[] }).single[0] = { SpecialToken: { id: '<cls>', type_id: 0 } } as never;
    expect(() => Tokenizer.fromJSON(json)).toThrow('Tokenizer.fromJSON: expected a post-processor whose special tokens are in the vocabulary, received "<cls>", which is not');
  });
});

describe('Tokenizer: the tokenizer.json round trip', () => {
  it('toJSON -> JSON text -> fromJSON gives the same ids; the library reads toJSON() directly', () => {
    for (const json of [wordPieceJSON(), bpeJSON(), unigramJSON()]) {
      const a = Tokenizer.fromJSON(json);
      const b = Tokenizer.fromJSON(JSON.stringify(a));
      const texts = ['the cats sat', 'Low lower lowest!', 'unaffable café'];
      for (const x of texts) expect(ids(b, x)).toEqual(ids(a, x));
      const lib = new (HfTokenizer as unknown as new (j: object, c: object) => { encode(t: string): { ids: number[] } })(a.toJSON(), {});
      for (const x of texts) expect(lib.encode(x).ids).toEqual(ids(a, x));
    }
  });

  it('a tokenizer.json without the optional parts, and a WordPiece model without its prefix', () => {
    const json = wordPieceJSON();
    const model = { ...(json.model as Record<string, unknown>) };
    delete model.continuing_subword_prefix;
    const t = Tokenizer.fromJSON({ model });
    // no normalizer: "Unaffable" keeps its capital (unknown); no pre-tokenizer: the whole text is one word;
    // no post-processor: no special tokens
    expect(ids(t, 'unaffable')).toEqual([8, 9, 10]);
    expect(ids(t, 'Unaffable')).toEqual([1]);
    expect(t.numSpecialTokens()).toBe(0);
    expect(Array.from(t.encode(['unaffable', 'cat']).typeIds)).toEqual([0, 0, 0, 1]);
  });
});
