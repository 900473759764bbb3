import '../../src/backend/register.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cnnBackbone } from '../../src/models/backbones/cnn.js';
import { mlpBackbone } from '../../src/models/backbones/mlp.js';
import { resnetBackbone } from '../../src/models/backbones/resnet.js';
import { BatchNorm } from '../../src/models/layers/batch-norm.js';
import { Encoder, crc32, type ImageItem } from '../../src/models/encoder.js';
import { loadEncoder, saveEncoder } from '../../src/models/encoder-file.js';
import { randomArray } from '../backend/parity.js';

const root = mkdtempSync(join(tmpdir(), 'encoder-test-'));
let dirs = 0;
const freshDir = () => join(root, `e${dirs++}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Seeded non-trivial weights everywhere (batch-norm running statistics included: variance > 0). */
function randomizeWeights(model: tfl.LayersModel, seed: number): void {
  const values = model.weights.map((w, i) => {
    const shape = w.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    const positive = w.originalName.endsWith('moving_variance') || w.originalName.endsWith('gamma');
    return tf.tensor(randomArray(n, seed * 1000 + i, positive ? 0.5 : -0.3, positive ? 1.5 : 0.3), shape);
  });
  model.setWeights(values);
  tf.dispose(values);
}

type Hwc = [number, number, number];
const imageItems = (n: number, [h, w, c]: Hwc, seed: number): ImageItem[] =>
  Array.from({ length: n }, (_, i) => ({ data: randomArray(h * w * c, seed + i, 0, 1), height: h, width: w, channels: c }));

/** The reference: the model itself on the stacked float items, inference mode. */
function reference(model: tfl.LayersModel, items: ImageItem[]): Float32Array {
  const { height: h, width: w, channels: c } = items[0];
  const all = new Float32Array(items.length * h * w * c);
  items.forEach((it, i) => all.set(it.data, i * h * w * c));
  return tf.tidy(() => (model.apply(tf.tensor4d(all, [items.length, h, w, c]), { training: false }) as tf.Tensor).dataSync() as Float32Array).slice();
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])));
}

const imageSpec = ([height, width, channels]: Hwc) => ({ kind: 'image' as const, height, width, channels });

const backbones: { name: string; shape: Hwc; make: (shape: Hwc) => tfl.LayersModel }[] = [
  { name: 'cnn flatten', shape: [28, 28, 1], make: (s) => cnnBackbone({ inputShape: s, widths: [4, 8], embeddingDim: 16, seed: 1 }) },
  { name: 'cnn global-average', shape: [28, 28, 3], make: (s) => cnnBackbone({ inputShape: s, widths: [4, 8], pooling: 'global-average', seed: 2 }) },
  { name: 'resnet', shape: [16, 16, 3], make: (s) => resnetBackbone({ inputShape: s, widthMultiplier: 0.125, blocks: [1, 1, 1, 1], seed: 3 }) },
  { name: 'mlp', shape: [28, 28, 1], make: (s) => mlpBackbone({ inputShape: s, hidden: [32], outputDim: 8, seed: 4 }) },
];

describe('Encoder: save, load, embed', () => {
  for (const [k, b] of backbones.entries()) {
    it(`${b.name}: save -> load -> embed equals model.apply(x, {training: false}) bit for bit`, async () => {
      const model = b.make(b.shape);
      randomizeWeights(model, 10 + k);
      const items = imageItems(5, b.shape, 100 * k);
      const ref = reference(model, items);
      const enc = new Encoder({ model, input: imageSpec(b.shape), metadata: { method: 'simclr', epochs: 3 } });
      expect(enc.dim).toBe(ref.length / 5);
      expect(enc.embed(items).values).toEqual(ref);
      const dir = freshDir();
      await enc.save(dir);
      expect(readdirSync(dir).sort()).toEqual(['encoder.json', 'weights.bin']);
      for (const path of [dir, join(dir, 'encoder.json')]) {
        const loaded = await loadEncoder(path);
        expect(loaded.dim).toBe(enc.dim);
        expect(loaded.input).toEqual(imageSpec(b.shape));
        expect(loaded.name).toBe(enc.name);
        expect(loaded.metadata).toEqual({ method: 'simclr', epochs: 3 });
        expect(loaded.preprocessing).toEqual({ kind: 'image', version: 1, scale: 1 / 255 });
        const out = loaded.embed(items);
        expect(out.rows).toBe(5);
        expect(out.dim).toBe(enc.dim);
        expect(out.values).toEqual(ref);
        // in batches of 2: the native GEMM's rounding depends on the batch rows (see below)
        close(loaded.embed(items, { batchSize: 2 }).values, ref);
        // embedTensor: the library's own loops
        const z = tf.tidy(() => loaded.embedTensor(tf.tensor4d(Float32Array.from(items.flatMap((i) => Array.from(i.data))), [5, ...b.shape])));
        expect(z.dataSync()).toEqual(ref);
        z.dispose();
        loaded.dispose();
      }
      enc.dispose();
    });
  }

  // Bit for bit on cpu. On native, the dense layer's matmul (K = 1568 here) rounds differently
  // for 1 row than for 6 (its blocking depends on M), so there the rows agree to float32 rounding.
  for (const backend of ['cpu', 'native']) {
    it(`embed of one item equals row i of a batch (${backend})`, () => {
      tf.setBackend(backend);
      const shape: Hwc = [28, 28, 1];
      const model = backbones[0].make(shape);
      randomizeWeights(model, 20);
      const enc = new Encoder({ model, input: imageSpec(shape) });
      const items = imageItems(6, shape, 7);
      const all = enc.embed(items);
      for (const i of [0, 3, 5]) {
        const one = enc.embed(items[i]);
        expect(one.rows).toBe(1);
        const row = all.values.subarray(i * enc.dim, (i + 1) * enc.dim);
        if (backend === 'cpu') expect(one.values).toEqual(row);
        else close(one.values, row);
      }
      enc.dispose();
      tf.setBackend('native');
    });
  }

  it('normalize gives unit rows; an empty list gives 0 rows', () => {
    const shape: Hwc = [28, 28, 1];
    const model = backbones[0].make(shape);
    randomizeWeights(model, 20);
    const enc = new Encoder({ model, input: imageSpec(shape) });
    const items = imageItems(6, shape, 7);
    const all = enc.embed(items);
    const unit = enc.embed(items, { normalize: true });
    for (let r = 0; r < 6; r++) {
      const row = all.values.subarray(r * enc.dim, (r + 1) * enc.dim);
      const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
      for (let j = 0; j < enc.dim; j++) expect(unit.values[r * enc.dim + j]).toBeCloseTo(row[j] / norm, 6);
    }
    expect(enc.embed([]).rows).toBe(0);
    enc.dispose();
  });

  it('uint8 pixels are scaled by 1/255; float32 pixels are used as is', () => {
    const shape: Hwc = [28, 28, 1];
    const model = backbones[0].make(shape);
    randomizeWeights(model, 21);
    const enc = new Encoder({ model, input: imageSpec(shape) });
    const u8 = Uint8Array.from(randomArray(784, 9, 0, 256), (v) => Math.floor(v));
    const asFloat = Float32Array.from(u8, (v) => v / 255); // the training pipeline's imageAt
    const ref = reference(model, [{ data: asFloat, height: 28, width: 28, channels: 1 }]);
    expect(enc.embed({ data: u8, height: 28, width: 28, channels: 1 }).values).toEqual(ref);
    expect(enc.embed({ data: new Uint8ClampedArray(u8), height: 28, width: 28, channels: 1 }).values).toEqual(ref);
    expect(enc.embed({ data: asFloat, height: 28, width: 28, channels: 1 }).values).toEqual(ref);
    // a float item holding 0-255 values is NOT rescaled (the rule is by type, not by value)
    const raw = enc.embed({ data: Float32Array.from(u8), height: 28, width: 28, channels: 1 }).values;
    expect(raw).not.toEqual(ref);
    expect(() => enc.embed({ data: Array.from(u8) as unknown as Float32Array, height: 28, width: 28, channels: 1 })).toThrow(/data must be a Uint8Array, Uint8ClampedArray or Float32Array, received Array/);
    expect(() => enc.embed({ data: u8.subarray(1), height: 28, width: 28, channels: 1 })).toThrow(/item 0: data must hold height x width x channels = 784 values, received 783/);
    enc.dispose();
  });

  it('resize: a 56x56 item into a 28x28 encoder equals tf.image.resizeBilinear (half-pixel centres) then apply', () => {
    const shape: Hwc = [28, 28, 3];
    const model = backbones[1].make(shape);
    randomizeWeights(model, 22);
    const enc = new Encoder({ model, input: imageSpec(shape) });
    const big = imageItems(2, [56, 56, 3], 40);
    const small = imageItems(1, [20, 24, 3], 50)[0];
    const resized = [...big, small].map((it) => {
      const data = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(it.data as Float32Array, [1, it.height, it.width, 3]), [28, 28], false, true).dataSync() as Float32Array).slice();
      return { data, height: 28, width: 28, channels: 3 };
    });
    expect(enc.embed([...big, small]).values).toEqual(reference(model, resized));
    enc.dispose();
  });

  it('channels: gray -> RGB replicates, RGBA -> RGB drops alpha, RGB -> gray is the BT.601 luma', () => {
    const rgbShape: Hwc = [28, 28, 3];
    const rgbModel = backbones[1].make(rgbShape);
    randomizeWeights(rgbModel, 23);
    const rgb = new Encoder({ model: rgbModel, input: imageSpec(rgbShape) });
    const gray = imageItems(2, [28, 28, 1], 60);
    const replicated = gray.map((g) => ({ data: Float32Array.from({ length: 784 * 3 }, (_, i) => g.data[Math.floor(i / 3)]), height: 28, width: 28, channels: 3 }));
    expect(rgb.embed(gray).values).toEqual(reference(rgbModel, replicated));
    const color = imageItems(1, rgbShape, 70)[0];
    const rgba = { data: Float32Array.from({ length: 784 * 4 }, (_, i) => (i % 4 === 3 ? 0.25 : color.data[Math.floor(i / 4) * 3 + (i % 4)])), height: 28, width: 28, channels: 4 };
    expect(rgb.embed(rgba).values).toEqual(reference(rgbModel, [color]));
    rgb.dispose();

    const grayShape: Hwc = [28, 28, 1];
    const grayModel = backbones[0].make(grayShape);
    randomizeWeights(grayModel, 24);
    const g = new Encoder({ model: grayModel, input: imageSpec(grayShape) });
    const luma = new Float32Array(784);
    for (let p = 0; p < 784; p++) luma[p] = 0.299 * color.data[3 * p] + 0.587 * color.data[3 * p + 1] + 0.114 * color.data[3 * p + 2];
    expect(g.embed(color).values).toEqual(reference(grayModel, [{ data: luma, height: 28, width: 28, channels: 1 }]));
    expect(() => g.embed({ data: new Float32Array(784 * 2), height: 28, width: 28, channels: 2 })).toThrow(/channels must be 1, 3, 4 or 1, received 2/);
    g.dispose();
  });

  it('vectors: per-column standardisation equals a literal loop; survives save/load', async () => {
    const dim = 6;
    const model = tfl.sequential({ name: 'row_mlp', layers: [tfl.layers.dense({ inputShape: [dim], units: 5, kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }) }), new BatchNorm(), tfl.layers.reLU(), tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 6 }) })] });
    randomizeWeights(model, 25);
    const mean = [0.5, -1, 2, 0, 3, -0.25], std = [2, 0.5, 1, 4, 0.1, 3];
    const enc = new Encoder({ model, input: { kind: 'vector', dim, columns: ['a', 'b', 'c', 'd', 'e', 'f'] }, preprocessing: { kind: 'vector', version: 1, mean, std } });
    const rows = Array.from({ length: 4 }, (_, r) => Array.from(randomArray(dim, 80 + r, -5, 5)));
    const standardised = new Float32Array(4 * dim);
    for (let r = 0; r < 4; r++) for (let j = 0; j < dim; j++) standardised[r * dim + j] = (rows[r][j] - mean[j]) / std[j];
    const ref = tf.tidy(() => (model.apply(tf.tensor2d(standardised, [4, dim]), { training: false }) as tf.Tensor).dataSync() as Float32Array).slice();
    expect(enc.embed(rows).values).toEqual(ref);
    expect(enc.embed(rows[2]).values).toEqual(ref.subarray(6, 9)); // one number[] is one item
    expect(enc.embed(Float64Array.from(rows[1])).values).toEqual(ref.subarray(3, 6));
    const dir = freshDir();
    await saveEncoder(enc, dir);
    const loaded = await loadEncoder(dir);
    expect(loaded.preprocessing).toEqual({ kind: 'vector', version: 1, mean, std });
    expect(loaded.input).toEqual(enc.input);
    expect(loaded.embed(rows, { batchSize: 3 }).values).toEqual(ref);
    expect(() => loaded.embed([1, 2, 3])).toThrow(/item 0 must be 6 numbers, received 3 values/);
    loaded.dispose();
    enc.dispose();
    expect(() => new Encoder({ model: mlpBackbone({ inputShape: [2, 2, 1], hidden: [2], outputDim: 2 }), input: { kind: 'image', height: 2, width: 2, channels: 1 }, preprocessing: { kind: 'vector', version: 1 } })).toThrow(/preprocessing.kind must be 'image' \(the input's kind\), received "vector"/);
  });
});

describe('Encoder: validation and corrupted files', () => {
  const shape: Hwc = [28, 28, 1];
  async function saved(): Promise<{ dir: string; enc: Encoder }> {
    const model = cnnBackbone({ inputShape: shape, widths: [4], embeddingDim: 8, seed: 9 });
    const enc = new Encoder({ model, input: imageSpec(shape) });
    const dir = freshDir();
    await enc.save(dir);
    return { dir, enc };
  }

  it('constructor: the image spec must match the model input, the output must be [N, D]', () => {
    const m = cnnBackbone({ inputShape: shape, widths: [4], embeddingDim: 8 });
    expect(() => new Encoder({ model: m, input: imageSpec([32, 32, 1]) })).toThrow(/must match the model's input \[N, height, width, channels\] = \[N,28,28,1\], expected \[N, 32, 32, 1\]/);
    expect(() => new Encoder({ model: m, input: { kind: 'image', height: 0, width: 2, channels: 1 } })).toThrow(/Encoder: input must be/);
    expect(() => new Encoder({ model: m, input: imageSpec(shape), preprocessing: { kind: 'image', version: 1, scale: -1 } })).toThrow(/preprocessing.scale must be a finite number > 0, received -1/);
    m.dispose();
    const conv = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: shape, filters: 2, kernelSize: 3 })] });
    expect(() => new Encoder({ model: conv, input: imageSpec(shape) })).toThrow(/the model's output must be \[N, D\], received \[N,26,26,2\]/);
    conv.dispose();
    const text = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 2 })] });
    const t = new Encoder({ model: text, input: { kind: 'text' } });
    expect(() => t.embed([1, 2, 3, 4])).toThrow(/text items need a tokenizer/);
    t.dispose();
    expect(() => t.embed([1, 2, 3, 4])).toThrow(/was disposed/);
  });

  it('a flipped byte in weights.bin is a checksum error naming the file', async () => {
    const { dir, enc } = await saved();
    const wPath = join(dir, 'weights.bin');
    const bytes = readFileSync(wPath);
    bytes[100] ^= 0x01;
    writeFileSync(wPath, bytes);
    await expect(loadEncoder(dir)).rejects.toThrow(new RegExp(`${wPath.replace(/[.]/g, '\\.')}: checksum mismatch: expected crc32 [0-9a-f]{8}`));
    enc.dispose();
  });

  it('a truncated weights.bin, a missing file, bad JSON, another version are errors naming the file', async () => {
    const { dir, enc } = await saved();
    const wPath = join(dir, 'weights.bin'), mPath = join(dir, 'encoder.json');
    const bytes = readFileSync(wPath);
    writeFileSync(wPath, bytes.subarray(0, bytes.length - 10));
    await expect(loadEncoder(dir)).rejects.toThrow(`${wPath} must hold ${bytes.length} bytes (as ${mPath} says), received ${bytes.length - 10} (truncated)`);
    rmSync(wPath);
    await expect(loadEncoder(dir)).rejects.toThrow(`loadEncoder: ${wPath} is missing`);
    writeFileSync(wPath, bytes);
    const text = readFileSync(mPath, 'utf8');
    writeFileSync(mPath, text.replace('"version": 1', '"version": 2'));
    await expect(loadEncoder(dir)).rejects.toThrow(`loadEncoder: ${mPath}: expected format contrastive-encoder version 1, received format "contrastive-encoder" version 2`);
    writeFileSync(mPath, JSON.stringify({ format: 'tfjs-layers' }));
    await expect(loadEncoder(mPath)).rejects.toThrow('expected format contrastive-encoder version 1, received format "tfjs-layers" version undefined');
    writeFileSync(mPath, text.slice(0, 50));
    await expect(loadEncoder(dir)).rejects.toThrow(`loadEncoder: ${mPath} is not valid JSON`);
    rmSync(mPath);
    await expect(loadEncoder(dir)).rejects.toThrow(`loadEncoder: ${mPath} is missing`);
    await expect(loadEncoder(join(dir, 'nope'))).rejects.toThrow(`loadEncoder: ${join(dir, 'nope')} does not exist`);
    writeFileSync(mPath, text);
    (await loadEncoder(dir)).dispose(); // whole again
    enc.dispose();
  });

  it('NaN/Infinity weights are refused on load and on save', async () => {
    const model = cnnBackbone({ inputShape: shape, widths: [4], embeddingDim: 8, seed: 9 });
    const enc = new Encoder({ model, input: imageSpec(shape) });
    const { manifest, weights } = enc.toArtifacts();
    const bad = weights.slice();
    new DataView(bad.buffer).setFloat32(manifest.weights.entries[1].offset + 4, Number.NaN, true);
    const m2 = { ...manifest, weights: { ...manifest.weights, checksum: { algorithm: 'crc32' as const, value: crc32(bad) } } };
    await expect(Encoder.fromArtifacts(m2, bad, { weights: 'w.bin' })).rejects.toThrow(`w.bin: weights hold NaN/Infinity: '${manifest.weights.entries[1].name}'[1] = NaN`);
    const w = model.weights[0];
    const values = w.read().dataSync().slice() as Float32Array;
    values[0] = Infinity;
    const t = tf.tensor(values, w.shape as number[]);
    w.write(t);
    t.dispose();
    const dir = freshDir();
    await expect(enc.save(dir)).rejects.toThrow(/weights hold NaN\/Infinity: .*\[0\] = Infinity; nothing written/);
    expect(existsSync(dir)).toBe(false);
    enc.dispose();
  });

  it('saving into an existing directory keeps other files and leaves no temporary file', async () => {
    const { dir, enc } = await saved();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const m2 = cnnBackbone({ inputShape: shape, widths: [4], embeddingDim: 8, seed: 10 });
    const other = new Encoder({ model: m2, input: imageSpec(shape), name: 'second' });
    await other.save(dir);
    expect(readdirSync(dir).sort()).toEqual(['encoder.json', 'notes.txt', 'weights.bin']);
    expect(readdirSync(root).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const loaded = await loadEncoder(dir);
    expect(loaded.name).toBe('second');
    const item = imageItems(1, shape, 5)[0];
    expect(loaded.embed(item).values).toEqual(other.embed(item).values);
    await expect(saveEncoder(other, join(dir, 'notes.txt'))).rejects.toThrow(/notes\.txt must be a directory \(or not exist yet\), received a file/);
    loaded.dispose();
    other.dispose();
    enc.dispose();
  });

  it('no leaked tensors: embed (with resize and channel conversion), toArtifacts, load + dispose', async () => {
    const { dir, enc } = await saved();
    const before = tf.memory().numTensors;
    enc.embed([...imageItems(3, shape, 1), ...imageItems(2, [40, 33, 3], 2)], { batchSize: 2, normalize: true });
    enc.toArtifacts();
    expect(() => enc.embed(imageItems(1, [28, 28, 2], 3))).toThrow();
    expect(tf.memory().numTensors).toBe(before);
    const loaded = await loadEncoder(dir);
    loaded.embed(imageItems(2, shape, 4));
    loaded.dispose();
    await expect(loadEncoder(join(dir, 'missing'))).rejects.toThrow();
    expect(tf.memory().numTensors).toBe(before);
    enc.dispose();
  });

  it('crc32 is the IEEE CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe('cbf43926');
    expect(crc32(new Uint8Array(0))).toBe('00000000');
  });
});
