/**
 * A text encoder as a unit: a tiny transformer (untrained, seeded) + its WordPiece tokenizer as the
 * preprocessing, saved (encoder.json + weights.bin + tokenizer.json), loaded, and used on raw strings.
 */
import '../../src/backend/register.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TextViews } from '../../src/augment/text/text-views.js';
import { DataLoader } from '../../src/data/loader.js';
import type { Source } from '../../src/data/source.js';
import { SimCSE } from '../../src/methods/simcse.js';
import { applyModel } from '../../src/models/apply-model.js';
import { Encoder, crc32, type EncoderManifest } from '../../src/models/encoder.js';
import { loadEncoder } from '../../src/models/encoder-file.js';
import { collateTokens } from '../../src/models/transformer/token-collate.js';
import { Tokenizer } from '../../src/models/transformer/tokenizer.js';
import { transformerPreset } from '../../src/models/transformer/presets.js';
import { transformerEncoder } from '../../src/models/transformer/transformer-encoder.js';
import { trainWordPiece } from '../../src/models/transformer/wordpiece-trainer.js';
import { Trainer } from '../../src/train/trainer.js';
import { Rng } from '../../src/util/random.js';

const root = mkdtempSync(join(tmpdir(), 'text-encoder-test-'));
let dirs = 0;
const freshDir = () => join(root, `e${dirs++}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

// ~50 short sentences from a seeded grammar.
const rng = new Rng(5);
const pick = (a: string[]) => a[rng.int(a.length)];
const subjects = ['the cat', 'a dog', 'my sister', 'the old farmer', 'a young student', 'the pilot', 'our teacher'];
const verbs = ['reads', 'paints', 'carries', 'finds', 'sells', 'cleans', 'watches'];
const objects = ['a red book', 'the wooden chair', 'fresh bread', 'an old map', 'the blue boat', 'a small garden'];
const places = ['in the park', 'at home', 'near the river', 'on the hill', 'by the sea'];
const corpus = Array.from({ length: 50 }, () => `${pick(subjects)} ${pick(verbs)} ${pick(objects)} ${pick(places)}`);
const tokenizer = trainWordPiece(corpus, { vocabSize: 200, minFrequency: 1 });
const tiny = (seed = 0) => transformerEncoder(transformerPreset('tiny', { vocabSize: tokenizer.vocabSize, seed }));
const textEncoder = (seed = 0, maxLength?: number) =>
  new Encoder({ model: tiny(seed), input: { kind: 'text' }, preprocessing: { kind: 'text', version: 1, tokenizer, ...(maxLength ? { maxLength } : {}) } });

// Texts of different lengths (padding differs between single and batched rows), one unknown word, one empty.
const texts = ['the cat reads a red book in the park', 'a dog', 'my sister paints the wooden chair near the river at home by the sea', 'zebra xylophone', '', corpus[7]];

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol);
}

async function savedTextEncoder(): Promise<{ dir: string; enc: Encoder }> {
  const enc = textEncoder(1);
  const dir = freshDir();
  await enc.save(dir);
  return { dir, enc };
}

describe('Encoder with a tokenizer: text in, embeddings out', () => {
  it('maxLength defaults to the model maxPositions; embed equals the model on the tokenizer batch, bit for bit', () => {
    const enc = textEncoder(0);
    expect(enc.preprocessing).toMatchObject({ kind: 'text', version: 1, maxLength: 64 });
    expect(enc.dim).toBe(32);
    const e = enc.embed(texts);
    expect([e.rows, e.dim]).toEqual([texts.length, 32]);
    const b = tokenizer.encodeBatch(texts, { maxLength: 64, padding: 'longest', truncation: true });
    const ref = tf.tidy(() => {
      const x = { input_ids: tf.tensor2d(b.ids, [b.n, b.length], 'int32'), attention_mask: tf.tensor2d(b.attentionMask, [b.n, b.length], 'int32') };
      return applyModel(enc.model, x, false).dataSync() as Float32Array;
    });
    expect(e.values).toEqual(ref);
    // embedTensor on named tensors (what collateTokens makes) gives the same rows
    const named = collateTokens(tokenizer, { maxLength: 64 })(texts);
    const z = enc.embedTensor(named);
    expect(z.dataSync()).toEqual(ref);
    tf.dispose([z, ...Object.values(named)]);
    enc.dispose();
  });

  it('one text at a time equals the batch within 1e-5; batchSize does not matter; normalize gives unit rows', () => {
    const enc = textEncoder(2);
    const all = enc.embed(texts);
    const single = texts.map((t) => enc.embed(t));
    single.forEach((s, i) => {
      expect(s.rows).toBe(1);
      close(s.values, all.values.subarray(i * 32, (i + 1) * 32));
    });
    close(enc.embed(texts, { batchSize: 4 }).values, all.values);
    const n = enc.embed(texts, { normalize: true });
    for (let r = 0; r < n.rows; r++) {
      const row = n.values.subarray(r * 32, (r + 1) * 32);
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    }
    const empty = enc.embed([]);
    expect([empty.rows, empty.values.length]).toEqual([0, 0]);
    enc.dispose();
  });

  it('maxLength truncates: a long text at maxLength 8 equals its first 6 word pieces between [CLS] and [SEP]', () => {
    const enc = textEncoder(3, 8);
    expect(enc.preprocessing).toMatchObject({ maxLength: 8 });
    const long = texts[2];
    const pieces = tokenizer.tokenize(long).slice(0, 6);
    const ids = [tokenizer.clsId!, ...pieces.map((p) => tokenizer.tokenToId(p)!), tokenizer.sepId!];
    const ref = tf.tidy(() => {
      const x = { input_ids: tf.tensor2d(ids, [1, 8], 'int32'), attention_mask: tf.ones([1, 8], 'int32') };
      return applyModel(enc.model, x, false).dataSync() as Float32Array;
    });
    expect(enc.embed(long).values).toEqual(ref);
    enc.dispose();
  });

  it('saves encoder.json + weights.bin + tokenizer.json; loadEncoder embeds bit-equal to the original', async () => {
    const { dir, enc } = await savedTextEncoder();
    expect(readdirSync(dir).sort()).toEqual(['encoder.json', 'tokenizer.json', 'weights.bin']);
    const m = JSON.parse(readFileSync(join(dir, 'encoder.json'), 'utf8')) as EncoderManifest;
    expect(m.format).toBe('contrastive-encoder');
    expect(m.version).toBe(1);
    expect(m.input).toEqual({ kind: 'text' });
    const tokBytes = readFileSync(join(dir, 'tokenizer.json'));
    expect(m.preprocessing).toEqual({
      kind: 'text', version: 1, maxLength: 64,
      tokenizer: {
        file: 'tokenizer.json', byteLength: tokBytes.byteLength, checksum: { algorithm: 'crc32', value: crc32(tokBytes) },
        specialTokens: { pad: '[PAD]', unk: '[UNK]', cls: '[CLS]', sep: '[SEP]', mask: '[MASK]' },
      },
    });
    // tokenizer.json is Hugging Face's format: Tokenizer.fromFile reads it as it is
    const again = await Tokenizer.fromFile(join(dir, 'tokenizer.json'));
    expect(again.encodeBatch(texts).ids).toEqual(tokenizer.encodeBatch(texts).ids);

    const before = tf.memory().numTensors;
    const loaded = await loadEncoder(dir);
    expect(loaded.input).toEqual({ kind: 'text' });
    expect(loaded.preprocessing).toMatchObject({ kind: 'text', version: 1, maxLength: 64 });
    expect((loaded.preprocessing as { tokenizer: Tokenizer }).tokenizer.toJSON()).toEqual(tokenizer.toJSON());
    expect(loaded.embed(texts).values).toEqual(enc.embed(texts).values);
    expect(loaded.embed(texts, { normalize: true, batchSize: 2 }).values).toEqual(enc.embed(texts, { normalize: true, batchSize: 2 }).values);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // in memory: toArtifacts -> fromArtifacts, the tokenizer as its own part
    const a = enc.toArtifacts();
    expect(a.tokenizer).toBeInstanceOf(Uint8Array);
    const mem = await Encoder.fromArtifacts(a.manifest, a.weights, {}, { tokenizer: a.tokenizer });
    expect(mem.embed(texts).values).toEqual(enc.embed(texts).values);
    mem.dispose();
    await expect(Encoder.fromArtifacts(a.manifest, a.weights)).rejects.toThrow(/tokenizer\.json is missing/);
    enc.dispose();
  });

  it('a corrupted, truncated, missing or unreadable tokenizer.json is refused with one line naming the file', async () => {
    const { dir, enc } = await savedTextEncoder();
    enc.dispose();
    const path = join(dir, 'tokenizer.json');
    const good = readFileSync(path);
    const expectOneLine = async (pattern: RegExp) => {
      const err = await loadEncoder(dir).then(() => null, (e: Error) => e);
      expect(err).not.toBeNull();
      expect(err!.message).toContain(path);
      expect(err!.message).toMatch(pattern);
      expect(err!.message).not.toContain('\n');
    };
    const flipped = Buffer.from(good);
    flipped[100] ^= 0x20;
    writeFileSync(path, flipped);
    await expectOneLine(/^loadEncoder: .*tokenizer\.json: checksum mismatch: expected crc32 [0-9a-f]{8}/);
    writeFileSync(path, good.subarray(0, good.length - 10));
    await expectOneLine(/must hold \d+ bytes .*\(truncated\)/);
    rmSync(path);
    await expectOneLine(/tokenizer\.json is missing \(named by .*encoder\.json\)/);
    // a file that matches its checksum but is not a tokenizer.json
    const junk = Buffer.from('{"model": {"type": "Nope"}}');
    writeFileSync(path, junk);
    const mPath = join(dir, 'encoder.json');
    const m = JSON.parse(readFileSync(mPath, 'utf8')) as EncoderManifest;
    const t = (m.preprocessing as { tokenizer: { byteLength: number; checksum: { value: string } } }).tokenizer;
    t.byteLength = junk.byteLength;
    t.checksum.value = crc32(junk);
    writeFileSync(mPath, JSON.stringify(m));
    await expectOneLine(/tokenizer\.json: not a tokenizer this library reads/);
    // bad manifest fields of the tokenizer entry
    t.checksum.value = 'xyz';
    writeFileSync(mPath, JSON.stringify(m));
    await expect(loadEncoder(dir)).rejects.toThrow(/preprocessing\.tokenizer\.checksum must be/);
  });

  it('embed refuses non-string items, naming the argument', () => {
    const enc = textEncoder(4);
    expect(() => enc.embed([texts[0], 5 as unknown as string])).toThrow(/^Encoder\.embed: items\[1\] must be a string \(encoder '.*' embeds text\), received 5$/);
    expect(() => enc.embed(42 as unknown as string)).toThrow(/^Encoder\.embed: items must be a string or an array of strings .*received 42$/);
    expect(() => enc.embed([[1, 2]] as unknown as string[])).toThrow(/items\[0\] must be a string/);
    expect(() => enc.embedTensor(tf.zeros([1, 4], 'int32'))).toThrow(/takes named inputs \{input_ids, attention_mask\}/);
    expect(() => enc.embedTensor({ input_ids: tf.zeros([1, 4], 'int32') })).toThrow(/must hold 'input_ids', 'attention_mask'/);
    enc.dispose();
  });

  it('refuses a bad tokenizer, a maxLength above maxPositions, a vocabulary larger than the model, a non-text model', () => {
    const model = tiny(5);
    const make = (preprocessing: unknown, m: tfl.LayersModel = model) => () => new Encoder({ model: m, input: { kind: 'text' }, preprocessing: preprocessing as never });
    expect(make({ kind: 'text', version: 1, tokenizer: {} })).toThrow(/preprocessing\.tokenizer must be a Tokenizer/);
    expect(make({ kind: 'text', version: 1, tokenizer, maxLength: 65 })).toThrow(/maxLength must be at most the model's maxPositions 64, received 65/);
    expect(make({ kind: 'text', version: 1, tokenizer, maxLength: 1 })).toThrow(/maxLength must be >= 3/);
    expect(make({ kind: 'text', version: 1, maxLength: 16 })).toThrow(/maxLength needs a tokenizer/);
    const small = transformerEncoder(transformerPreset('tiny', { vocabSize: 50, seed: 0 }));
    expect(make({ kind: 'text', version: 1, tokenizer }, small)).toThrow(`has ${tokenizer.vocabSize} ids, more than the model's vocabulary of 50`);
    const dense = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 2 })] });
    expect(make({ kind: 'text', version: 1, tokenizer, maxLength: 16 }, dense)).toThrow(/a text encoder's model must take named inputs \[N, L\] among input_ids, attention_mask, token_type_ids/);
    // without a tokenizer a text encoder is still accepted (embedTensor only), saved and loaded as before
    const bare = new Encoder({ model: small, input: { kind: 'text' } });
    expect(bare.preprocessing).toEqual({ kind: 'text', version: 1 });
    expect(() => bare.embed(['a'])).toThrow(/text items need a tokenizer/);
    bare.dispose();
    model.dispose();
    dense.dispose();
  });

  it('a tokenizer-less text encoder (the older manifests) saves and loads without tokenizer.json', async () => {
    const bare = new Encoder({ model: tiny(6), input: { kind: 'text' } });
    const dir = freshDir();
    await bare.save(dir);
    expect(readdirSync(dir).sort()).toEqual(['encoder.json', 'weights.bin']);
    const m = JSON.parse(readFileSync(join(dir, 'encoder.json'), 'utf8')) as EncoderManifest;
    expect(m.preprocessing).toEqual({ kind: 'text', version: 1 });
    const loaded = await loadEncoder(dir);
    expect(loaded.preprocessing).toEqual({ kind: 'text', version: 1 });
    const x = collateTokens(tokenizer, { maxLength: 16 })(texts);
    const [a, b] = [bare.embedTensor(x), loaded.embedTensor(x)];
    expect(b.dataSync()).toEqual(a.dataSync());
    tf.dispose([a, b, ...Object.values(x)]);
    loaded.dispose();
    bare.dispose();
  });

  it('no leaked tensors: embed, embedTensor errors, toArtifacts, load + dispose', async () => {
    const { dir, enc } = await savedTextEncoder();
    const before = tf.memory().numTensors;
    enc.embed(texts, { batchSize: 4, normalize: true });
    enc.embed(texts[0]);
    expect(() => enc.embed([1] as unknown as string[])).toThrow();
    enc.toArtifacts();
    (await loadEncoder(dir)).dispose();
    expect(tf.memory().numTensors).toBe(before);
    enc.dispose();
  });

  it("the Trainer's encoder path: encoder: { preprocessing } with the tokenizer saves a loadable text encoder", async () => {
    const source: Source<string> = { name: 'sentences', size: corpus.length, spec: { kind: 'text' }, item: (i) => corpus[i], id: (i) => String(i) };
    const loader = new DataLoader({ source, views: new TextViews(), collate: collateTokens(tokenizer, { maxLength: 16 }) });
    const method = new SimCSE({ backbone: tiny(7) });
    const dir = freshDir();
    const warnings: string[] = [];
    const spy = (msg: string) => warnings.push(msg);
    const warn = console.warn;
    console.warn = spy;
    try {
      await new Trainer({ epochs: 1, batchSize: 16, seed: 1, checkpointDir: dir, onWarning: spy, encoder: { preprocessing: { kind: 'text', version: 1, tokenizer, maxLength: 16 } } }).fit(method, loader);
    } finally {
      console.warn = warn;
    }
    expect(warnings.filter((w) => w.includes('encoder'))).toEqual([]);
    expect(readdirSync(join(dir, 'encoder')).sort()).toEqual(['encoder.json', 'tokenizer.json', 'weights.bin']);
    const loaded = await loadEncoder(join(dir, 'encoder'));
    expect(loaded.preprocessing).toMatchObject({ kind: 'text', maxLength: 16 });
    const mine = new Encoder({ model: method.backbone, input: { kind: 'text' }, preprocessing: { kind: 'text', version: 1, tokenizer, maxLength: 16 } });
    expect(loaded.embed(texts).values).toEqual(mine.embed(texts).values);
    loaded.dispose();
    method.dispose();
  }, 120_000);
});
