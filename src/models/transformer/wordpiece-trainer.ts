/**
 * Training a WordPiece vocabulary on the user's corpus, as Hugging Face's `WordPieceTrainer`
 * (tokenizers `models/wordpiece/trainer.rs`, the trainer of `BertWordPieceTokenizer.train`) does
 * it: the BPE algorithm over words split into characters, where a character that continues a word
 * carries the '##' prefix, then the merged symbols taken as a WordPiece vocabulary.
 * tokenizers.js (@huggingface/tokenizers 0.2.0) encodes only; it has no trainer, hence this file.
 *
 * 1. Words: each text is split around the special tokens ("[MASK]" in a text is not counted as
 *    letters), normalized by BERT's normalizer (clean text, CJK spacing, lowercase and NFD accent
 *    stripping) and pre-tokenized by BERT's pre-tokenizer (whitespace, each punctuation character
 *    alone) -- the library's own `BertNormalizer` (with ./bert-normalizer.ts's fixes, as the
 *    Tokenizer has it) and `BertPreTokenizer`, so training sees the words that encoding will see. Word frequencies are counted.
 * 2. Initial vocabulary: the special tokens (in the given order, ids 0..), then the alphabet: the
 *    characters of the words, keeping the `limitAlphabet` most frequent (ties: the smaller code
 *    point) plus `initialAlphabet`, in code point order; then '##c' for every kept character c that
 *    occurs after the first character of a word, in code point order. A character outside the
 *    alphabet is dropped from the words it occurs in (as the Rust trainer does; the character after
 *    a dropped first one keeps its '##').
 * 3. Merges: repeatedly take the adjacent pair (a, b) with the largest frequency summed over
 *    words (ties: the smaller ids, as the Rust trainer's heap), add the symbol a + b (b without its
 *    '##'; reused if it exists), replace the pair in every word holding it, and update the pair
 *    counts of those words only; until the vocabulary has `vocabSize` tokens, or no pair occurs
 *    `minFrequency` times.
 *
 * Deterministic: the same corpus and options give the same vocabulary (word order is first
 * occurrence; every tie is broken by id or code point). Cost: one pass to count words, then per
 * merge only the words that hold the merged pair (an index pair -> words), with a lazy max-heap of
 * pair counts: a popped count that is out of date is pushed back with the current one (counts of a
 * pair only fall, except for pairs of the new symbol, which are pushed anew).
 *
 * Schuster & Nakajima, "Japanese and Korean Voice Search", ICASSP 2012 (WordPiece); Devlin et al.,
 * https://arxiv.org/abs/1810.04805 (BERT's 30,000-token WordPiece vocabulary); Sennrich, Haddow,
 * Birch, "Neural Machine Translation of Rare Words with Subword Units", ACL 2016,
 * https://arxiv.org/abs/1508.07909 (the merge procedure);
 * https://huggingface.co/docs/tokenizers/api/trainers (WordPieceTrainer's options).
 */
import * as hf from '@huggingface/tokenizers';
import { bertNormalizer } from './bert-normalizer.js';
import { Tokenizer, type TokenizerOptions } from './tokenizer.js';
import { BERT_SPECIAL_TOKENS, describeValue, wordPieceTokenizerJSON } from './wordpiece-vocab.js';

/** Options of {@link trainWordPiece}; defaults are BertWordPieceTokenizer.train's, except vocabSize. */
export interface WordPieceTrainerOptions {
  /** Tokens of the vocabulary, special tokens included. Default 8000 (BERT uses 30522, too many for a small corpus). */
  vocabSize?: number;
  /** A pair is merged only when it occurs at least this often. Default 2. */
  minFrequency?: number;
  /** Lowercase the text (BERT uncased). Default true. */
  lowercase?: boolean;
  /** Strip accents (NFD, drop combining marks); undefined follows `lowercase`. */
  stripAccents?: boolean;
  /** The special tokens, first in the vocabulary in this order. Default [PAD], [UNK], [CLS], [SEP], [MASK]. */
  specialTokens?: readonly string[];
  /** The unknown token; must be one of specialTokens. Default '[UNK]'. */
  unkToken?: string;
  /** Keep at most this many characters (the most frequent). Default 1000. */
  limitAlphabet?: number;
  /** Characters always kept, even when absent from the corpus. Default none. */
  initialAlphabet?: string;
  /** Options of the Tokenizer made (maxLength, ...). */
  tokenizer?: TokenizerOptions;
}

