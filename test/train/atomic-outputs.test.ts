/**
 * Outputs of `contrastive embed` and `eval --report` appear whole or not at all: the embedding pair
 * (matrix + metadata with its CRC-32, metadata last) and the report folder (written aside, renamed
 * in); leftovers of killed writers go at the next start; non-finite checkpoints and embeddings are
 * refused with one line and nothing written.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { DataError } from '../../src/data/data-error.js';
import { loadMatrix } from '../../src/data/matrix-file.js';
import { Encoder, crc32 } from '../../src/models/encoder.js';
import { loadEncoder } from '../../src/models/encoder-file.js';
import { REPORT_GENERATOR, checkReportTarget, writeReport } from '../../src/report/write-report.js';
import { embedRun } from '../../src/train/embed-run.js';
import { evaluateRun } from '../../src/train/evaluate-run.js';
import { trainRun } from '../../src/train/train-run.js';
import { UsageError } from '../../src/util/usage-error.js';
import { Rng } from '../../src/util/random.js';
import { syntheticReport } from '../report/synthetic-report.js';

const root = mkdtempSync(join(tmpdir(), 'contrastive-atomic-outputs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A pid no process can have (above Linux's largest pid_max, 2^22). */
const DEAD = 99_999_999;

const csv = join(root, 'blobs.csv');
const run = join(root, 'run');
/** 150 rows of 6 numbers in three labelled clusters. */
function writeCsv(): void {
  const rng = new Rng(5);
  const lines = ['a,b,c,d,e,f,kind'];
  for (let i = 0; i < 150; i++) {
    const k = i % 3;
    lines.push([...Array.from({ length: 6 }, (_, j) => (4 * (k === j % 3 ? 1 : 0) + rng.next()).toFixed(3)), `k${k}`].join(','));
  }
  writeFileSync(csv, `${lines.join('\n')}\n`);
}

/** What a call threw (or null). */
const thrown = (p: Promise<unknown>): Promise<unknown> => p.then(() => null, (e: unknown) => e);

/** Sets float32 value `index` of a little-endian weight file to NaN. */
function poison(path: string, byteOffset: number): void {
  const b = readFileSync(path);
  b.writeFloatLE(NaN, byteOffset);
  writeFileSync(path, b);
}

/** Poisons a saved encoder's first weight and mends its manifest's CRC-32 (a valid file of NaN weights). */
function poisonEncoder(dir: string): void {
  const manifest = join(dir, 'encoder.json');
  poison(join(dir, 'weights.bin'), 0);
  const m = JSON.parse(readFileSync(manifest, 'utf8'));
  m.weights.checksum.value = crc32(readFileSync(join(dir, 'weights.bin')));
  writeFileSync(manifest, JSON.stringify(m));
}

beforeAll(async () => {
  writeCsv();
  await trainRun({ data: csv, label: 'kind', epochs: 1, batchSize: 32, out: run });
}, 60_000);

