import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { trainRun, type TrainRunOptions } from '../../src/train/train-run.js';
import { evaluateRun } from '../../src/train/evaluate-run.js';
import { embedRun } from '../../src/train/embed-run.js';
import { loadEncoder } from '../../src/models/encoder-file.js';
import { restoreMethod, type RunConfig } from '../../src/train/run.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { UsageError } from '../../src/util/usage-error.js';
import { Rng } from '../../src/util/random.js';

const root = mkdtempSync(join(tmpdir(), 'contrastive-train-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const COLUMNS = ['a', 'b', 'c', 'd', 'e', 'f'];
const KINDS = ['alpha', 'beta', 'gamma'];
// Cluster centres and scales: the columns live on very different scales (standardisation matters).
const CENTRES = [[0, 0, 0, 50, 1000, -3], [4, -4, 2, 58, 1030, -1], [-4, 3, -3, 42, 970, -5]];
const SCALES = [1, 1, 1, 3, 10, 0.5];

/** 300 rows of 6 numbers from three Gaussian clusters; `kind` names the cluster (with labels). */
function writeTable(path: string, labelled: boolean): { rows: number[][]; kinds: number[] } {
  const rng = new Rng(99);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const rows: number[][] = [], kinds: number[] = [];
  for (let i = 0; i < 300; i++) {
    const k = i % 3;
    rows.push(CENTRES[k].map((c, j) => Number((c + SCALES[j] * gauss()).toFixed(4))));
    kinds.push(k);
  }
  const header = labelled ? [...COLUMNS.slice(0, 3), 'kind', ...COLUMNS.slice(3)] : COLUMNS;
  const lines = rows.map((r, i) => (labelled ? [...r.slice(0, 3), KINDS[kinds[i]], ...r.slice(3)] : r).join(','));
  writeFileSync(path, `${header.join(',')}\n${lines.join('\n')}\n`);
  return { rows, kinds };
}

const labelledCsv = join(root, 'clusters.csv');
const table = writeTable(labelledCsv, true);
const unlabelledCsv = join(root, 'plain.csv');
writeTable(unlabelledCsv, false);
const base: TrainRunOptions = { data: labelledCsv, label: 'kind', epochs: 2, batchSize: 32 };
const trainSize = stratifiedSplit(table.kinds).train.length;

async function usage(options: TrainRunOptions, option: string, message: string): Promise<void> {
  const out = options.out ?? join(root, `bad-${option}-${Math.random().toString(36).slice(2)}`);
  const e = await trainRun({ ...options, out }).then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(UsageError);
  expect((e as UsageError).option).toBe(option);
  expect((e as UsageError).message).toBe(`${option}: ${message}`);
  if (options.out === undefined) expect(existsSync(out)).toBe(false); // nothing written
}

describe('trainRun on a CSV table', () => {
  const out = join(root, 'labelled');

  it('trains with SCARF views on standardised rows and writes run.json, checkpoints and the encoder', async () => {
    const lines: string[] = [];
    const result = await trainRun({ ...base, out, log: (l) => lines.push(l) });
    expect(result.out).toBe(out);
    expect(result.items).toBe(trainSize);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^contrastive train: simclr on clusters\\.csv \\(${trainSize} rows\\), mlp backbone .* 2 epochs of batch 32, seed 0 -> `));

    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunConfig;
    expect(run.input).toEqual({ kind: 'vector', dim: 6, columns: COLUMNS });
    expect(run).toMatchObject({ dataset: 'clusters.csv', data: labelledCsv, label: 'kind', method: 'simclr', backbone: 'mlp', seed: 0, temperature: 0.2, corruption: 0.6 });
    expect(run.cropScale).toBeUndefined();
    // The standardisation: a literal float64 fit on the training split's rows (the values csv-parse gives, as float32).
    const train = stratifiedSplit(table.kinds).train;
    const x = Array.from(train, (i) => table.rows[i].map(Math.fround));
    const mean = COLUMNS.map((_, j) => x.reduce((s, r) => s + r[j], 0) / x.length);
    const std = COLUMNS.map((_, j) => Math.sqrt(x.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / x.length));
    expect(run.standardize!.mean.length).toBe(6);
    run.standardize!.mean.forEach((m, j) => expect(m).toBeCloseTo(mean[j], 9));
    run.standardize!.std.forEach((s, j) => expect(s).toBeCloseTo(std[j], 9));

    expect(result.history).toHaveLength(2);
    for (const h of result.history) {
      expect(Number.isFinite(h.loss)).toBe(true);
      expect(h.knnTop1).toBeGreaterThanOrEqual(0); // the kNN monitor ran on the labelled rows
      expect(h.knnTop1).toBeLessThanOrEqual(1);
    }
    expect(existsSync(join(out, 'checkpoint.json'))).toBe(true);
    expect(existsSync(join(out, 'encoder', 'encoder.json'))).toBe(true);
  });

  it('saves an encoder that standardises a raw row as by hand, then applies the trained model', async () => {
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunConfig;
    const encoder = await loadEncoder(join(out, 'encoder'));
    const method = restoreMethod(out); // the checkpoint's weights, rebuilt from run.json
    try {
      expect(encoder.input).toEqual({ kind: 'vector', dim: 6, columns: COLUMNS });
      expect(encoder.preprocessing).toEqual({ kind: 'vector', version: 1, mean: run.standardize!.mean, std: run.standardize!.std });
      expect(encoder.metadata).toMatchObject({ method: 'simclr', backbone: 'mlp', dataset: 'clusters.csv', seed: 0 });
      const before = tf.memory().numTensors;
      for (const i of [0, 151, 299]) {
        const raw = table.rows[i];
        const got = encoder.embed(raw);
        expect([got.rows, got.dim]).toEqual([1, 128]);
        const z = Float32Array.from(raw, (v, j) => (Math.fround(v) - run.standardize!.mean[j]) / run.standardize!.std[j]);
        const want = tf.tidy(() => (method.backbone.apply(tf.tensor2d(z, [1, 6]), { training: false }) as tf.Tensor).dataSync());
        for (let j = 0; j < 128; j++) expect(got.values[j]).toBeCloseTo(want[j], 5);
      }
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      encoder.dispose();
      method.dispose();
    }
  });

  it('evaluates above chance with a raw baseline, and embeds every row', async () => {
    // k: the default cut-offs [1, 10, 100] exceed the 42 held-out rows (each query ranks the other 41).
    const ev = await evaluateRun({ checkpoint: out, k: [1, 10] });
    const test = stratifiedSplit(table.kinds).test;
    expect(ev.dataset).toBe('clusters.csv');
    expect(ev.n).toBe(test.length);
    expect(ev.labelled).toBe(trainSize);
    expect(ev.encoder.knnTop1).toBeGreaterThan(0.5); // 3 classes: chance is 1/3
    expect(ev.raw).toBeDefined();
    expect(ev.raw!.knnTop1).toBeGreaterThan(0.5);
    expect(ev.classNames).toEqual(KINDS);
    expect(ev.history).toHaveLength(2);

    const file = join(root, 'rows.f32');
    const e = await embedRun({ checkpoint: out, out: file });
    expect([e.rows, e.dim]).toEqual([300, 128]);
    expect(statSync(file).size).toBe(300 * 128 * 4);
    const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
    expect([meta.rows, meta.dim, meta.dataset]).toEqual([300, 128, 'clusters.csv']);
    expect(meta.labels).toEqual(table.kinds);
  });

  it('refuses to train again into a directory that holds a run', async () => {
    await usage({ ...base, out }, 'out', `'${out}' already holds a run; pass --resume to continue it or choose another --out`);
  });
});

describe('trainRun on an unlabelled CSV table', () => {
  it('trains simclr without a monitor; supcon needs labels', async () => {
    const out = join(root, 'unlabelled');
    const result = await trainRun({ data: unlabelledCsv, epochs: 1, batchSize: 64, out });
    expect(result.history).toHaveLength(1);
    expect(result.history[0].knnTop1).toBeUndefined();
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunConfig;
    expect(run.label).toBeUndefined();
    expect(run.input).toEqual({ kind: 'vector', dim: 6, columns: COLUMNS });
    await usage({ data: unlabelledCsv, method: 'supcon', epochs: 1, batchSize: 32 }, 'method', "supcon trains with labels, but the data 'plain.csv' has none (name the label column with --label)");
  });
});

describe('trainRun option errors', () => {
  it('names the option of a method, temperature, margin or mining that does not fit, writing nothing', async () => {
    await usage({ ...base, method: 'nope' as never }, 'method', `expected one of simclr, supcon, triplet, siamese, moco, mocov3, byol, simsiam, barlow, vicreg, nnclr, simcse, mnrl, cached-mnrl, cosent, distill, received "nope"`);
    await usage({ ...base, method: 'byol', temperature: 0.1 }, 'temperature', 'applies to methods simclr, supcon, moco, mocov3, nnclr, simcse, mnrl, cached-mnrl, cosent, received method byol');
    await usage({ ...base, margin: 0.5 }, 'margin', 'applies to methods supcon, triplet or siamese, received method simclr');
    await usage({ ...base, method: 'supcon', mining: 'batch-hard' }, 'mining', 'applies to method triplet, received method supcon');
    await usage({ ...base, labelsPerClass: 5 }, 'labelsPerClass', 'applies to methods supcon, triplet or siamese, received method simclr');
    await usage({ ...base, temperature: 0 }, 'temperature', 'expected a finite number > 0, received 0');
    await usage({ ...base, method: 'triplet', margin: -1 }, 'margin', 'expected a finite number >= 0, received -1');
    await usage({ ...base, corruption: 1.5 }, 'corruption', 'expected a share in [0, 1], received 1.5');
    await usage({ ...base, backbone: 'cnn' }, 'backbone', "expected mlp for items of kind 'vector', received cnn");
  });

  it('names batch size, epochs, limit and optimizer errors, writing nothing', async () => {
    await usage({ ...base, batchSize: trainSize + 1 }, 'batchSize', `expected at most the ${trainSize} training items, received ${trainSize + 1}`);
    await usage({ ...base, batchSize: 1 }, 'batchSize', 'expected an integer >= 2, received 1');
    await usage({ ...base, epochs: 0 }, 'epochs', 'expected an integer >= 1, received 0');
    await usage({ ...base, limit: 0 }, 'limit', 'expected an integer >= 1, received 0');
    await usage({ ...base, seed: 0.5 }, 'seed', 'expected an integer, received 0.5');
    await usage({ ...base, optimizer: 'rmsprop' as never }, 'optimizer', `expected 'adam', 'adamw', 'sgd' or 'lars', received "rmsprop"`);
    await usage({ ...base, learningRate: -1 }, 'learningRate', 'expected a finite number > 0, received -1');
  });
});

describe('runs: partly labelled data, stale encoders, options that do not apply, output paths', () => {
  it('a supervised method trains on the labelled rows only (empty label cells are -1); the Trainer refuses -1 labels', async () => {
    const path = join(root, 'partly.csv');
    const lines = readFileSync(labelledCsv, 'utf8').trim().split('\n');
    // Every fourth row loses its label.
    writeFileSync(path, `${lines.map((l, i) => (i > 0 && i % 4 === 0 ? l.split(',').map((c, j) => (j === 3 ? '' : c)).join(',') : l)).join('\n')}\n`);
    const out = join(root, 'partly-supcon');
    const r = await trainRun({ data: path, label: 'kind', method: 'supcon', epochs: 1, batchSize: 30, out });
    expect(r.items).toBeLessThan(trainSize); // only the labelled training rows
    const { Trainer } = await import('../../src/train/trainer.js');
    const { DataLoader } = await import('../../src/data/loader.js');
    const { loadCsvTable } = await import('../../src/data/csv-table.js');
    const { identityViews } = await import('../../src/augment/view-transform.js');
    const { collateVectors } = await import('../../src/data/collate.js');
    const m = restoreMethod(out);
    const loader = new DataLoader({ source: loadCsvTable(path, { label: 'kind' }), views: identityViews<Float32Array>(2), collate: collateVectors });
    await expect(new Trainer({ epochs: 1, batchSize: 30 }).fit(m, loader)).rejects.toThrow("Trainer: the method 'supcon' trains with labels, but item 3 of the data has none (-1): train on the labelled items only");
    m.dispose();
  });

  it('restoreEncoder trusts the checkpoint when the saved encoder is of another epoch (a write cut between the two)', async () => {
    const { restoreEncoder } = await import('../../src/train/run.js');
    const out = join(root, 'stale');
    await trainRun({ ...base, epochs: 1, out });
    const manifest = join(out, 'encoder', 'encoder.json');
    const good = await restoreEncoder(out);
    const row = table.rows[5];
    const want = good.encoder.embed(row).values;
    expect(good.encoder.metadata.epoch).toBe(1);
    good.dispose();
    // The encoder of a later epoch, not committed by a checkpoint: its weights are zeroed here.
    const { crc32 } = await import('../../src/models/encoder.js');
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    const zeros = new Uint8Array(m.weights.byteLength);
    writeFileSync(join(out, 'encoder', 'weights.bin'), zeros);
    writeFileSync(manifest, JSON.stringify({ ...m, metadata: { ...m.metadata, epoch: 2 }, weights: { ...m.weights, checksum: { ...m.weights.checksum, value: crc32(zeros) } } }));
    const zeroed = await loadEncoder(join(out, 'encoder')); // loads: a valid encoder, of epoch 2
    expect(Array.from(zeroed.embed(row).values)).not.toEqual(Array.from(want));
    zeroed.dispose();
    const back = await restoreEncoder(out);
    expect(Array.from(back.encoder.embed(row).values)).toEqual(Array.from(want));
    back.dispose();
  });

  it('refuses data options that do not apply, and an embedding path without a folder, before any work', async () => {
    await usage({ ...base, imageSize: [8, 8] }, 'imageSize', `applies to image folders, received it for '${labelledCsv}'`);
    await usage({ dataset: 'mnist', label: 'x', epochs: 1 }, 'label', 'applies to .csv/.tsv tables and .jsonl files (image folders take their classes from sub-folders), received it for the built-in data set mnist');
    const e = await embedRun({ checkpoint: join(root, 'labelled'), out: join(root, 'no-such-folder', 'e.f32') }).then(() => null, (err: unknown) => err);
    expect((e as UsageError).message).toMatch(/^out: expected a file path in an existing folder, received '.*no-such-folder\/e\.f32'/);
  });
});