const OPTION_KEYS = ['vocabSize', 'minFrequency', 'lowercase', 'stripAccents', 'specialTokens', 'unkToken', 'limitAlphabet', 'initialAlphabet', 'tokenizer'];
const PREFIX = '##';

/**
 * The part of tokenizers.js' pre-tokenizer used here (exported by the package, but its `export *`
 * type declarations do not resolve under NodeNext, hence the namespace lookup).
 */
type PreTokenize = (text: string) => string[];
const lib = hf as unknown as { BertPreTokenizer: new (config: object) => PreTokenize };

/**
 * A BERT WordPiece tokenizer with a vocabulary trained on `corpus` (see the file comment).
 *
 * @param corpus texts: an array or any iterable of strings (read once).
 * @throws Error naming the option for a bad option, an empty corpus or a non-string text, or a
 * vocabSize below the initial vocabulary (special tokens + alphabet + '##' alphabet).
 *
 * @example
 * const tok = trainWordPiece(sentences, { vocabSize: 4000 });
 * tok.encodeBatch(sentences.slice(0, 32), { maxLength: 64 });
 */
export function trainWordPiece(corpus: Iterable<string>, options: WordPieceTrainerOptions = {}): Tokenizer {
  const vocab = trainWordPieceVocab(corpus, options);
  const json = wordPieceTokenizerJSON(vocab, {
    lowercase: options.lowercase ?? true,
    ...(options.stripAccents !== undefined ? { stripAccents: options.stripAccents } : {}),
    unkToken: options.unkToken ?? '[UNK]',
  });
  return Tokenizer.fromJSON(json, options.tokenizer ?? {});
}

/** The trained vocabulary alone, in id order (what vocab.txt holds). See {@link trainWordPiece}. */
export function trainWordPieceVocab(corpus: Iterable<string>, options: WordPieceTrainerOptions = {}): string[] {
  const o = checkOptions(options);
  const counts = countWords(corpus, o);
  return mergeVocab(counts, o);
}

interface Resolved {
  vocabSize: number;
  minFrequency: number;
  lowercase: boolean;
  stripAccents: boolean | undefined;
  specialTokens: string[];
  limitAlphabet: number;
  initialAlphabet: string[];
}

