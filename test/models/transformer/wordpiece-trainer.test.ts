/**
 * WordPiece training: the vocabulary of tiny corpora derived by hand (BPE merges over words split
 * into characters with '##' continuations), determinism, options, and the round trip through the
 * tokenizer.json that the library itself loads.
 */
import { describe, expect, it } from 'vitest';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { Tokenizer } from '../../../src/models/transformer/tokenizer.js';
import { trainWordPiece, trainWordPieceVocab } from '../../../src/models/transformer/wordpiece-trainer.js';
import { parseVocab, vocabText } from '../../../src/models/transformer/wordpiece-vocab.js';
import { Rng } from '../../../src/util/random.js';

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const ids = (t: Tokenizer, x: string) => Array.from(t.encode(x).ids);

/**
 * "hug hug hug", "pug pug", "hugs" -> words hug x3, pug x2, hugs x1.
 * Specials 0-4; alphabet in code point order g h p s u = 5-9; '##' characters (those after a
 * word's first character) g s u = 10-12 -> words: hug = h ##u ##g, pug = p ##u ##g, hugs = h ##u ##g ##s.
 * Pair counts: (##u, ##g) 3 + 2 + 1 = 6, (h, ##u) 3 + 1 = 4, (p, ##u) 2, (##g, ##s) 1.
 * Merge 1: ##u ##g -> '##ug' (13); then (h, ##ug) 4, (p, ##ug) 2, (##ug, ##s) 1.
 * Merge 2: h ##ug -> 'hug' (14); then (p, ##ug) 2, (hug, ##s) 1.
 * Merge 3: p ##ug -> 'pug' (15); then (hug, ##s) 1 < minFrequency 2: stop.
 */
const HUG = ['hug hug hug', 'pug pug', 'hugs'];
const HUG_VOCAB = [...SPECIALS, 'g', 'h', 'p', 's', 'u', '##g', '##s', '##u', '##ug', 'hug', 'pug'];

describe('trainWordPieceVocab', () => {
  it('the vocabulary of a tiny corpus, derived by hand', () => {
    expect(trainWordPieceVocab(HUG)).toEqual(HUG_VOCAB);
  });

  it('minFrequency 1 merges the last pair too; vocabSize stops the merges', () => {
    expect(trainWordPieceVocab(HUG, { minFrequency: 1 })).toEqual([...HUG_VOCAB, 'hugs']);
    expect(trainWordPieceVocab(HUG, { vocabSize: 14 })).toEqual(HUG_VOCAB.slice(0, 14));
    expect(trainWordPieceVocab(HUG, { vocabSize: 13 })).toEqual(HUG_VOCAB.slice(0, 13));
  });

  it('ties go to the pair of smaller ids', () => {
    // ab x2, cd x2: a b c d = 5-8, ##b ##d = 9-10; (a, ##b) and (c, ##d) both 2: (5, 9) first
    expect(trainWordPieceVocab(['ab cd', 'cd ab'])).toEqual([...SPECIALS, 'a', 'b', 'c', 'd', '##b', '##d', 'ab', 'cd']);
  });

  it('lowercase and accent stripping (NFD) before counting; punctuation split; special tokens not counted as text', () => {
    // "Café, CAFE café [MASK]" -> cafe , cafe cafe ("[MASK]" is cut out)
    const v = trainWordPieceVocab(['Café, CAFE café [MASK]'], { minFrequency: 1 });
    expect(v.slice(0, 5)).toEqual(SPECIALS);
    // alphabet , a c e f = 5-9; ##a ##e ##f = 10-12; cafe x3 = c ##a ##f ##e = 7 10 12 11 (',' alone).
    // Pairs (7,10), (10,12), (12,11) all 3: the smallest ids first -> c ##a = 'ca' (13);
    // then (13,12) and (12,11) tie: (12,11) -> ##f ##e = '##fe' (14); then 'cafe' (15)
    expect(v.slice(5)).toEqual([',', 'a', 'c', 'e', 'f', '##a', '##e', '##f', 'ca', '##fe', 'cafe']);
    // cased: A (65) before a (97); (A, ##b) and (a, ##b) tie, A's pair first
    const cased = trainWordPieceVocab(['Ab ab'], { lowercase: false, minFrequency: 1, stripAccents: false });
    expect(cased.slice(5)).toEqual(['A', 'a', 'b', '##b', 'Ab', 'ab']);
  });

  it('limitAlphabet keeps the most frequent characters and drops the others from the words', () => {
    // a x3 (aa, a), b x2, z x1: limit 2 keeps a, b; "az" becomes "a"
    const v = trainWordPieceVocab(['aa ab b az'], { limitAlphabet: 2, minFrequency: 1, vocabSize: 9 });
    expect(v).toEqual([...SPECIALS, 'a', 'b', '##a', '##b']);
    // initialAlphabet adds characters absent from the corpus (the alphabet holds every character, '##b' the continuing b)
    expect(trainWordPieceVocab(['ab'], { initialAlphabet: 'z', minFrequency: 5 })).toEqual([...SPECIALS, 'a', 'b', 'z', '##b']);
  });

  it('custom special tokens come first, in their order', () => {
    const v = trainWordPieceVocab(['ab'], { specialTokens: ['[UNK]', '<x>'], minFrequency: 1 });
    expect(v).toEqual(['[UNK]', '<x>', 'a', 'b', '##b', 'ab']);
  });

  it('deterministic; vocabSize respected; frequent words become single tokens, rare ones pieces', () => {
    const corpus = generatedCorpus(2000);
    const a = trainWordPieceVocab(corpus, { vocabSize: 70 });
    expect(trainWordPieceVocab(corpus, { vocabSize: 70 })).toEqual(a);
    expect(a.length).toBe(70);
    expect(new Set(a).size).toBe(70);
    expect(a.slice(0, 5)).toEqual(SPECIALS);
    const t = trainWordPiece(corpus, { vocabSize: 70 });
    // the most frequent words (Zipf weights 1/1, 1/2, ...) are whole tokens
    for (const w of ['the', 'cat', 'dog', 'sat', 'contrastive']) expect(t.tokenize(w)).toEqual([w]);
    // the rarest long word is split into pieces
    expect(t.tokenize('transformers').length).toBeGreaterThan(1);
    // with room for every word, merging stops when each word is one token
    const all = trainWordPieceVocab(corpus, { vocabSize: 1000 });
    expect(all.length).toBeLessThan(1000);
    expect(trainWordPiece(corpus, { vocabSize: 1000 }).tokenize('the transformers.')).toEqual(['the', 'transformers', '.']);
  });

  it('options are validated: the argument, the expected and the received', () => {
    expect(() => trainWordPieceVocab(HUG, { vocabSize: 12 })).toThrow("trainWordPiece: vocabSize must be >= 13 for this corpus (5 special tokens + 5 characters + 3 '##' characters; lower limitAlphabet for fewer), received 12");
    expect(() => trainWordPieceVocab(HUG, { vocabSize: 0 })).toThrow('trainWordPiece: vocabSize must be an integer >= 1, received 0');
    expect(() => trainWordPieceVocab(HUG, { minFrequency: -1 })).toThrow('trainWordPiece: minFrequency must be an integer >= 0, received -1');
    expect(() => trainWordPieceVocab(HUG, { limitAlphabet: 0 })).toThrow('trainWordPiece: limitAlphabet must be an integer >= 1, received 0');
    expect(() => trainWordPieceVocab(HUG, { lowercase: 1 as never })).toThrow('trainWordPiece: lowercase must be a boolean, received 1');
    expect(() => trainWordPieceVocab(HUG, { unkToken: '<unk>' })).toThrow('trainWordPiece: unkToken must be one of specialTokens ([PAD], [UNK], [CLS], [SEP], [MASK]), received "<unk>"');
    expect(() => trainWordPieceVocab(HUG, { specialTokens: ['[UNK]', '[UNK]'] })).toThrow('trainWordPiece: specialTokens[1] "[UNK]" repeats specialTokens[0]');
    expect(() => trainWordPieceVocab(HUG, { vocab_size: 10 } as never)).toThrow("trainWordPiece: unknown option 'vocab_size'");
    expect(() => trainWordPieceVocab([])).toThrow('trainWordPiece: corpus must hold at least one text, received none');
    expect(() => trainWordPieceVocab(['a', 7 as never])).toThrow('trainWordPiece: corpus item 1 must be a string, received 7');
    expect(() => trainWordPieceVocab('abc' as never)).toThrow('trainWordPiece: corpus must be an array or an iterable of strings, received "abc"');
  });

  it('any iterable of strings, read once', () => {
    function* texts() {
      yield* HUG;
    }
    expect(trainWordPieceVocab(texts())).toEqual(HUG_VOCAB);
  });
});

