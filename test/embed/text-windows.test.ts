/**
 * Long texts embedded whole: Tokenizer.encodeWindows (windows of the content tokens with the
 * special tokens), embedTextWindows (token-weighted mean of the windows' rows, against a literal
 * loop) and Encoder.embed({ longText: 'windows' }).
 */
import '../../src/backend/register.js';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { embedTextWindows } from '../../src/embed/text-windows.js';
import { Encoder } from '../../src/models/encoder.js';
import { transformerPreset } from '../../src/models/transformer/presets.js';
import { transformerEncoder } from '../../src/models/transformer/transformer-encoder.js';
import { trainWordPiece } from '../../src/models/transformer/wordpiece-trainer.js';

const words = ['river', 'stone', 'light', 'garden', 'paper', 'window', 'music', 'winter', 'bread', 'cloud'];
const corpus = Array.from({ length: 40 }, (_, i) => Array.from({ length: 6 + (i % 5) }, (_, k) => words[(i * 3 + k * 7) % words.length]).join(' '));
const tokenizer = trainWordPiece(corpus, { vocabSize: 120, minFrequency: 1 });
const long = Array.from({ length: 37 }, (_, k) => words[(k * 7 + 3) % words.length]).join(' '); // 37 content tokens
const content = (t: string) => Array.from(tokenizer.encode(t, { addSpecialTokens: false }).ids);

describe('Tokenizer.encodeWindows', () => {
  it('cuts the content into windows of maxLength - 2 tokens, each with [CLS] ... [SEP]', () => {
    const all = content(long);
    expect(all.length).toBe(37);
    const { ids, tokens } = tokenizer.encodeWindows(long, { maxLength: 12 });
    expect(tokens).toEqual([10, 10, 10, 7]);
    const joined: number[] = [];
    for (const row of ids) {
      expect(row.length).toBeLessThanOrEqual(12);
      expect(row[0]).toBe(tokenizer.clsId);
      expect(row.at(-1)).toBe(tokenizer.sepId);
      joined.push(...row.slice(1, -1));
    }
    expect(joined).toEqual(all);
  });

  it('overlaps windows when stride is below the content length, the last window reaching the end', () => {
    const all = content(long);
    const { ids, tokens } = tokenizer.encodeWindows(long, { maxLength: 12, stride: 6 });
    // starts 0, 6, 12, 18, 24, 30 (30 + 10 >= 37)
    expect(tokens).toEqual([10, 10, 10, 10, 10, 7]);
    ids.forEach((row, k) => expect(Array.from(row.slice(1, -1))).toEqual(all.slice(6 * k, 6 * k + 10)));
  });

  it('gives one window equal to encode(text, { maxLength }) when the text fits, and for the empty text', () => {
    const short = corpus[3];
    const one = tokenizer.encodeWindows(short, { maxLength: 32 });
    expect(one.ids.length).toBe(1);
    expect(Array.from(one.ids[0])).toEqual(Array.from(tokenizer.encode(short, { maxLength: 32 }).ids));
    const empty = tokenizer.encodeWindows('', { maxLength: 8 });
    expect(empty.tokens).toEqual([0]);
    expect(Array.from(empty.ids[0])).toEqual([tokenizer.clsId, tokenizer.sepId]);
  });

  it('names the option and the received value on bad input', () => {
    expect(() => tokenizer.encodeWindows(long, { maxLength: 12, stride: 11 })).toThrow(/stride must be an integer in \[1, 10\].*received 11/);
    expect(() => tokenizer.encodeWindows(long, { maxLength: 12, stride: 0 })).toThrow(/stride/);
    expect(() => tokenizer.encodeWindows(long, { maxLength: 2 })).toThrow(/maxLength must be >= 3/);
    expect(() => tokenizer.encodeWindows(42 as never)).toThrow(/text must be a string, received 42/);
    expect(() => tokenizer.encodeWindows(long, { max: 3 } as never)).toThrow(/max/);
  });
});

describe('embedTextWindows', () => {
  it('is the token-weighted mean of the rows of every window (literal loop), padding masked', () => {
    // A transparent "encoder": row = [sum of masked ids, number of masked tokens, 1].
    const encode = (feed: { [name: string]: tf.Tensor }) => {
      const ids = tf.cast(feed.input_ids, 'float32'), mask = tf.cast(feed.attention_mask, 'float32');
      return tf.stack([tf.sum(tf.mul(ids, mask), 1), tf.sum(mask, 1), tf.onesLike(tf.sum(mask, 1))], 1) as tf.Tensor2D;
    };
    const texts = [long, corpus[0], '', long.split(' ').slice(0, 20).join(' ')];
    const before = tf.memory().numTensors;
    const { values, dim } = embedTextWindows(texts, tokenizer, encode, { maxLength: 12, batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(dim).toBe(3);
    texts.forEach((t, i) => {
      const w = tokenizer.encodeWindows(t, { maxLength: 12 });
      let total = 0;
      const expected = [0, 0, 0];
      w.ids.forEach((row, k) => {
        const weight = Math.max(1, w.tokens[k]);
        total += weight;
        expected[0] += weight * row.reduce((a, b) => a + b, 0);
        expected[1] += weight * row.length;
        expected[2] += weight;
      });
      for (let d = 0; d < 3; d++) expect(values[i * 3 + d]).toBeCloseTo(expected[d] / total, 3);
    });
  });
});

describe('Encoder.embed({ longText })', () => {
  const encoder = () => new Encoder({
    model: transformerEncoder(transformerPreset('tiny', { vocabSize: tokenizer.vocabSize, maxPositions: 16, seed: 3 })),
    input: { kind: 'text' }, preprocessing: { kind: 'text', version: 1, tokenizer, maxLength: 16 },
  });

  it("equals 'truncate' for texts that fit, differs for a long text, and leaks nothing", () => {
    const enc = encoder();
    try {
      const short = corpus.slice(0, 5);
      const before = tf.memory().numTensors;
      const a = enc.embed(short), b = enc.embed(short, { longText: 'windows', batchSize: 2 });
      for (let i = 0; i < a.values.length; i++) expect(Math.abs(a.values[i] - b.values[i])).toBeLessThan(1e-5);
      const t = enc.embed([long]), w = enc.embed([long], { longText: 'windows', normalize: true });
      expect(tf.memory().numTensors).toBe(before);
      expect(w.rows).toBe(1);
      const norm = Math.hypot(...w.values);
      expect(norm).toBeCloseTo(1, 5);
      const cos = t.values.reduce((s, v, i) => s + v * w.values[i], 0) / Math.hypot(...t.values);
      expect(cos).toBeLessThan(0.99999);
    } finally {
      enc.dispose();
    }
  });

  it('refuses a bad longText and a stride without windows, naming them', () => {
    const enc = encoder();
    try {
      expect(() => enc.embed([long], { longText: 'chunks' as never })).toThrow(/longText must be one of truncate, windows, received "chunks"/);
      expect(() => enc.embed([long], { stride: 4 })).toThrow(/stride needs longText 'windows'/);
      expect(() => enc.embed([long], { longText: 'windows', stride: 99 })).toThrow(/Encoder.embed: stride must be an integer in \[1, 14\]/);
    } finally {
      enc.dispose();
    }
  });
});