/** Word frequencies of the corpus after BERT normalization and pre-tokenization, in first-seen order. */
function countWords(corpus: Iterable<string>, o: Resolved): Map<string, number> {
  if (corpus === null || typeof corpus !== 'object' || typeof (corpus as Iterable<string>)[Symbol.iterator] !== 'function') {
    throw new Error(`trainWordPiece: corpus must be an array or an iterable of strings, received ${describeValue(corpus)}`);
  }
  const normalize = bertNormalizer({ clean_text: true, handle_chinese_chars: true, strip_accents: o.stripAccents ?? null, lowercase: o.lowercase });
  const preTokenize = new lib.BertPreTokenizer({ type: 'BertPreTokenizer' });
  const specials = o.specialTokens;
  const counts = new Map<string, number>();
  let k = 0;
  for (const text of corpus) {
    if (typeof text !== 'string') throw new Error(`trainWordPiece: corpus item ${k} must be a string, received ${describeValue(text)}`);
    k++;
    for (const part of splitSpecials(text, specials)) {
      for (const w of preTokenize(normalize(part))) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  if (k === 0) throw new Error('trainWordPiece: corpus must hold at least one text, received none');
  return counts;
}

/** The pieces of a text between occurrences of the special tokens. */
function splitSpecials(text: string, specials: readonly string[]): string[] {
  let parts = [text];
  for (const s of specials) {
    if (!text.includes(s)) continue;
    parts = parts.flatMap((p) => p.split(s));
  }
  return parts;
}

/** Steps 2 and 3 of the file comment. */
function mergeVocab(wordCounts: Map<string, number>, o: Resolved): string[] {
  const idToToken: string[] = [];
  const tokenToId = new Map<string, number>();
  const add = (t: string): number => {
    let id = tokenToId.get(t);
    if (id === undefined) {
      id = idToToken.length;
      idToToken.push(t);
      tokenToId.set(t, id);
    }
    return id;
  };
  for (const t of o.specialTokens) add(t);

  // Alphabet: character frequencies over words (weighted by word count).
  const charCounts = new Map<string, number>();
  for (const [w, c] of wordCounts) for (const ch of w) charCounts.set(ch, (charCounts.get(ch) ?? 0) + c);
  for (const ch of o.initialAlphabet) charCounts.set(ch, Infinity);
  let alphabet = [...charCounts.keys()];
  if (alphabet.length > o.limitAlphabet) {
    // Most frequent first; ties: the smaller code point.
    alphabet.sort((a, b) => charCounts.get(b)! - charCounts.get(a)! || a.codePointAt(0)! - b.codePointAt(0)!);
    alphabet = alphabet.slice(0, o.limitAlphabet);
  }
  alphabet.sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  const kept = new Set(alphabet);
  for (const ch of alphabet) add(ch);
  // '##c' for the kept characters that continue a word.
  const inner = new Set<string>();
  for (const w of wordCounts.keys()) {
    let first = true;
    for (const ch of w) {
      if (!first && kept.has(ch)) inner.add(ch);
      first = false;
    }
  }
  for (const ch of [...inner].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!)) add(PREFIX + ch);
  const initial = idToToken.length;
  if (o.vocabSize < initial) {
    throw new Error(`trainWordPiece: vocabSize must be >= ${initial} for this corpus (${o.specialTokens.length} special tokens + ${alphabet.length} characters + ${inner.size} '##' characters; lower limitAlphabet for fewer), received ${o.vocabSize}`);
  }

  // Words as symbol ids (characters outside the alphabet dropped), with their counts.
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [w, c] of wordCounts) {
    const symbols: number[] = [];
    let first = true;
    for (const ch of w) {
      if (kept.has(ch)) symbols.push(tokenToId.get(first ? ch : PREFIX + ch)!);
      first = false;
    }
    if (symbols.length === 0) continue;
    words.push(symbols);
    freq.push(c);
  }

  // Pair counts and the words holding each pair. Pair key: a * 2^21 + b (ids < 2^21, exact in a double).
  const SHIFT = 2 ** 21;
  if (o.vocabSize >= SHIFT) throw new Error(`trainWordPiece: vocabSize must be < ${SHIFT}, received ${o.vocabSize}`);
  const pairCount = new Map<number, number>();
  const where = new Map<number, number[]>();
  const note = (key: number, w: number) => {
    const list = where.get(key);
    if (list === undefined) where.set(key, [w]);
    else if (list[list.length - 1] !== w) list.push(w);
  };
  words.forEach((s, w) => {
    for (let i = 0; i + 1 < s.length; i++) {
      const key = s[i] * SHIFT + s[i + 1];
      pairCount.set(key, (pairCount.get(key) ?? 0) + freq[w]);
      note(key, w);
    }
  });
  const heap = new PairHeap();
  for (const [key, c] of pairCount) if (c > 0) heap.push(c, key);

  const minCount = Math.max(1, o.minFrequency);
  const stamp = new Int32Array(words.length).fill(-1);
  let merge = 0;
  while (idToToken.length < o.vocabSize && heap.size > 0) {
    const [count, key] = heap.pop();
    const current = pairCount.get(key) ?? 0;
    if (count !== current) {
      if (current > 0) heap.push(current, key);
      continue;
    }
    if (count < minCount) break;
    const a = Math.floor(key / SHIFT), b = key - a * SHIFT;
    const tb = idToToken[b];
    const c = add(idToToken[a] + (tb.startsWith(PREFIX) ? tb.slice(PREFIX.length) : tb));
    const touched = new Set<number>();
    for (const w of where.get(key) ?? []) {
      if (stamp[w] === merge) continue;
      stamp[w] = merge;
      const s = words[w];
      let has = false;
      for (let i = 0; i + 1 < s.length; i++) if (s[i] === a && s[i + 1] === b) { has = true; break; }
      if (!has) continue;
      const f = freq[w];
      for (let i = 0; i + 1 < s.length; i++) pairCount.set(s[i] * SHIFT + s[i + 1], pairCount.get(s[i] * SHIFT + s[i + 1])! - f);
      const t: number[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          t.push(c);
          i++;
        } else {
          t.push(s[i]);
        }
      }
      words[w] = t;
      for (let i = 0; i + 1 < t.length; i++) {
        const k2 = t[i] * SHIFT + t[i + 1];
        pairCount.set(k2, (pairCount.get(k2) ?? 0) + f);
        if (t[i] === c || t[i + 1] === c) {
          note(k2, w);
          touched.add(k2);
        }
      }
    }
    where.delete(key);
    for (const k2 of touched) {
      const n = pairCount.get(k2)!;
      if (n > 0) heap.push(n, k2);
    }
    merge++;
  }
  return idToToken;
}

