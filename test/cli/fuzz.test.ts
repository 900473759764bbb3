/**
 * A fuzz of the CLI's bad inputs: hundreds of seeded bad argument sets and damaged files for
 * train, embed and eval, each of which must end the same way: exit code 2, exactly one line on
 * stderr (no stack trace) that names the argument (--flag) or the file, and nothing written (the
 * listing and mtimes of the test's folder are unchanged; a given --out is not created).
 *
 * The cases run in-process through `runCli` (fast: every one fails before any training); a few
 * also run through the built bin (dist/cli/index.js) in a child process, for real exit codes.
 * The run they damage is made once here: MNIST, 200 images, 1 epoch, a tiny CNN.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { runCli } from '../../src/cli/run-cli.js';
import { trainRun } from '../../src/train/train-run.js';
import { Rng } from '../../src/util/random.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli', 'index.js');
const work = mkdtempSync(join(tmpdir(), 'contrastive-fuzz-'));
const fx = join(work, 'fixtures'); // inputs: the run, its damaged copies, damaged data files
const outs = join(work, 'out'); // where --out points (nothing may appear here)
const cwd = join(work, 'cwd'); // the working directory of the in-process runs (default run folders would land here)
const run = join(fx, 'run');
const startDir = process.cwd();

/** The tiny run's own settings: a train command with them (and --resume) continues it. */
const RUN_ARGS = ['--dataset', 'mnist', '--limit', '200', '--epochs', '1', '--batch-size', '32', '--widths', '4,8', '--embedding-dim', '16'];

interface Case {
  /** What the case is, for failure messages and counts. */
  category: string;
  args: string[];
  /** The line must contain one of these: the --flag or the file path involved. */
  names: string[];
  /** An --out that must not be created. */
  out?: string;
}

const cases: Case[] = [];
const add = (category: string, args: string[], names: string | string[], out?: string) => {
  cases.push({ category, args, names: Array.isArray(names) ? names : [names], ...(out ? { out } : {}) });
};

// ---------------------------------------------------------------------------------------------
// Files

