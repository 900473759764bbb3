/**
 * The CLI on the user's own data (`--data PATH`), as a user runs it: the built dist/cli/index.js
 * in a child process, on tiny files written here (PNG folders made with sharp, CSV tables).
 * Good data trains, evaluates and embeds with no option beyond the path; every bad input is one
 * line on stderr naming the file (and row or item), exit code 2, and nothing written to --out.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli', 'index.js');
const dir = mkdtempSync(join(tmpdir(), 'contrastive-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** `run` in the background, for the bad-input cases (two at a time). */
function runAsync(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root });
    let out = '', err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out, err }));
  });
}

/** fn over items, `limit` at a time, results in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return out;
}

/** mulberry32: a seeded generator in [0, 1). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const CLASSES = ['circle', 'square', 'stripes'];

/** An h x w image of class c (a red-ish shape on blue, plus seeded noise), `channels` 1 or 3. */
function shape(c: number, h: number, w: number, channels: 1 | 3, random: () => number): Buffer {
  const px = Buffer.alloc(h * w * channels);
  const [cy, cx, r] = [h / 2 + (random() - 0.5) * 4, w / 2 + (random() - 0.5) * 4, Math.min(h, w) / 4];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = c === 0 ? (x - cx) ** 2 + (y - cy) ** 2 < r * r : c === 1 ? Math.abs(x - cx) < r && Math.abs(y - cy) < r : (x >> 2) % 2 === 0;
      const base = inside ? [200, 50 + 60 * c, 40] : [20, 30, 150];
      for (let k = 0; k < channels; k++) {
        const v = channels === 1 ? (inside ? 220 : 30) : base[k];
        px[(y * w + x) * channels + k] = Math.max(0, Math.min(255, Math.round(v + (random() - 0.5) * 60)));
      }
    }
  }
  return px;
}

/** Writes `perClass` PNGs per class into dir/<class>/NN.png; sizes and channels cycle through the lists. */
async function imageFolder(path: string, perClass: number, sizes: [number, number][], channels: (1 | 3)[], seed: number): Promise<void> {
  const random = rng(seed);
  for (let c = 0; c < CLASSES.length; c++) {
    mkdirSync(join(path, CLASSES[c]), { recursive: true });
    for (let k = 0; k < perClass; k++) {
      const [h, w] = sizes[k % sizes.length], ch = channels[k % channels.length];
      const image = sharp(shape(c, h, w, ch, random), { raw: { width: w, height: h, channels: ch } });
      // sharp writes RGB unless told: a 1-channel image must be saved as a grayscale PNG.
      await (ch === 1 ? image.toColourspace('b-w') : image).png().toFile(join(path, CLASSES[c], `${String(k).padStart(2, '0')}.png`));
    }
  }
}

/** A CSV of `rows` rows: x, y (two separable clusters) and the label column `kind`. */
function csv(rows: number, seed: number): string {
  const random = rng(seed);
  let s = 'x,y,kind\n';
  for (let i = 0; i < rows; i++) {
    const a = i % 2 === 0;
    s += `${((a ? 2 : -2) + random()).toFixed(3)},${((a ? -1 : 1) + random()).toFixed(3)},${a ? 'left' : 'right'}\n`;
  }
  return s;
}

const TINY_CNN = ['--widths', '4,8', '--pooling', 'global-average'];

