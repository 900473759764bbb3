import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../../src/backend/register.js';
import { applyModel } from '../../../src/models/apply-model.js';
import { DataError } from '../../../src/data/data-error.js';
import { bertConfigFromOptions, bertOptionsFromConfig, bertTensorsFromModel, hfBertName, loadBertWeights } from '../../../src/models/transformer/hf-bert.js';
import { loadHfBert, saveHfBert } from '../../../src/models/transformer/hf-bert-file.js';
import { parseSafetensors, writeSafetensors } from '../../../src/models/transformer/safetensors.js';
import { transformerEncoder } from '../../../src/models/transformer/transformer-encoder.js';

// test/fixtures/bert-tiny: a tiny random BERT (hidden 32, 2 layers, 4 heads, intermediate 64,
// vocabulary 100, 32 positions, 2 token types) and its outputs, all written by bench/bert-golden.py,
// a literal PyTorch BERT (Debian python3-torch 1.13.1, float32, eval mode; no transformers package);
// its vocab.txt (100 tokens, chosen by hand) is the tokenizer of bench/wordpiece-golden.py.
const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'bert-tiny');
const golden = JSON.parse(readFileSync(join(FIXTURE, 'golden.json'), 'utf8')) as {
  input_ids: number[][];
  attention_mask: number[][];
  last_hidden_state: number[][][];
  pooler_output: number[][];
  mean_pooled: number[][];
};
const TOL = 1e-4;

const tmp: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'hf-bert-'));
  tmp.push(d);
  return d;
};
afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));

const inputs = () => {
  const ids = golden.input_ids, mask = golden.attention_mask;
  return { input_ids: tf.tensor2d(ids, [ids.length, ids[0].length], 'int32'), attention_mask: tf.tensor2d(mask, [mask.length, mask[0].length], 'int32') };
};
const run = (model: Parameters<typeof applyModel>[0]) => tf.tidy(() => Array.from(applyModel(model, inputs(), false).dataSync()));
const maxAbs = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
};
const errorOf = (f: () => unknown): Error => {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
};

describe('loadHfBert on the PyTorch golden (bench/bert-golden.py)', () => {
  const errors: Record<string, number> = {};
  afterAll(() => console.log(`hf-bert golden max abs errors: ${JSON.stringify(errors)}`));

  it('last_hidden_state (pooling none) within 1e-4', () => {
    const { model, options, tokenizer } = loadHfBert(FIXTURE, { pooling: 'none' });
    expect(options).toMatchObject({ vocabSize: 100, hiddenSize: 32, numLayers: 2, numHeads: 4, intermediateSize: 64, maxPositions: 32, typeVocabSize: 2, norm: 'post', pooling: 'none' });
    // the fixture's vocab.txt (bench/wordpiece-golden.py's vocabulary, tested in tokenizer-golden.test.ts)
    expect([tokenizer?.modelType, tokenizer?.vocabSize]).toEqual(['WordPiece', 100]);
    errors.last_hidden_state = maxAbs(run(model), golden.last_hidden_state.flat(2));
    expect(errors.last_hidden_state).toBeLessThanOrEqual(TOL);
    model.dispose();
  });

  it('pooler_output (cls + pooler) within 1e-4', () => {
    const { model } = loadHfBert(FIXTURE, { pooling: 'cls', pooler: true });
    errors.pooler_output = maxAbs(run(model), golden.pooler_output.flat());
    expect(errors.pooler_output).toBeLessThanOrEqual(TOL);
    model.dispose();
  });

  it('mean pooling within 1e-4 (the checkpoint pooler ignored without a pooler)', () => {
    const { model } = loadHfBert(FIXTURE, { pooling: 'mean' });
    errors.mean_pooled = maxAbs(run(model), golden.mean_pooled.flat());
    expect(errors.mean_pooled).toBeLessThanOrEqual(TOL);
    model.dispose();
  });
});