let fileNo = 0;
/** A new file under fixtures/ with `content`; its path. */
function file(name: string, content: string | Uint8Array): string {
  const dir = join(fx, `f${fileNo++}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A .npy file: the magic, version 1.0, the header (padded to 64 bytes) and `data`. */
function npy(header: string, data: Uint8Array = new Uint8Array(0), magic = '\x93NUMPY'): Uint8Array {
  let h = header;
  const pad = 64 - ((10 + h.length + 1) % 64);
  h += ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + h.length + data.length);
  for (let i = 0; i < 6; i++) out[i] = magic.charCodeAt(i);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, h.length, true);
  for (let i = 0; i < h.length; i++) out[10 + i] = h.charCodeAt(i);
  out.set(data, 10 + h.length);
  return out;
}

const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

/** A w x h RGB PNG with seeded pixels. */
function png(w: number, h: number, rng: Rng): Buffer {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < p.data.length; i++) p.data[i] = i % 4 === 3 ? 255 : rng.int(256);
  return PNG.sync.write(p);
}

/** A folder of 2 classes x 3 PNGs of 8x8; `damage` changes it; the folder's path. */
function imageFolder(rng: Rng, damage: (dir: string) => void): string {
  const dir = join(fx, `f${fileNo++}`, 'images');
  for (const c of ['a', 'b']) {
    mkdirSync(join(dir, c), { recursive: true });
    for (let k = 0; k < 3; k++) writeFileSync(join(dir, c, `${k}.png`), png(8, 8, rng));
  }
  damage(dir);
  return dir;
}

const randomBytes = (rng: Rng, n: number) => Uint8Array.from({ length: n }, () => rng.int(256));

/** Bad --data files: [path, the file to name]. */
function badDataFiles(rng: Rng): [string, string][] {
  const good = 'x,y,kind\n' + Array.from({ length: 40 }, (_, i) => `${(i % 2 ? 1 : -1) + rng.next()},${rng.next()},${i % 2 ? 'a' : 'b'}`).join('\n') + '\n';
  const lines = good.trim().split('\n');
  const out: [string, string][] = [];
  const one = (name: string, content: string | Uint8Array) => {
    const p = file(name, content);
    out.push([p, p]);
  };
  // CSV / TSV
  one('empty.csv', '');
  one('blank.csv', '\n\n\n');
  one('header-only.csv', 'x,y,kind\n');
  one('ragged.csv', [...lines.slice(0, 5), '1.5', ...lines.slice(5)].join('\n'));
  one('long-row.csv', [...lines.slice(0, 5), '1,2,a,4,5', ...lines.slice(5)].join('\n'));
  one('text-cell.csv', [...lines.slice(0, 3), 'abc,0.5,a', ...lines.slice(3)].join('\n'));
  one('nan-cell.csv', [...lines.slice(0, 3), 'NaN,0.5,a', ...lines.slice(3)].join('\n'));
  one('inf-cell.csv', [...lines.slice(0, 3), '1e400,0.5,a', ...lines.slice(3)].join('\n'));
  one('empty-cell.csv', [...lines.slice(0, 3), ',0.5,a', ...lines.slice(3)].join('\n'));
  one('open-quote.csv', `${good.slice(0, 60)}"unclosed,1,2\n${good.slice(60)}`);
  one('truncated.csv', good.slice(0, Math.floor(good.length / 2)).replace(/\n[^\n]*$/, '\n1.5')); // cut inside a row
  one('garbage.csv', randomBytes(rng, 300));
  one('nul.csv', `x,y,kind\n1,\u0000,a\n2,3,b\n`);
  one('garbage.tsv', randomBytes(rng, 200));
  // JSON Lines and text
  one('empty.jsonl', '');
  one('truncated.jsonl', '{"text": "a cat", "label": "x"}\n{"text": "a d');
  one('not-objects.jsonl', '[1, 2]\n"text"\n42\n');
  one('garbage.jsonl', randomBytes(rng, 200));
  one('no-text.jsonl', '{"label": "a"}\n{"label": "b"}\n');
  one('empty.txt', '');
  // .npy
  const good24 = f32(Array.from({ length: 24 }, () => rng.next()));
  one('empty.npy', '');
  one('magic-only.npy', '\x93NUMPY');
  one('bad-magic.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 6), }", good24, 'XXNUMP'));
  one('short-header.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 6), }", good24).subarray(0, 30));
  one('garbage-header.npy', npy('this is no dict', good24));
  one('string-dtype.npy', npy("{'descr': '<U8', 'fortran_order': False, 'shape': (4, 6), }", new Uint8Array(4 * 6 * 32)));
  one('complex-dtype.npy', npy("{'descr': '<c8', 'fortran_order': False, 'shape': (4, 6), }", new Uint8Array(4 * 6 * 8)));
  one('object-dtype.npy', npy("{'descr': '|O', 'fortran_order': False, 'shape': (4, 6), }", new Uint8Array(4 * 6 * 8)));
  one('one-d.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (24,), }", good24));
  one('three-d.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }", good24));
  one('fortran.npy', npy("{'descr': '<f4', 'fortran_order': True, 'shape': (4, 6), }", good24));
  one('truncated-data.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 6), }", good24.subarray(0, 50)));
  one('huge-shape.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000, 100000000000), }", good24));
  one('nan.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 6), }", f32([...Array(10).fill(0.5), NaN, ...Array(13).fill(0.5)])));
  one('garbage.npy', randomBytes(rng, 256));
  // raw float32 with and without a sidecar
  one('no-sidecar.f32', good24);
  for (const [name, sidecar] of [
    ['garbage-sidecar.f32', 'not json {'], ['wrong-rows.f32', '{"rows": 5, "dim": 6}'], ['negative-dim.f32', '{"rows": 4, "dim": -6}'],
    ['string-dim.f32', '{"rows": 4, "dim": "six"}'], ['wrong-labels.f32', '{"rows": 4, "dim": 6, "labels": [0, 1], "classNames": ["a", "b"]}'],
    ['array-sidecar.f32', '[4, 6]'],
  ] as const) {
    const p = file(name, good24);
    writeFileSync(`${p}.json`, sidecar);
    out.push([p, p]); // the message may name the sidecar (p.json), which contains p
  }
  // unknown kinds and missing paths
  one('data.xyz', 'whatever');
  one('noext', randomBytes(rng, 64));
  out.push([join(fx, 'no-such-file.csv'), join(fx, 'no-such-file.csv')]);
  out.push([join(fx, 'no-such-folder', 'x.npy'), join(fx, 'no-such-folder', 'x.npy')]);
  // image folders
  const folder = (damage: (dir: string) => void) => {
    const d = imageFolder(rng, damage);
    out.push([d, d]);
  };
  folder((d) => writeFileSync(join(d, 'a', '1.png'), 'this is not an image\n'));
  folder((d) => writeFileSync(join(d, 'b', '2.png'), readFileSync(join(d, 'b', '2.png')).subarray(0, 40)));
  folder((d) => writeFileSync(join(d, 'a', '0.png'), ''));
  folder((d) => writeFileSync(join(d, 'b', '0.png'), randomBytes(rng, 500)));
  folder((d) => mkdirSync(join(d, 'empty-class')));
  folder((d) => writeFileSync(join(d, 'stray.png'), png(8, 8, rng))); // an image beside the class folders
  folder((d) => {
    // A PNG whose header claims 100000 x 100000 pixels.
    const b = Buffer.from(readFileSync(join(d, 'a', '2.png')));
    b.writeUInt32BE(100000, 16);
    b.writeUInt32BE(100000, 20);
    writeFileSync(join(d, 'a', '2.png'), b);
  });
  folder((d) => {
    for (const c of ['a', 'b']) rmSync(join(d, c), { recursive: true });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Damaged copies of the run

let copyNo = 0;
/** A copy of the run (or of a part of it) under fixtures/, changed by `damage`; its path. */
function runCopy(damage: (dir: string) => void, from = run): string {
  const dir = join(fx, `run${copyNo++}`);
  cpSync(from, dir, { recursive: true });
  damage(dir);
  return dir;
}

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const edit = (path: string, change: (value: any) => unknown) => writeFileSync(path, JSON.stringify(change(json(path))));
const truncate = (path: string) => writeFileSync(path, readFileSync(path).subarray(0, Math.floor(readFileSync(path).length / 2)));
const weightsFile = (dir: string) => join(dir, readdirSync(dir).find((f) => /^weights-.*\.bin$/.test(f))!);

/** Damages of one file, by its kind: [name, damage]. */
function jsonDamages(rng: Rng): [string, (path: string) => void][] {
  return [
    ['garbage bytes', (p) => writeFileSync(p, randomBytes(rng, 200))],
    ['truncated', truncate],
    ['empty', (p) => writeFileSync(p, '')],
    ['null', (p) => writeFileSync(p, 'null')],
    ['an array', (p) => writeFileSync(p, '[1, 2, 3]')],
    ['a string', (p) => writeFileSync(p, '"run"')],
    ['an empty object', (p) => writeFileSync(p, '{}')],
  ];
}

/** Damaged run directories: [dir, the file to name, another it may name]. */
function badRuns(rng: Rng): [string, ...string[]][] {
  const out: [string, ...string[]][] = [];
  // run.json
  const runJson: [string, (v: any) => unknown][] = [
    ['method 42', (v) => ({ ...v, method: 42 })], ['unknown method', (v) => ({ ...v, method: 'simclr2' })],
    ['backbone resnet', (v) => ({ ...v, backbone: 'resnet' })], ['backbone mlp', (v) => ({ ...v, backbone: 'mlp' })], ['backbone 7', (v) => ({ ...v, backbone: 7 })],
    ['method byol', (v) => ({ ...v, method: 'byol', temperature: undefined })], ['temperature for byol', (v) => ({ ...v, method: 'byol' })],
    ['seed text', (v) => ({ ...v, seed: 'zero' })], ['widths text', (v) => ({ ...v, widths: 'abc' })], ['widths [0]', (v) => ({ ...v, widths: [0] })],
    ['widths huge', (v) => ({ ...v, widths: [100000, 100000] })], ['embeddingDim -1', (v) => ({ ...v, embeddingDim: -1 })],
    ['embeddingDim huge', (v) => ({ ...v, embeddingDim: 1e9 })], ['pooling max', (v) => ({ ...v, pooling: 'max' })],
    ['input audio', (v) => ({ ...v, input: { kind: 'audio' } })], ['input NaN height', (v) => ({ ...v, input: { ...v.input, height: null } })],
    ['input text', (v) => ({ ...v, input: { kind: 'text' } })], ['input huge', (v) => ({ ...v, input: { kind: 'image', height: 1e6, width: 1e6, channels: 1 } })],
    ['temperature -1', (v) => ({ ...v, temperature: -1 })], ['cropScale 5', (v) => ({ ...v, cropScale: 5 })],
    ['standardize garbage', (v) => ({ ...v, standardize: { mean: 'x' } })], ['dataset 3', (v) => ({ ...v, dataset: 3 })],
    ['limit -5', (v) => ({ ...v, limit: -5 })], ['channels 2', (v) => ({ ...v, channels: 2 })],
  ];
  for (const [, change] of runJson) {
    const d = runCopy((dir) => edit(join(dir, 'run.json'), change));
    out.push([d, join(d, 'run.json')]);
  }
  for (const [, damage] of jsonDamages(rng)) {
    const d = runCopy((dir) => damage(join(dir, 'run.json')));
    out.push([d, join(d, 'run.json')]);
  }
  // checkpoint.json, beside a good encoder (its state is read)
  for (const [name, damage] of jsonDamages(rng)) {
    if (name === 'an empty object') continue; // read with the encoder: no field is needed
    const d = runCopy((dir) => damage(join(dir, 'checkpoint.json')));
    out.push([d, join(d, 'checkpoint.json')]);
  }
  // checkpoint.json and its weights, without the encoder (the weights are read)
  const noEncoder = (damage: (dir: string) => void) => runCopy((dir) => {
    rmSync(join(dir, 'encoder'), { recursive: true });
    damage(dir);
  });
  const ckDamages: ((dir: string) => void)[] = [
    ...jsonDamages(rng).map(([, damage]) => (dir: string) => damage(join(dir, 'checkpoint.json'))),
    (dir) => edit(join(dir, 'checkpoint.json'), (v) => ({ ...v, entries: 5 })),
    (dir) => edit(join(dir, 'checkpoint.json'), (v) => ({ ...v, weightsFile: 'weights-nope.bin' })),
    (dir) => edit(join(dir, 'checkpoint.json'), (v) => ({ ...v, entries: v.entries.map((e: any) => ({ ...e, shape: [3] })) })),
    (dir) => edit(join(dir, 'checkpoint.json'), (v) => ({ ...v, entries: v.entries.map((e: any) => ({ ...e, dtype: 'float64' })) })),
    (dir) => edit(join(dir, 'checkpoint.json'), (v) => ({ ...v, entries: v.entries.map((e: any) => ({ ...e, offset: 1e12 })) })),
    (dir) => edit(join(dir, 'checkpoint.json'), (v) => ({ ...v, entries: v.entries.slice(0, 3) })),
    (dir) => truncate(weightsFile(dir)),
    (dir) => writeFileSync(weightsFile(dir), ''),
    (dir) => rmSync(weightsFile(dir)),
  ];
  for (const damage of ckDamages) {
    const d = noEncoder(damage);
    out.push([d, join(d, 'checkpoint.json'), join(d, 'weights-')]);
  }
  // another backbone's run: run.json says resnet (the checkpoint holds the cnn's weights)
  const other = noEncoder((dir) => edit(join(dir, 'run.json'), (v) => ({ ...v, backbone: 'resnet', pooling: undefined, widths: undefined, embeddingDim: undefined })));
  out.push([other, other]);
  const wider = noEncoder((dir) => edit(join(dir, 'run.json'), (v) => ({ ...v, widths: [4, 16] })));
  out.push([wider, wider]);
  // a saved encoder alone (no run.json to fall back on)
  for (const [, damage] of jsonDamages(rng)) {
    const d = runCopy((dir) => damage(join(dir, 'encoder.json')), join(run, 'encoder'));
    out.push([d, join(d, 'encoder.json')]);
  }
  const encoderDamages: ((dir: string) => void)[] = [
    (dir) => edit(join(dir, 'encoder.json'), (v) => ({ ...v, format: 'keras' })),
    (dir) => edit(join(dir, 'encoder.json'), (v) => ({ ...v, version: 99 })),
    (dir) => edit(join(dir, 'encoder.json'), (v) => ({ ...v, dim: 'x' })),
    (dir) => edit(join(dir, 'encoder.json'), (v) => ({ ...v, topology: null })),
    (dir) => truncate(join(dir, 'weights.bin')),
    (dir) => {
      const b = readFileSync(join(dir, 'weights.bin'));
      b[100] ^= 0xff;
      writeFileSync(join(dir, 'weights.bin'), b);
    },
    (dir) => rmSync(join(dir, 'weights.bin')),
  ];
  for (const damage of encoderDamages) {
    const d = runCopy(damage, join(run, 'encoder'));
    out.push([d, join(d, 'encoder.json')]);
  }
  // a run whose encoder is damaged and whose checkpoint is gone: nothing to restore
  const gone = runCopy((dir) => {
    writeFileSync(join(dir, 'encoder', 'encoder.json'), 'garbage');
    rmSync(join(dir, 'checkpoint.json'));
  });
  out.push([gone, gone]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bad argument sets

const TRAIN_INTEGERS: [string, number][] = [['--epochs', 1], ['--batch-size', 2], ['--limit', 2], ['--seed', 0], ['--embedding-dim', 0], ['--labels-per-class', 1], ['--m-per-class', 1]];
const TRAIN_NUMBERS = ['--temperature', '--margin', '--lr'];
const TRAIN_FRACTIONS = ['--crop-scale', '--corruption'];
const TRAIN_ENUMS = ['--method', '--backbone', '--pooling', '--mining', '--optimizer', '--dataset', '--channels'];
const EVAL_INTEGERS: [string, number][] = [['--limit', 2], ['--labels-per-class', 1], ['--seed', 0], ['--map-points', 10]];
const EMBED_INTEGERS: [string, number][] = [['--limit', 2], ['--seed', 0]];

function badInteger(rng: Rng, min: number): string {
  const pool = ['abc', '', ' ', '1.5', 'NaN', 'Infinity', '-Infinity', '1e400', '99999999999999999999', '0x10', '12abc', '١٢', String(min - 1), String(-1 - rng.int(1000)), '--', '1,2'];
  return pool[rng.int(pool.length)];
}
function badNumber(rng: Rng): string {
  const pool = ['abc', '', '0', '-1', '-0.001', 'NaN', 'Infinity', '-Infinity', '1e400', '1e-400', '--', 'one'];
  return pool[rng.int(pool.length)];
}
function badFraction(rng: Rng): string {
  const pool = ['abc', '', '0', '-0.5', '1.5', '2', 'NaN', 'Infinity', '1e400', '101%'];
  return pool[rng.int(pool.length)];
}
function badList(rng: Rng): string {
  const pool = ['', ',', '32,,64', '0', '-1', '1.5', 'a,b', '32;64', '1e3', '32, x', '4,0,8', 'NaN'];
  return pool[rng.int(pool.length)];
}
function badWord(rng: Rng): string {
  const pool = ['', 'SIMCLR', 'nope', 'x'.repeat(200), '1', 'cnn2', 'adamw', 'mnist2', '2', 'flatten,global-average', '../etc'];
  return pool[rng.int(pool.length)];
}
function unknownFlag(rng: Rng, command: string): string {
  const common = ['--epoch', '--batchsize', '--lr-rate', '--xyz', '--data-set', '--output', '--verbose', '--gpu', '-z', '-q', '--limitz'];
  const other = command === 'train' ? ['--report', '--json', '--checkpoint', '--whiten', '--k', '--map-points'] : command === 'eval' ? ['--epochs', '--out', '--method', '--resume'] : ['--epochs', '--json', '--report', '--k'];
  const pool = [...common, ...other];
  return pool[rng.int(pool.length)];
}

/** Inserts `extra` at a seeded position between the option pairs of `base`. */
function insert(rng: Rng, base: string[], extra: string[]): string[] {
  const pairs: string[][] = [];
  for (let i = 0; i < base.length; i += 2) pairs.push(base.slice(i, i + 2));
  pairs.splice(rng.int(pairs.length + 1), 0, extra);
  return pairs.flat();
}

function argumentCases(rng: Rng): void {
  const goodImages = imageFolder(rng, () => {});
  const trainBase = () => ['--dataset', 'mnist', '--limit', '200', '--epochs', '1', '--batch-size', '32', '--widths', '4,8', '--embedding-dim', '16', '--out', join(outs, `t${cases.length}`)];
  const evalBase = () => ['--checkpoint', run, '--limit', '200'];
  const embedBase = () => ['--checkpoint', run, '--limit', '200', '--out', join(outs, `e${cases.length}.f32`)];
  const bases: Record<string, () => string[]> = { train: trainBase, eval: evalBase, embed: embedBase };
  const integers: Record<string, [string, number][]> = { train: TRAIN_INTEGERS, eval: EVAL_INTEGERS, embed: EMBED_INTEGERS };
  const without = (base: string[], flag: string) => {
    const i = base.indexOf(flag);
    return i < 0 ? base : [...base.slice(0, i), ...base.slice(i + 2)];
  };
  const outOf = (args: string[]) => {
    const i = args.indexOf('--out');
    return i < 0 ? undefined : args[i + 1];
  };
  for (const command of ['train', 'eval', 'embed']) {
    // wrong types and out-of-range values of every numeric option
    for (const [flag, min] of integers[command]) {
      for (let k = 0; k < 4; k++) {
        const args = [command, ...insert(rng, without(bases[command](), flag), [flag, badInteger(rng, min)])];
        add('wrong type or range', args, flag, outOf(args));
      }
    }
    // unknown flags
    for (let k = 0; k < 8; k++) {
      const flag = unknownFlag(rng, command);
      const args = [command, ...insert(rng, bases[command](), rng.int(2) ? [flag] : [flag, '1'])];
      add('unknown flag', args, flag, outOf(args));
    }
    // a missing value (the flag last)
    const valued = command === 'train' ? [...TRAIN_INTEGERS.map(([f]) => f), ...TRAIN_NUMBERS, ...TRAIN_ENUMS, '--widths', '--out', '--init', '--data', '--label']
      : command === 'eval' ? [...EVAL_INTEGERS.map(([f]) => f), '--k', '--report', '--data', '--checkpoint'] : [...EMBED_INTEGERS.map(([f]) => f), '--out', '--checkpoint', '--data'];
    for (let k = 0; k < 4; k++) {
      const flag = valued[rng.int(valued.length)];
      const args = [command, ...without(bases[command](), flag), flag];
      add('missing value', args, flag, outOf(args));
    }
    // stray arguments and unknown commands
    const stray = ['extra', 'mnist', 'run', '5'][rng.int(4)];
    add('stray argument', [command, ...insert(rng, bases[command](), [stray])], `'${stray}'`, outOf(bases[command]()));
    // --dataset and --data both; --image-size of one or three values; data options that do not apply
    add('conflicting options', [command, ...insert(rng, bases[command](), ['--data', join(fx, 'whatever.csv'), ...(command === 'train' ? [] : ['--dataset', 'mnist'])])], '--data');
    add('wrong list length', [command, ...insert(rng, bases[command](), ['--image-size', ['5', '1,2,3', '4,4,4,4'][rng.int(3)]])], '--image-size');
    add('option that does not apply', [command, ...insert(rng, command === 'train' ? bases[command]() : [...bases[command](), '--dataset', 'mnist'], ['--channels', '3'])], '--channels');
    add('option that does not apply', [command, ...insert(rng, command === 'train' ? bases[command]() : [...bases[command](), '--dataset', 'mnist'], ['--label', 'kind'])], '--label');
    add('wrong type or range', [command, ...insert(rng, bases[command](), ['--image-size', '100000,100000'])], '--image-size');
    add('wrong type or range', [command, ...insert(rng, without(bases[command](), '--dataset'), ['--data', goodImages, '--image-size', ['100000,100000', '8,9000', '20000,1'][rng.int(3)]])], '--image-size');
    add('wrong type or range', [command, ...insert(rng, bases[command](), ['--channels', ['2', '4', '0', 'rgb'][rng.int(4)]])], '--channels');
    add('wrong type or range', [command, ...insert(rng, bases[command](), ['--dataset', badWord(rng)])], '--dataset');
  }
  for (const word of ['trian', 'evaluate', 'Train', 'fit', 'embedd', 'help-me']) add('unknown command', [word, '--dataset', 'mnist'], `'${word}'`);
  // train: numbers, fractions, names and lists
  for (let k = 0; k < 14; k++) {
    const flag = TRAIN_NUMBERS[k % TRAIN_NUMBERS.length];
    const method = flag === '--margin' ? ['--method', 'triplet'] : flag === '--temperature' ? ['--method', 'simclr'] : [];
    const args = ['train', ...insert(rng, [...trainBase(), ...method], [flag, badNumber(rng)])];
    add('wrong type or range', args, flag, outOf(args));
  }
  for (let k = 0; k < 8; k++) {
    const flag = TRAIN_FRACTIONS[k % 2];
    const args = ['train', ...insert(rng, trainBase(), [flag, badFraction(rng)])];
    add('wrong type or range', args, flag, outOf(args));
  }
  for (let k = 0; k < 14; k++) {
    const flag = TRAIN_ENUMS[k % TRAIN_ENUMS.length];
    const args = ['train', ...insert(rng, without(trainBase(), flag), [flag, badWord(rng)])];
    add('wrong type or range', args, flag, outOf(args));
  }
  for (let k = 0; k < 6; k++) {
    const args = ['train', ...insert(rng, without(trainBase(), '--widths'), ['--widths', badList(rng)])];
    add('wrong type or range', args, '--widths', outOf(args));
  }
  for (let k = 0; k < 4; k++) add('wrong type or range', ['eval', ...insert(rng, evalBase(), ['--k', badList(rng)])], '--k');
  // options of other methods
  const unsupervised = ['simclr', 'moco', 'mocov3', 'byol', 'simsiam', 'barlow', 'vicreg', 'nnclr'];
  const noTemperature = ['byol', 'simsiam', 'barlow', 'vicreg', 'triplet', 'siamese'];
  for (let k = 0; k < 10; k++) {
    const method = unsupervised[rng.int(unsupervised.length)];
    const [flag, value] = [['--labels-per-class', '5'], ['--m-per-class', '4'], ['--margin', '0.5']][k % 3];
    const args = ['train', ...insert(rng, [...trainBase(), '--method', method], [flag, value])];
    add('option of another method', args, flag, outOf(args));
  }
  for (let k = 0; k < 4; k++) {
    const args = ['train', ...insert(rng, [...trainBase(), '--method', noTemperature[rng.int(noTemperature.length)]], ['--temperature', '0.3'])];
    add('option of another method', args, '--temperature', outOf(args));
  }
  for (const method of ['simclr', 'supcon', 'siamese']) {
    const args = ['train', ...insert(rng, [...trainBase(), '--method', method], ['--mining', 'batch-hard'])];
    add('option of another method', args, '--mining', outOf(args));
  }
  // values out of range for the data or the machine
  const outRange: [string[], string][] = [
    [['--batch-size', '300'], '--batch-size'], [['--batch-size', '201'], '--batch-size'], [['--batch-size', '100000'], '--batch-size'],
    [['--widths', '100000'], '--widths'], [['--widths', '30000,30000'], '--widths'], [['--widths', '4,8,1000000'], '--widths'],
    [['--embedding-dim', '100000000'], '--embedding-dim'], [['--embedding-dim', '9007199254740991'], '--embedding-dim'],
    [['--method', 'supcon', '--m-per-class', '3', '--batch-size', '40'], '--m-per-class'],
    [['--method', 'supcon', '--m-per-class', '64'], '--m-per-class'],
    [['--method', 'supcon', '--labels-per-class', '1', '--batch-size', '32'], '--batch-size'],
  ];
  for (const [extra, flag] of outRange) {
    let base = trainBase();
    for (let i = 0; i < extra.length; i += 2) base = without(base, extra[i]);
    const args = ['train', ...insert(rng, base, extra)];
    add('out of range', args, flag, outOf(args));
  }
  add('out of range', ['eval', ...evalBase(), '--k', '1000'], '--k');
  add('out of range', ['eval', ...evalBase(), '--k', '1,10,40'], '--k');
  add('out of range', ['train', ...without(trainBase(), '--limit'), '--limit', '1'], '--limit');
  add('out of range', ['train', ...without(trainBase(), '--epochs'), '--epochs', '0'], '--epochs');
  add('out of range', ['train', ...trainBase(), '--lr', '-1'], '--lr');
  // required options
  add('missing required option', ['eval', '--limit', '200'], '--checkpoint');
  add('missing required option', ['embed', '--checkpoint', run], '--out');
  add('missing required option', ['embed', '--out', join(outs, 'e.f32')], ['--checkpoint', '--out'], join(outs, 'e.f32'));
  // paths: --out, --init, --checkpoint, --resume
  const aFile = file('a-file.txt', 'hello\n');
  for (const [out, flag] of [[aFile, '--out'], [join(aFile, 'sub'), '--out'], [join(aFile, 'a', 'b'), '--out']] as const) {
    add('bad output path', ['train', ...without(trainBase(), '--out'), '--out', out], flag);
  }
  for (const out of [join(outs, 'no-such-folder', 'e.f32'), join(aFile, 'e.f32'), outs, fx]) {
    add('bad output path', ['embed', ...without(embedBase(), '--out'), '--out', out], '--out', out === outs || out === fx ? undefined : out);
  }
  add('bad output path', ['train', ...without(trainBase(), '--out'), '--out', run], '--out'); // already holds a run
  for (const report of [aFile, dirname(aFile), run]) add('bad output path', ['eval', ...evalBase(), '--report', report], '--report'); // a file, folders that are not reports
  const resumeOut = join(outs, 'no-run');
  add('bad output path', ['train', ...without(trainBase(), '--out'), '--out', resumeOut, '--resume'], '--resume', resumeOut);
  const empty = join(fx, 'empty-dir');
  mkdirSync(empty, { recursive: true });
  for (const path of [join(fx, 'nothing-here'), empty, aFile]) {
    for (const command of ['eval', 'embed']) {
      const args = [command, ...without(bases[command](), '--checkpoint'), '--checkpoint', path];
      add('bad checkpoint path', args, ['--checkpoint', path], outOf(args));
    }
    add('bad checkpoint path', ['train', ...trainBase(), '--init', path], ['--init', path]);
  }
}

/** The run's damaged copies for eval, embed and train --init; the bad data files for all three. */
function fileCases(rng: Rng): void {
  const embedOut = () => join(outs, `e${cases.length}.f32`);
  const runs = badRuns(rng);
  for (const [dir, ...named] of runs) {
    add('damaged run (eval)', ['eval', '--checkpoint', dir, '--limit', '200'], [...named, '--checkpoint']);
    const out = embedOut();
    add('damaged run (embed)', ['embed', '--checkpoint', dir, '--limit', '200', '--out', out], [...named, '--checkpoint'], out);
  }
  // --init from a damaged run (those with a run.json and a checkpoint to read)
  const inits = runs.filter(([dir]) => existsSync(join(dir, 'run.json')) && existsSync(join(dir, 'checkpoint.json')));
  for (const [dir, ...named] of inits.filter((_, i) => i % 3 === 0)) {
    const out = join(outs, `init${cases.length}`);
    add('damaged run (train --init)', ['train', ...RUN_ARGS, '--init', dir, '--out', out], [...named, '--init'], out);
  }
  // --resume of a run whose checkpoint is damaged (its run.json intact): refused before anything is written
  const resumable = runs.filter(([dir, ...named]) => existsSync(join(dir, 'run.json')) && named.some((n) => /(checkpoint\.json|weights-[^/]*\.bin)$/.test(n)) && !named.some((n) => n.endsWith('run.json')));
  for (const [dir, ...named] of resumable) add('damaged run (train --resume)', ['train', ...RUN_ARGS, '--out', dir, '--resume'], [...named, '--out']);
  // --resume with another optimizer, learning rate or batch size than the run was trained with
  const good = runCopy(() => {});
  for (const [flag, value] of [['--lr', '0.5'], ['--lr', '1e-4'], ['--optimizer', 'sgd'], ['--optimizer', 'lars'], ['--batch-size', '16'], ['--seed', '9'], ['--method', 'moco']]) {
    const args = [...RUN_ARGS, '--out', good, '--resume'];
    const at = args.indexOf(flag);
    if (at >= 0) args[at + 1] = value;
    else args.push(flag, value);
    add('resume with other settings', ['train', ...args], [flag, '--resume']);
  }
  for (const [path, named] of badDataFiles(rng)) {
    const out = join(outs, `d${cases.length}`);
    const label = /\.(csv|tsv)$/.test(path) ? ['--label', 'kind'] : [];
    add('damaged data (train)', ['train', '--data', path, ...label, '--epochs', '1', '--batch-size', '2', '--widths', '4,8', '--out', out], [named, '--data'], out);
    if (rng.int(2) === 0) add('damaged data (eval)', ['eval', '--checkpoint', run, '--data', path, ...label], [named, '--data']);
    else {
      const e = embedOut();
      add('damaged data (embed)', ['embed', '--checkpoint', run, '--data', path, ...label, '--out', e], [named, '--data'], e);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Running and checking

/** Every path under `dir` with its kind, size and mtime. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = lstatSync(p);
      out.set(p, `${s.isDirectory() ? 'd' : 'f'} ${s.size} ${s.mtimeMs}`);
      if (s.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [p, v] of after) if (before.get(p) !== v) out.push(`${before.has(p) ? 'changed' : 'created'} ${p}`);
  for (const p of before.keys()) if (!after.has(p)) out.push(`removed ${p}`);
  return out;
}

/** runCli in-process, with everything written to the process's streams captured too. */
async function runInProcess(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const [writeOut, writeErr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((chunk: string | Uint8Array) => ((out += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((err += chunk.toString()), true)) as typeof process.stderr.write;
  try {
    const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
    return { code, out, err };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}

/** What is wrong with a case's result (empty: it passed). */
function problems(c: Case, r: { code: number | null; out: string; err: string }, written: string[]): string[] {
  const p: string[] = [];
  if (r.code !== 2) p.push(`exit code ${r.code}, expected 2`);
  if (!/^[^\n]+\n$/.test(r.err)) p.push(`stderr is not one line: ${JSON.stringify(r.err.slice(0, 600))}`);
  if (/\n\s+at /.test(r.err)) p.push('stderr holds a stack trace');
  if (!c.names.some((n) => r.err.includes(n))) p.push(`stderr names none of ${c.names.join(', ')}: ${JSON.stringify(r.err.slice(0, 300))}`);
  if (r.out !== '') p.push(`stdout is not empty: ${JSON.stringify(r.out.slice(0, 200))}`);
  if (written.length) p.push(`wrote: ${written.slice(0, 5).join('; ')}`);
  if (c.out && existsSync(c.out)) p.push(`created --out ${c.out}`);
  return p;
}

beforeAll(async () => {
  mkdirSync(outs, { recursive: true });
  mkdirSync(cwd, { recursive: true });
  await trainRun({ dataset: 'mnist', limit: 200, epochs: 1, batchSize: 32, widths: [4, 8], embeddingDim: 16, out: run });
  const rng = new Rng(20240607);
  argumentCases(rng);
  fileCases(rng);
  process.chdir(cwd);
});

afterAll(() => {
  process.chdir(startDir);
  rmSync(work, { recursive: true, force: true });
});

describe('contrastive CLI fuzz: bad arguments and damaged files', () => {
  it('generates at least 200 cases over train, embed and eval', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    for (const command of ['train', 'eval', 'embed']) expect(cases.filter((c) => c.args[0] === command).length).toBeGreaterThan(40);
  });

  it('every case: exit 2, one line naming the argument or the file, nothing written', async () => {
    const failures: string[] = [];
    for (const c of cases) {
      const before = snapshot(work);
      const r = await runInProcess(c.args);
      const written = changes(before, snapshot(work));
      const p = problems(c, r, written);
      if (p.length) failures.push(`[${c.category}] ${c.args.join(' ')}\n    ${p.join('\n    ')}`);
    }
    const byCategory = new Map<string, number>();
    for (const c of cases) byCategory.set(c.category, (byCategory.get(c.category) ?? 0) + 1);
    console.log(`${cases.length} cases: ${[...byCategory].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    expect(failures, `${failures.length} of ${cases.length} cases failed:\n${failures.join('\n')}`).toEqual([]);
  });

  it('the bin: a bare contrastive prints the help on stderr (exit 2), --help on stdout (exit 0), bad inputs one line (exit 2)', () => {
    const spawn = (...args: string[]) => {
      const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    const bare = spawn();
    expect(bare.code).toBe(2);
    expect(bare.out).toBe('');
    expect(bare.err).toMatch(/^Usage: contrastive \[options\] \[command\][\s\S]*Commands:[\s\S]*train[\s\S]*embed[\s\S]*eval/);
    const help = spawn('--help');
    expect(help.code).toBe(0);
    expect(help.err).toBe('');
    expect(help.out).toBe(bare.err);
    const picked = [
      cases.find((c) => c.category === 'unknown flag')!,
      cases.find((c) => c.category === 'bad output path' && c.args[0] === 'train')!,
      cases.find((c) => c.category === 'damaged run (eval)' && c.names[0].endsWith('checkpoint.json'))!,
      cases.find((c) => c.category === 'damaged data (train)')!,
    ];
    const failures: string[] = [];
    for (const c of picked) {
      const before = snapshot(work);
      const r = spawn(...c.args);
      const p = problems(c, r, changes(before, snapshot(work)));
      if (p.length) failures.push(`[${c.category}] ${c.args.join(' ')}\n    ${p.join('\n    ')}`);
    }
    expect(failures).toEqual([]);
  });
});