describe('contrastive CLI on --data', () => {
  const images = join(dir, 'shapes');
  beforeAll(async () => {
    await imageFolder(images, 20, [[32, 32]], [3], 1);
  });

  const imageRun = join(dir, 'run-images');
  it('trains on a 32x32 RGB image folder with no option but --data, then evaluates and embeds on the run\'s own data', () => {
    const t = run('train', '--data', images, '--epochs', '1', '--batch-size', '16', '--out', imageRun);
    expect(t.code, t.err).toBe(0);
    expect(t.err).toMatch(/simclr on shapes \(51 images\), cnn backbone/);
    expect(t.err).toMatch(/epoch 1\/1 {2}loss \d/);
    const config = JSON.parse(readFileSync(join(imageRun, 'run.json'), 'utf8'));
    expect(config.input).toEqual({ kind: 'image', height: 32, width: 32, channels: 3 });
    expect([config.data, config.backbone, config.method]).toEqual([images, 'cnn', 'simclr']);

    // Data from run.json. --k: the default 1,10,100 needs more than 100 held-out items (see below).
    const e = run('eval', '--checkpoint', imageRun, '--json', '--k', '1,5');
    expect(e.code, e.err).toBe(0);
    const res = JSON.parse(e.out);
    expect([res.dataset, res.n, res.labelled]).toEqual(['shapes', 9, 51]); // 3 classes x round(20/7) held out
    for (const k of ['knnTop1', 'linearProbeTop1', 'rawPixelKnnTop1']) {
      expect(res[k]).toBeGreaterThanOrEqual(0);
      expect(res[k]).toBeLessThanOrEqual(1);
    }
    expect(res.rawPixelKnnTop1).toBeGreaterThan(0.5); // the shapes are easy; chance is 1/3

    const file = join(dir, 'shapes.f32');
    const m = run('embed', '--checkpoint', imageRun, '--out', file);
    expect(m.code, m.err).toBe(0);
    const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
    expect([meta.rows, meta.dim]).toEqual([60, 256]);
    expect(statSync(file).size).toBe(60 * 256 * 4);
    expect(meta.classNames).toEqual(CLASSES);
    expect(meta.ids.slice(0, 2)).toEqual(['circle/00.png', 'circle/01.png']);
    expect(meta.labels.filter((l: number) => l === 2)).toHaveLength(20);
  });

  // The default retrieval cut-offs (1, 10, 100) are dropped above the held-out count.
  it('evaluates a small folder with the default --k', () => {
    const e = run('eval', '--checkpoint', imageRun, '--json', '--no-baseline');
    expect(e.code, e.err).toBe(0);
  });

  it('resizes a folder of mixed sizes (and mixed gray / colour) to --image-size', async () => {
    const mixed = join(dir, 'mixed');
    await imageFolder(mixed, 8, [[32, 32], [40, 30], [20, 28]], [3, 1], 2);
    const out = join(dir, 'run-mixed');
    const t = run('train', '--data', mixed, '--image-size', '24,24', '--epochs', '1', '--batch-size', '8', ...TINY_CNN, '--out', out);
    expect(t.code, t.err).toBe(0);
    const config = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(config.input).toEqual({ kind: 'image', height: 24, width: 24, channels: 3 });
    expect(config.imageSize).toEqual([24, 24]);
    // embed reads the run's data with its --image-size
    const file = join(dir, 'mixed.f32');
    const m = run('embed', '--checkpoint', out, '--out', file);
    expect(m.code, m.err).toBe(0);
    expect(JSON.parse(readFileSync(`${file}.json`, 'utf8')).rows).toBe(24);
  });

  it('trains on a CSV table with --label (mlp by default) and evaluates it', () => {
    const table = join(dir, 't.csv');
    writeFileSync(table, csv(60, 3));
    const out = join(dir, 'run-csv');
    const t = run('train', '--data', table, '--label', 'kind', '--epochs', '1', '--batch-size', '16', '--out', out);
    expect(t.code, t.err).toBe(0);
    expect(t.err).toMatch(/on t\.csv \(\d+ rows\), mlp backbone/);
    const config = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(config.input).toEqual({ kind: 'vector', dim: 2, columns: ['x', 'y'] });
    expect([config.backbone, config.label]).toEqual(['mlp', 'kind']);
    const e = run('eval', '--checkpoint', out, '--json', '--k', '1,5');
    expect(e.code, e.err).toBe(0);
    const res = JSON.parse(e.out);
    expect(res.n + res.labelled).toBe(60);
    expect(res.rawPixelKnnTop1).toBeGreaterThan(0.8); // two separable clusters
    expect(res.knnTop1).toBeGreaterThanOrEqual(0);
  });

  it('rejects every bad input with one line naming it, exit code 2, and nothing written', async () => {
    // A folder with bytes that are not an image (named .png), one with a truncated PNG, an empty
    // folder, a class folder without images.
    const garbage = join(dir, 'garbage'), truncated = join(dir, 'truncated'), empty = join(dir, 'empty'), emptyClass = join(dir, 'empty-class');
    await imageFolder(garbage, 3, [[16, 16]], [3], 4);
    writeFileSync(join(garbage, 'square', '01.png'), 'this is not an image\n');
    await imageFolder(truncated, 3, [[16, 16]], [3], 5);
    const png = readFileSync(join(truncated, 'stripes', '02.png'));
    writeFileSync(join(truncated, 'stripes', '02.png'), png.subarray(0, Math.floor(png.length / 2)));
    mkdirSync(empty);
    await imageFolder(emptyClass, 2, [[16, 16]], [3], 6);
    mkdirSync(join(emptyClass, 'zzz'));
    const table = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const ragged = table('ragged.csv', 'x,y,kind\n1,2,a\n3,4,b\n5,6\n7,8,a\n');
    const text = table('nonnum.csv', 'x,y,kind\n1,2,a\n3,abc,b\n5,6,a\n');
    const good = table('good.csv', csv(40, 7));
    const unlabelled = table('unlabelled.csv', 'x,y\n1,2\n3,4\n5,6\n7,8\n');
    const jsonl = table('t.jsonl', '{"text":"a red shoe"}\n{"text":"a blue bag"}\n');
    const missing = join(dir, 'no-such-folder');
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

    const out = join(dir, 'must-not-exist');
    const cases: [string[], RegExp][] = [
      [['--data', garbage], new RegExp(`${esc(garbage)}: square/01\\.png: expected a PNG, JPEG or WebP image, found`)],
      [['--data', truncated], new RegExp(`${esc(truncated)}: stripes/02\\.png: expected a PNG, JPEG or WebP image, found`)],
      [['--data', empty], new RegExp(`${esc(empty)}: expected at least one image .* or class folder, found none`)],
      [['--data', emptyClass], new RegExp(`${esc(emptyClass)}: zzz/: expected at least one image .* in every class folder, found none`)],
      [['--data', ragged, '--label', 'kind'], new RegExp(`${esc(ragged)}, row 4: expected 3 fields \\(as the header\\), found 2`)],
      [['--data', text, '--label', 'kind'], new RegExp(`${esc(text)}, row 3: expected a finite number in column 'y', found "abc"`)],
      [['--data', good, '--label', 'nope'], new RegExp(`${esc(good)}: expected a column 'nope' .*found the columns x, y, kind`)],
      [['--data', good], new RegExp(`${esc(good)}, row 2: expected a finite number in column 'kind', found "(left|right)"`)], // label column not named
      [['--data', missing], new RegExp(`${esc(missing)}: expected a folder of images or a \\.csv.*found nothing at this path`)],
      [['--data', good, '--dataset', 'mnist'], /--data: expected --dataset or --data, received both/],
      [['--data', unlabelled, '--method', 'supcon'], /--method: supcon trains with labels, but the data 'unlabelled\.csv' has none \(name the label column with --label\)/],
      [['--data', join(images, 'circle'), '--method', 'triplet'], /--method: triplet trains with labels, but the data 'circle' has none/], // a folder without class folders
      [['--data', good, '--label', 'kind', '--backbone', 'cnn'], /--backbone: expected mlp for items of kind 'vector', received cnn/],
      [['--data', jsonl, '--method', 'mnrl'], new RegExp(`${esc(jsonl)}, line 1: expected text fields anchor/positive/negative, .*found the fields text`)],
      [['--data', jsonl, '--backbone', 'mlp'], /--backbone: expected transformer for texts, received mlp/],
    ];
    const results = await mapLimit(cases, 2, ([args]) => runAsync('train', ...args, '--epochs', '1', '--batch-size', '2', '--out', out));
    cases.forEach(([args, msg], i) => {
      const r = results[i];
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.err, args.join(' ')).toMatch(msg);
    });
    expect(existsSync(out)).toBe(false);

    // eval and embed on bad data: the same line, no report, no embedding file.
    const report = join(dir, 'no-report'), file = join(dir, 'no-embedding.f32');
    const bad = [
      ['eval', '--checkpoint', imageRun, '--data', garbage, '--json', '--report', report],
      ['embed', '--checkpoint', imageRun, '--data', garbage, '--out', file],
      ['embed', '--checkpoint', imageRun, '--data', ragged, '--label', 'kind', '--out', file],
      ['eval', '--checkpoint', imageRun, '--data', good, '--label', 'kind', '--json'],
      ['embed', '--checkpoint', imageRun, '--data', jsonl, '--out', file],
    ];
    const badResults = await mapLimit(bad, 2, (args) => runAsync(...args));
    bad.forEach((args, i) => {
      const r = badResults[i];
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      const want = args.includes(ragged) ? /ragged\.csv, row 4: expected 3 fields/
        : args.includes(good) ? /--data: expected images \(what the run's encoder reads\), received rows of 2 numbers in 'good\.csv'/
        : args.includes(jsonl) ? /--data: expected images \(what the run's encoder reads\), received texts in 't\.jsonl'/
        : /garbage: square\/01\.png: expected a PNG/;
      expect(r.err).toMatch(want);
      expect(r.out).toBe('');
    });
    for (const p of [report, file, `${file}.json`]) expect(existsSync(p), p).toBe(false);
  });
});