describe('saveHfBert', () => {
  it('save -> load round trip is bit-equal (weights, file tensors and outputs)', () => {
    const { model, options } = loadHfBert(FIXTURE, { pooling: 'cls', pooler: true });
    const dir = tempDir();
    const paths = saveHfBert(model, options, dir);
    expect(paths.map((p) => p.slice(dir.length + 1))).toEqual(['config.json', 'model.safetensors']);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    const original = JSON.parse(readFileSync(join(FIXTURE, 'config.json'), 'utf8'));
    for (const k of Object.keys(original)) expect([k, config[k]]).toEqual([k, original[k]]);
    // every tensor of the fixture (but the position_ids buffer) saved bit-equal
    const before = parseSafetensors(new Uint8Array(readFileSync(join(FIXTURE, 'model.safetensors')))).tensors;
    const after = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors')))).tensors;
    expect([...after.keys()].sort()).toEqual([...before.keys()].filter((k) => k !== 'embeddings.position_ids').sort());
    for (const [k, t] of after) {
      expect(t.shape).toEqual(before.get(k)!.shape);
      expect(Buffer.from(t.data.buffer).equals(Buffer.from(before.get(k)!.data.buffer))).toBe(true);
    }
    const again = loadHfBert(dir, { pooling: 'cls', pooler: true });
    again.model.weights.forEach((w, i) => expect(Buffer.from(w.read().dataSync().buffer).equals(Buffer.from(model.weights[i].read().dataSync().buffer))).toBe(true));
    expect(run(again.model)).toEqual(run(model));
    model.dispose();
    again.model.dispose();
  });

  it('a fresh encoder saved and loaded gives the same outputs; names map both ways', () => {
    const opts = { vocabSize: 100, hiddenSize: 32, numLayers: 1, numHeads: 4, intermediateSize: 64, maxPositions: 16, typeVocabSize: 2, pooling: 'mean' as const, seed: 3 };
    const model = transformerEncoder(opts);
    const dir = tempDir();
    saveHfBert(model, opts, dir);
    const { model: loaded } = loadHfBert(dir, { pooling: 'mean' });
    expect(run(loaded)).toEqual(run(model));
    expect(hfBertName('encoder.layer.0/attention.self.query.kernel')).toEqual({ name: 'encoder.layer.0.attention.self.query.weight', transposed: true });
    expect(hfBertName('embeddings/LayerNorm.gamma')).toEqual({ name: 'embeddings.LayerNorm.weight', transposed: false });
    expect(hfBertName('encoder.layer.1/output.LayerNorm.beta')).toEqual({ name: 'encoder.layer.1.output.LayerNorm.bias', transposed: false });
    model.dispose();
    loaded.dispose();
  });

  it('refuses to save a pre-LN encoder as BERT', () => {
    expect(() => bertConfigFromOptions({ norm: 'pre' })).toThrow("bertConfigFromOptions: norm must be 'post' (BERT's layout) to save a BERT checkpoint, received 'pre'");
  });
});

describe('loadBertWeights', () => {
  const fixtureTensors = () => parseSafetensors(new Uint8Array(readFileSync(join(FIXTURE, 'model.safetensors'))), 'model.safetensors').tensors;
  const tiny = () => transformerEncoder({ ...bertOptionsFromConfig(JSON.parse(readFileSync(join(FIXTURE, 'config.json'), 'utf8'))), pooling: 'none' });

  it('accepts the bert. prefix and old LayerNorm gamma/beta names', () => {
    const renamed = new Map([...fixtureTensors()].map(([k, t]) => [`bert.${k.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta')}`, t]));
    renamed.set('cls.predictions.bias', { dtype: 'F32', shape: [100], data: new Float32Array(100) });
    const model = tiny();
    loadBertWeights(model, renamed);
    const out = bertTensorsFromModel(model);
    const ref = fixtureTensors();
    for (const [k, t] of out) expect(Array.from(t.data)).toEqual(Array.from(ref.get(k)!.data));
    model.dispose();
  });

  it('refuses a missing, an extra and a shape-mismatched tensor with one line naming it, loading nothing', () => {
    const model = tiny();
    const before = model.weights.map((w) => Array.from(w.read().dataSync()));
    const missing = fixtureTensors();
    missing.delete('encoder.layer.1.attention.self.key.bias');
    let err = errorOf(() => loadBertWeights(model, missing));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe("model.safetensors: expected tensor 'encoder.layer.1.attention.self.key.bias' [32] (for encoder.layer.1/attention.self.key.bias), found none");

    const extra = fixtureTensors();
    extra.set('encoder.layer.2.output.dense.weight', { dtype: 'F32', shape: [32, 64], data: new Float32Array(32 * 64) });
    err = errorOf(() => loadBertWeights(model, extra));
    expect(err.message).toMatch(/^model\.safetensors: expected only the tensors of a BertModel with \d+ weights, found unexpected tensor 'encoder\.layer\.2\.output\.dense\.weight'$/);

    const wrong = fixtureTensors();
    wrong.set('encoder.layer.0.intermediate.dense.weight', { dtype: 'F32', shape: [32, 64], data: new Float32Array(32 * 64) });
    err = errorOf(() => loadBertWeights(model, wrong));
    expect(err.message).toBe("model.safetensors: expected tensor 'encoder.layer.0.intermediate.dense.weight' of shape [64, 32] (for encoder.layer.0/intermediate.dense.kernel), found shape [32, 64]");
    model.weights.forEach((w, i) => expect(Array.from(w.read().dataSync())).toEqual(before[i]));
    model.dispose();
  });

  it('loadHfBert names the file in a tensor error', () => {
    const dir = tempDir();
    copyFileSync(join(FIXTURE, 'config.json'), join(dir, 'config.json'));
    const t = fixtureTensors();
    t.delete('pooler.dense.bias');
    writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(t));
    const err = errorOf(() => loadHfBert(dir, { pooling: 'cls', pooler: true }));
    expect(err.message).toBe(`${join(dir, 'model.safetensors')}: expected tensor 'pooler.dense.bias' [32] (for pooler.dense/bias), found none`);
    // without the pooler, the pooler tensors are not needed
    loadHfBert(dir, { pooling: 'cls' }).model.dispose();
  });
});