describe('embed: the matrix and its metadata as one pair', () => {
  it('writes the metadata last with the matrix\'s length and CRC-32; the reader checks them', async () => {
    const dir = join(root, 'embed-a');
    mkdirSync(dir);
    const file = join(dir, 'e.f32');
    const r = await embedRun({ checkpoint: run, out: file });
    const bytes = readFileSync(file);
    const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
    expect(meta.byteLength).toBe(r.rows * r.dim * 4);
    expect(meta.checksum).toEqual({ algorithm: 'crc32', value: crc32(bytes) });
    expect(readdirSync(dir).sort()).toEqual(['e.f32', 'e.f32.json']); // no temporary file left
    const m = loadMatrix(file);
    expect([m.size, m.spec]).toEqual([150, { kind: 'vector', dim: r.dim }]);

    // A torn pair: a new matrix of the same length beside the old metadata.
    const other = Buffer.from(bytes);
    other.writeFloatLE(other.readFloatLE(0) + 1, 0);
    writeFileSync(file, other);
    const e = (() => { try { loadMatrix(file); return null; } catch (err) { return err; } })();
    expect(e).toBeInstanceOf(DataError);
    const msg = (e as Error).message;
    expect(msg).toBe(`${file}: expected crc32 ${meta.checksum.value} (as e.f32.json says), found crc32 ${crc32(other)}: the file is not the one its metadata was written with (a write cut between the two, or a file changed since)`);
    expect(msg).not.toMatch(/\n/);
    // Another length: the length is named.
    writeFileSync(file, bytes.subarray(0, bytes.length - 4 * r.dim));
    expect(() => loadMatrix(file)).toThrow(`${file}: expected ${bytes.length} bytes (as e.f32.json says), found ${bytes.length - 4 * r.dim} bytes`);
  });

  it('writes a real .npy file when the name ends in .npy, which reads back as the raw matrix', async () => {
    const dir = join(root, 'embed-npy');
    mkdirSync(dir);
    await embedRun({ checkpoint: run, out: join(dir, 'e.f32') });
    await embedRun({ checkpoint: run, out: join(dir, 'e.npy') });
    const npy = readFileSync(join(dir, 'e.npy'));
    expect(npy.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
    expect((10 + npy.readUInt16LE(8)) % 64).toBe(0);
    const a = loadMatrix(join(dir, 'e.f32')), b = loadMatrix(join(dir, 'e.npy'));
    expect(b.spec).toEqual(a.spec);
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    expect(Array.from(b.labels!)).toEqual(Array.from(a.labels!));
    expect(JSON.parse(readFileSync(join(dir, 'e.npy.json'), 'utf8')).checksum.value).toBe(crc32(npy));
  });

  it('removes the temporary files of dead writers at the start, keeping those of live ones and the user\'s files', async () => {
    const dir = join(root, 'embed-b');
    mkdirSync(dir);
    const dead = [`.e.f32.tmp-${DEAD}-abc`, `.e.f32.json.tmp-${DEAD}-abc`, `.other.bin.tmp-${DEAD}-x1`, `e.f32.tmp-${DEAD}`, `e.f32.json.tmp-${DEAD}`];
    const kept = [`.e.f32.tmp-${process.ppid}-abc`, 'notes.txt', '.hidden', 'e.f32.tmp-notapid', `x.tmp-${DEAD}`];
    for (const f of [...dead, ...kept]) writeFileSync(join(dir, f), 'partial');
    mkdirSync(join(dir, `.report.tmp-${DEAD}-zz`));
    writeFileSync(join(dir, `.report.tmp-${DEAD}-zz`, 'loss.png'), '');
    await embedRun({ checkpoint: run, out: join(dir, 'e.f32'), limit: 30 });
    expect(readdirSync(dir).sort()).toEqual([...kept, 'e.f32', 'e.f32.json'].sort());
    for (const f of kept) expect(readFileSync(join(dir, f), 'utf8')).toBe('partial');
  });
});

describe('report: the folder as one unit', () => {
  const data = syntheticReport();

  it('replaces an earlier report wholly, and removes a killed writer\'s temporary folder', async () => {
    const dir = join(root, 'reports', 'r');
    await writeReport(dir, data);
    const first = readdirSync(dir).sort();
    expect(first).toEqual(['collapse.png', 'gallery.png', 'index.html', 'knn.png', 'loss.png', 'map.png']);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain(REPORT_GENERATOR);
    const leftover = join(root, 'reports', `.r.tmp-${DEAD}-abc`);
    mkdirSync(leftover);
    writeFileSync(join(leftover, 'map.png'), ''); // what a killed writer leaves: never inside the report
    const { gallery: _gallery, ...noGallery } = data;
    const w = await writeReport(dir, { ...noGallery, title: 'second' });
    expect(w.files.map((f) => f.slice(dir.length + 1))).toEqual(['loss.png', 'knn.png', 'collapse.png', 'map.png', 'index.html']);
    expect(readdirSync(dir).sort()).toEqual(first.filter((f) => f !== 'gallery.png'));
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('<title>second</title>');
    expect(readdirSync(join(root, 'reports'))).toEqual(['r']); // no temporary or old folder left
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f)).length).toBeGreaterThan(0);
  }, 60_000);

  it('refuses a folder of the user\'s files (and a file), writing nothing; an empty folder is taken', async () => {
    const parent = join(root, 'reports-user');
    const dir = join(parent, 'mine');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    writeFileSync(join(dir, 'index.html'), '<p>my page</p>');
    const e = await thrown(writeReport(dir, data));
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).option).toBe('report');
    const held = readdirSync(dir).map((n) => `'${n}'`).join(', '); // in the folder's order
    expect((e as UsageError).message).toBe(`report: the folder '${dir}' is not a report written by contrastive (it holds ${held} and no index.html written by contrastive); it is not replaced: remove it or choose another folder`);
    expect(readdirSync(parent)).toEqual(['mine']);
    expect(readdirSync(dir).sort()).toEqual(['index.html', 'notes.txt']);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toBe('<p>my page</p>');

    // A report of ours with a file of the user's added: refused too.
    const ours = join(parent, 'ours');
    await writeReport(ours, data);
    writeFileSync(join(ours, 'notes.txt'), 'mine');
    expect(() => checkReportTarget(ours)).toThrow(`report: the folder '${ours}' is not a report written by contrastive (it holds files a report does not write ('notes.txt')); it is not replaced: remove it or choose another folder`);

    writeFileSync(join(parent, 'file'), 'x');
    expect(() => checkReportTarget(join(parent, 'file'))).toThrow(`report: expected a folder for the report, received the file '${join(parent, 'file')}'`);

    const empty = join(parent, 'empty');
    mkdirSync(empty);
    await writeReport(empty, data);
    expect(readdirSync(empty)).toContain('index.html');
  }, 60_000);
});