describe('trainWordPiece: the tokenizer', () => {
  it('encodes with the trained vocabulary: greedy longest match, [CLS] ... [SEP]', () => {
    const t = trainWordPiece(HUG);
    expect(t.vocab()).toEqual(HUG_VOCAB);
    expect([t.padId, t.unkId, t.clsId, t.sepId, t.maskId]).toEqual([0, 1, 2, 3, 4]);
    // "hugs" is not a token (minFrequency 2): hug ##s; "Pug" lowercased; "bug": no 'b' -> [UNK]
    expect(ids(t, 'hugs Pug bug')).toEqual([2, 14, 11, 15, 1, 3]);
  });

  it('round trip: toJSON -> the library itself, JSON text -> fromJSON, vocab.txt text -> vocab: same ids', () => {
    const corpus = generatedCorpus(500);
    const t = trainWordPiece(corpus, { vocabSize: 200 });
    const lib = new (HfTokenizer as unknown as new (j: object, c: object) => { encode(x: string): { ids: number[] } })(t.toJSON(), {});
    const again = Tokenizer.fromJSON(JSON.stringify(t));
    for (const x of corpus.slice(0, 50)) {
      expect(lib.encode(x).ids).toEqual(ids(t, x));
      expect(ids(again, x)).toEqual(ids(t, x));
    }
    expect(parseVocab(vocabText(t.vocab()))).toEqual(t.vocab());
  });
});

/**
 * n sentences of 4-11 words over a fixed word list, word k drawn with probability proportional to
 * 1 / (k + 1) (Zipf), by the seeded Rng (seed 1).
 */
function generatedCorpus(n: number): string[] {
  const words = ['the', 'cat', 'dog', 'sat', 'contrastive', 'on', 'a', 'mat', 'learning', 'of', 'sentence', 'embeddings', 'with', 'is', 'fun', 'and', 'fast', 'transformers'];
  const weights = words.map((_, k) => 1 / (k + 1));
  const total = weights.reduce((x, y) => x + y, 0);
  const rng = new Rng(1);
  const draw = () => {
    let u = rng.next() * total, k = 0;
    while (k < words.length - 1 && u >= weights[k]) u -= weights[k++];
    return words[k];
  };
  return Array.from({ length: n }, () => Array.from({ length: 4 + rng.int(8) }, draw).join(' ') + '.');
}