describe('bertOptionsFromConfig', () => {
  const base = () => JSON.parse(readFileSync(join(FIXTURE, 'config.json'), 'utf8'));

  it('maps BertConfig to options, with BertConfig defaults for absent keys', () => {
    expect(bertOptionsFromConfig(base())).toEqual({ vocabSize: 100, hiddenSize: 32, numLayers: 2, numHeads: 4, intermediateSize: 64, maxPositions: 32, typeVocabSize: 2, hiddenDropout: 0.1, attentionDropout: 0.1, layerNormEps: 1e-12, initializerRange: 0.02, norm: 'post' });
    const { max_position_embeddings: _, type_vocab_size: __, hidden_act: ___, ...minimal } = base();
    expect(bertOptionsFromConfig(minimal)).toMatchObject({ maxPositions: 512, typeVocabSize: 2 });
    expect(bertConfigFromOptions(bertOptionsFromConfig(base()))).toMatchObject(base());
  });

  it('refuses configs it cannot reproduce with one line naming the key', () => {
    expect(() => bertOptionsFromConfig({ ...base(), hidden_act: 'relu' })).toThrow(new DataError('config.json', "hidden_act 'gelu' (the exact erf GELU, the only activation of this encoder)", '"relu"'));
    expect(errorOf(() => bertOptionsFromConfig({ ...base(), hidden_act: 'relu' })).message).toBe(`config.json: expected hidden_act 'gelu' (the exact erf GELU, the only activation of this encoder), found "relu"`);
    expect(errorOf(() => bertOptionsFromConfig({ ...base(), model_type: 'roberta' })).message).toBe('config.json: expected model_type one of bert (a BERT checkpoint), found "roberta"');
    expect(errorOf(() => bertOptionsFromConfig({ ...base(), position_embedding_type: 'relative_key' })).message).toBe(`config.json: expected position_embedding_type 'absolute', found "relative_key"`);
    const { hidden_size: _, ...noHidden } = base();
    expect(errorOf(() => bertOptionsFromConfig(noHidden)).message).toBe('config.json: expected hidden_size present (an integer >= 1), found nothing');
    expect(errorOf(() => bertOptionsFromConfig({ ...base(), num_attention_heads: 5 })).message).toBe('config.json: expected hidden_size divisible by num_attention_heads = 5, found 32');
    expect(errorOf(() => bertOptionsFromConfig({ ...base(), hidden_dropout_prob: 1.5 })).message).toBe('config.json: expected hidden_dropout_prob a rate in [0, 1), found 1.5');
  });

  it('loadHfBert refuses a folder without config.json or weights, and a relu config, in one line', () => {
    const dir = tempDir();
    expect(errorOf(() => loadHfBert(dir)).message).toBe(`${join(dir, 'config.json')}: expected a BertConfig JSON file, found nothing at this path`);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...base(), hidden_act: 'relu' }));
    expect(errorOf(() => loadHfBert(dir)).message).toBe(`${join(dir, 'config.json')}: expected hidden_act 'gelu' (the exact erf GELU, the only activation of this encoder), found "relu"`);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(base()));
    writeFileSync(join(dir, 'pytorch_model.bin'), '');
    expect(errorOf(() => loadHfBert(dir)).message).toBe(`${join(dir, 'model.safetensors')}: expected the weights as safetensors (model.safetensors, or shards named by model.safetensors.index.json), found nothing at this path (only pytorch_model.bin, a format not read: convert it to safetensors)`);
  });
});