describe('non-finite weights and embeddings are refused, nothing written', () => {
  it('a saved encoder whose weights hold NaN does not load (one line naming the file); embed and eval refuse it', async () => {
    const enc = join(root, 'enc-nan');
    cpSync(join(run, 'encoder'), enc, { recursive: true });
    poisonEncoder(enc);
    const e = await thrown(loadEncoder(enc));
    expect((e as Error).message).toMatch(new RegExp(`^loadEncoder: ${join(enc, 'weights.bin')}: weights hold NaN/Infinity: '[^']+'\\[0\\] = NaN$`));
    const out = join(root, 'nan-out');
    mkdirSync(out);
    for (const call of [() => embedRun({ checkpoint: enc, out: join(out, 'e.f32'), data: csv, label: 'kind' }), () => evaluateRun({ checkpoint: enc, data: csv, label: 'kind' })]) {
      const err = await thrown(call());
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).option).toBe('checkpoint');
      expect((err as Error).message).toMatch(/weights hold NaN\/Infinity/);
      expect((err as Error).message).toContain(join(enc, 'weights.bin'));
      expect((err as Error).message).not.toMatch(/\n/);
    }
    expect(readdirSync(out)).toEqual([]);
  });

  it('a run whose checkpoint holds NaN weights is refused by embed and eval, naming the weights file', async () => {
    const bad = join(root, 'run-nan');
    cpSync(run, bad, { recursive: true });
    poisonEncoder(join(bad, 'encoder'));
    const ck = JSON.parse(readFileSync(join(bad, 'checkpoint.json'), 'utf8'));
    const entry = ck.entries.find((x: { dtype: string }) => x.dtype === 'float32');
    poison(join(bad, ck.weightsFile), entry.offset);
    // A valid checkpoint of NaN weights (what a diverged run would have saved): its CRC-32 mended.
    if (ck.checksum) {
      ck.checksum.value = crc32(readFileSync(join(bad, ck.weightsFile)));
      writeFileSync(join(bad, 'checkpoint.json'), JSON.stringify(ck));
    }
    const out = join(root, 'nan-run-out');
    mkdirSync(out);
    for (const call of [() => embedRun({ checkpoint: bad, out: join(out, 'e.f32') }), () => evaluateRun({ checkpoint: bad })]) {
      const err = await thrown(call());
      expect(err).toBeInstanceOf(UsageError);
      const msg = (err as Error).message;
      expect(msg.startsWith(`checkpoint: ${join(bad, ck.weightsFile)}: weights hold NaN/Infinity: '`), msg).toBe(true);
      expect(msg).toMatch(/: weights hold NaN\/Infinity: '[^']+'\[0\] = NaN: the run diverged; nothing written$/);
    }
    expect(readdirSync(out)).toEqual([]);
  });

  it('an encoder that gives infinite embeddings (finite weights, overflowing output) is refused by embed and eval', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [6], units: 3, useBias: false, name: 'huge' })] });
    model.layers[0].setWeights([tf.fill([6, 3], 3e38)]);
    const enc = join(root, 'enc-inf');
    const encoder = new Encoder({ model, input: { kind: 'vector', dim: 6 } });
    await encoder.save(enc);
    encoder.dispose();
    const out = join(root, 'inf-out');
    mkdirSync(out);
    const err = await thrown(embedRun({ checkpoint: enc, out: join(out, 'e.f32'), data: csv, label: 'kind' }));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(`checkpoint: '${enc}': the encoder gives non-finite embeddings (150 of 150 rows): the run diverged; nothing written`);
    const err2 = await thrown(evaluateRun({ checkpoint: enc, data: csv, label: 'kind' }));
    expect((err2 as Error).message).toMatch(new RegExp(`^checkpoint: '${enc}': the encoder gives non-finite embeddings \\(\\d+ of \\d+ rows\\): the run diverged; nothing written$`));
    expect(readdirSync(out)).toEqual([]);
  });
});