/** A binary max-heap of (count, pair key): larger count first, then the smaller key (smaller ids). */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): [number, number] {
    const top: [number, number] = [this.counts[0], this.keys[0]];
    const lastCount = this.counts.pop()!, lastKey = this.keys.pop()!;
    if (this.counts.length > 0) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < this.counts.length && this.before(l, m)) m = l;
        if (r < this.counts.length && this.before(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }

  private before(i: number, j: number): boolean {
    return this.counts[i] > this.counts[j] || (this.counts[i] === this.counts[j] && this.keys[i] < this.keys[j]);
  }

  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
  }
}

function checkOptions(options: WordPieceTrainerOptions): Resolved {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new Error(`trainWordPiece: options must be an object, received ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new Error(`trainWordPiece: unknown option '${key}' (options: ${OPTION_KEYS.join(', ')})`);
  }
  const {
    vocabSize = 8000, minFrequency = 2, lowercase = true, stripAccents, specialTokens = BERT_SPECIAL_TOKENS,
    unkToken = '[UNK]', limitAlphabet = 1000, initialAlphabet = '',
  } = options;
  const int = (name: string, v: unknown, min: number) => {
    if (!Number.isInteger(v) || (v as number) < min) throw new Error(`trainWordPiece: ${name} must be an integer >= ${min}, received ${describeValue(v)}`);
  };
  int('vocabSize', vocabSize, 1);
  int('minFrequency', minFrequency, 0);
  int('limitAlphabet', limitAlphabet, 1);
  if (typeof lowercase !== 'boolean') throw new Error(`trainWordPiece: lowercase must be a boolean, received ${describeValue(lowercase)}`);
  if (stripAccents !== undefined && typeof stripAccents !== 'boolean') throw new Error(`trainWordPiece: stripAccents must be a boolean, received ${describeValue(stripAccents)}`);
  if (!Array.isArray(specialTokens)) throw new Error(`trainWordPiece: specialTokens must be an array of strings, received ${describeValue(specialTokens)}`);
  specialTokens.forEach((t, i) => {
    if (typeof t !== 'string' || t === '') throw new Error(`trainWordPiece: specialTokens[${i}] must be a non-empty string, received ${describeValue(t)}`);
    if (specialTokens.indexOf(t) !== i) throw new Error(`trainWordPiece: specialTokens[${i}] ${JSON.stringify(t)} repeats specialTokens[${specialTokens.indexOf(t)}]`);
  });
  if (typeof unkToken !== 'string' || !specialTokens.includes(unkToken)) {
    throw new Error(`trainWordPiece: unkToken must be one of specialTokens (${specialTokens.join(', ')}), received ${describeValue(unkToken)}`);
  }
  if (typeof initialAlphabet !== 'string') throw new Error(`trainWordPiece: initialAlphabet must be a string of characters, received ${describeValue(initialAlphabet)}`);
  return { vocabSize, minFrequency, lowercase, stripAccents, specialTokens: [...specialTokens], limitAlphabet, initialAlphabet: [...new Set(initialAlphabet)] };
}
