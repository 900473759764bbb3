import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/data-error.js';
import { loadImageFolder } from '../../src/data/image-folder.js';
import { imageSource } from '../../src/data/image-source.js';

const root = mkdtempSync(join(tmpdir(), 'image-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** A new empty folder under the tmp root. */
function folder(): string {
  const dir = join(root, `f${folders++}`);
  mkdirSync(dir);
  return dir;
}

/** Deterministic pseudo-random bytes. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** Writes raw pixels [h, w, c] as an image file (c = 1: a true grayscale file). */
async function write(path: string, pixels: Uint8Array, h: number, w: number, c: 1 | 2 | 3 | 4, format: 'png' | 'jpeg' | 'webp' = 'png'): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true });
  let img = sharp(Buffer.from(pixels), { raw: { width: w, height: h, channels: c } });
  if (c <= 2) img = img.toColourspace('b-w');
  img = format === 'png' ? img.png() : format === 'jpeg' ? img.jpeg({ quality: 100 }) : img.webp({ lossless: true });
  await img.toFile(path);
}

/** A loader promise's DataError message (and a check that it is one line and a DataError). */
async function message(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  const msg = (err as Error).message;
  expect(msg).not.toMatch(/\n/);
  return msg;
}

describe('loadImageFolder: labelled folders', () => {
  it('reads an MNIST-like grayscale PNG folder bit-exact, classes sorted, hidden and other files ignored', async () => {
    const dir = folder();
    const pix = [0, 1, 2, 3, 4].map((k) => bytes(28 * 28, k + 1));
    await write(join(dir, 'seven', 'b.png'), pix[0], 28, 28, 1);
    await write(join(dir, 'seven', 'a.PNG'), pix[1], 28, 28, 1);
    await write(join(dir, 'one', 'x.png'), pix[2], 28, 28, 1);
    await write(join(dir, 'one', 'deeper', 'y.png'), pix[3], 28, 28, 1); // belongs to 'one'
    await write(join(dir, 'one', '.hidden.png'), pix[4], 28, 28, 1);
    await write(join(dir, '.trash', 'z.png'), pix[4], 28, 28, 1);
    writeFileSync(join(dir, 'one', 'notes.txt'), 'not an image');
    writeFileSync(join(dir, 'README.md'), 'not an image');
    expect((await sharp(join(dir, 'one', 'x.png')).metadata()).channels).toBe(1); // a true 1-channel file

    const d = await loadImageFolder(dir);
    expect(d.classNames).toEqual(['one', 'seven']);
    expect(d.paths).toEqual(['one/deeper/y.png', 'one/x.png', 'seven/a.PNG', 'seven/b.png']);
    expect(Array.from(d.labels)).toEqual([0, 0, 1, 1]);
    expect(Array.from(d.ids)).toEqual([0, 1, 2, 3]);
    expect([d.size, d.height, d.width, d.channels, d.name]).toEqual([4, 28, 28, 1, 'f0']);
    [3, 2, 1, 0].forEach((k, i) => expect(d.images.subarray(i * 784, (i + 1) * 784)).toEqual(pix[k]));

    const s = imageSource(d);
    expect(s.spec).toEqual({ kind: 'image', height: 28, width: 28, channels: 1 });
    expect(s.id(2)).toBe('seven/a.PNG');
    expect(s.item(3).data[5]).toBeCloseTo(pix[0][5] / 255, 6);
  });

  it('reads RGB PNG, RGBA PNG (alpha removed, colour kept), lossless WebP bit-exact; JPEG as sharp decodes it', async () => {
    const dir = folder();
    const rgb = bytes(5 * 7 * 3, 11), rgba = bytes(5 * 7 * 4, 12), webp = bytes(5 * 7 * 3, 13), jpg = bytes(5 * 7 * 3, 14);
    await write(join(dir, 'c', '1.png'), rgb, 5, 7, 3);
    await write(join(dir, 'c', '2.png'), rgba, 5, 7, 4);
    await write(join(dir, 'c', '3.webp'), webp, 5, 7, 3, 'webp');
    await write(join(dir, 'c', '4.JPEG'), jpg, 5, 7, 3, 'jpeg');
    const d = await loadImageFolder(dir);
    expect([d.height, d.width, d.channels, d.size]).toEqual([5, 7, 3, 4]);
    const at = (i: number) => d.images.subarray(i * 105, (i + 1) * 105);
    expect(at(0)).toEqual(rgb);
    expect(at(1)).toEqual(Uint8Array.from({ length: 105 }, (_, k) => rgba[Math.floor(k / 3) * 4 + (k % 3)]));
    expect(at(2)).toEqual(webp);
    const decoded = await sharp(join(dir, 'c', '4.JPEG')).raw().toBuffer();
    expect(at(3)).toEqual(new Uint8Array(decoded));
  });

  it('reads grayscale + alpha PNG as 1 channel, alpha removed', async () => {
    const dir = folder();
    const ga = bytes(3 * 2 * 2, 41);
    await write(join(dir, 'k', 'a.png'), ga, 3, 2, 2);
    const d = await loadImageFolder(dir);
    expect(d.channels).toBe(1);
    expect(d.images).toEqual(Uint8Array.from({ length: 6 }, (_, p) => ga[2 * p]));
  });

  it('reads 16-bit grayscale PNG as 8 bits', async () => {
    const dir = folder();
    const v8 = bytes(4 * 4, 21);
    const v16 = Uint16Array.from(v8, (v) => v * 257);
    mkdirSync(join(dir, 'k'));
    const png = new PNG({ width: 4, height: 4 });
    png.data = v16 as unknown as Buffer; // pngjs takes 16-bit samples as a Uint16Array
    writeFileSync(join(dir, 'k', 'a.png'), PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 16, inputHasAlpha: false }));
    expect((await sharp(join(dir, 'k', 'a.png')).metadata()).depth).toBe('ushort');
    const d = await loadImageFolder(dir);
    expect(d.channels).toBe(1);
    expect(d.images).toEqual(v8);
  });

  it('gray and colour images: 3 channels by default (gray repeated), or 1 with PIL luma', async () => {
    const dir = folder();
    const gray = bytes(3 * 3, 31), rgb = bytes(3 * 3 * 3, 32);
    await write(join(dir, 'a', 'g.png'), gray, 3, 3, 1);
    await write(join(dir, 'b', 'c.png'), rgb, 3, 3, 3);
    const d3 = await loadImageFolder(dir);
    expect(d3.channels).toBe(3);
    expect(d3.images.subarray(0, 27)).toEqual(Uint8Array.from({ length: 27 }, (_, k) => gray[Math.floor(k / 3)]));
    expect(d3.images.subarray(27)).toEqual(rgb);
    const d1 = await loadImageFolder(dir, { channels: 1 });
    expect(d1.channels).toBe(1);
    expect(d1.images.subarray(0, 9)).toEqual(gray);
    // PIL: L = round(R * 299/1000 + G * 587/1000 + B * 114/1000), within its fixed-point rounding.
    const luma = Uint8Array.from({ length: 9 }, (_, p) => Math.round(rgb[3 * p] * 0.299 + rgb[3 * p + 1] * 0.587 + rgb[3 * p + 2] * 0.114));
    Array.from(d1.images.subarray(9)).forEach((v, p) => expect(Math.abs(v - luma[p])).toBeLessThanOrEqual(1));
    expect(d1.images[9]).toBe((rgb[0] * 19595 + rgb[1] * 38470 + rgb[2] * 7471 + 0x8000) >> 16);
  });
});

describe('loadImageFolder: sizes', () => {
  it('resizes to the most common size; ties go to the first image in order; options.size and fit', async () => {
    const dir = folder();
    await write(join(dir, 'a', '1.png'), bytes(10 * 12, 1), 10, 12, 1);
    await write(join(dir, 'a', '2.png'), bytes(8 * 6, 2), 8, 6, 1);
    await write(join(dir, 'b', '3.png'), bytes(8 * 6, 3), 8, 6, 1);
    const d = await loadImageFolder(dir);
    expect([d.height, d.width]).toEqual([8, 6]);
    expect(d.images.subarray(48, 96)).toEqual(bytes(48, 2)); // already the size: untouched
    expect(d.images.length).toBe(3 * 48);

    await write(join(dir, 'b', '4.png'), bytes(10 * 12, 4), 10, 12, 1); // a tie 2-2: a/1.png is first
    const tie = await loadImageFolder(dir);
    expect([tie.height, tie.width]).toEqual([10, 12]);

    const small = await loadImageFolder(dir, { size: [4, 5], fit: 'cover' });
    expect([small.height, small.width, small.size, small.images.length]).toEqual([4, 5, 4, 80]);
  });

  it('a constant image stays constant when resized (fill)', async () => {
    const dir = folder();
    await write(join(dir, 'a', '1.png'), new Uint8Array(9 * 9).fill(200), 9, 9, 1);
    const d = await loadImageFolder(dir, { size: [4, 6] });
    expect(Array.from(new Set(d.images))).toEqual([200]);
  });

  it('resize: false rejects the first image of another size', async () => {
    const dir = folder();
    await write(join(dir, 'a', '1.png'), bytes(8 * 6, 1), 8, 6, 1);
    await write(join(dir, 'a', '2.png'), bytes(8 * 6, 2), 8, 6, 1);
    await write(join(dir, 'b', '3.png'), bytes(7 * 6, 3), 7, 6, 1);
    await write(join(dir, 'b', '4.png'), bytes(5 * 5, 3), 5, 5, 1);
    expect(await message(loadImageFolder(dir, { resize: false }))).toBe(
      `${dir}: b/3.png: expected 8x6 pixels (height x width) as most images, since options.resize is false, found 7x6`);
    expect(await message(loadImageFolder(dir, { resize: false, size: [7, 6] }))).toBe(
      `${dir}: a/1.png: expected 7x6 pixels (height x width) (options.size), since options.resize is false, found 8x6`);
  });
});

describe('loadImageFolder: unlabelled folders, progress', () => {
  it('images directly in the folder: labels -1, no class names, paths in order', async () => {
    const dir = join(folder(), 'my photos');
    await write(join(dir, 'b.jpg'), bytes(4 * 4 * 3, 1), 4, 4, 3, 'jpeg');
    await write(join(dir, 'a.png'), bytes(4 * 4 * 3, 2), 4, 4, 3);
    const calls: [number, number][] = [];
    const d = await loadImageFolder(dir, { onProgress: (done, total) => calls.push([done, total]), concurrency: 1 });
    expect(Array.from(d.labels)).toEqual([-1, -1]);
    expect(d.classNames).toEqual([]);
    expect(d.paths).toEqual(['a.png', 'b.jpg']);
    expect(d.name).toBe('my photos');
    expect(calls).toEqual([[1, 2], [2, 2]]);
  });
});

describe('loadImageFolder: errors', () => {
  it('a missing folder, a file, an empty folder', async () => {
    const dir = folder();
    expect(await message(loadImageFolder(join(dir, 'nope')))).toBe(`${join(dir, 'nope')}: expected a folder of images, found nothing at this path`);
    writeFileSync(join(dir, 'file.png'), 'x');
    expect(await message(loadImageFolder(join(dir, 'file.png')))).toBe(`${join(dir, 'file.png')}: expected a folder of images, found a file`);
    const empty = folder();
    writeFileSync(join(empty, 'notes.txt'), 'x');
    writeFileSync(join(empty, '.hidden.png'), 'x');
    expect(await message(loadImageFolder(empty))).toBe(
      `${empty}: expected at least one image (.png, .jpg, .jpeg, .webp) or class folder, found none`);
  });

  it('an empty class folder, images beside class folders', async () => {
    const dir = folder();
    await write(join(dir, 'cat', '1.png'), bytes(16, 1), 4, 4, 1);
    mkdirSync(join(dir, 'dog', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'dog', 'sub', 'a.txt'), 'x');
    expect(await message(loadImageFolder(dir))).toBe(
      `${dir}: dog/: expected at least one image (.png, .jpg, .jpeg, .webp) in every class folder, found none`);
    rmSync(join(dir, 'dog'), { recursive: true });
    await write(join(dir, 'loose.png'), bytes(16, 1), 4, 4, 1);
    expect(await message(loadImageFolder(dir))).toBe(
      `${dir}: expected either images directly in the folder (unlabelled) or one sub-folder per class, found both (loose.png and cat/)`);
  });

  it('a corrupt, a truncated, a non-image file; the first in order is named whatever the timing', async () => {
    const dir = folder();
    for (let k = 0; k < 12; k++) await write(join(dir, 'a', `${k}.png`), bytes(16, k), 4, 4, 1);
    writeFileSync(join(dir, 'a', '5.png'), 'this is not a PNG');
    writeFileSync(join(dir, 'a', '9.png'), 'neither is this');
    expect(await message(loadImageFolder(dir))).toBe(
      `${dir}: a/5.png: expected a PNG, JPEG or WebP image, found a file that cannot be read as one (Input file contains unsupported image format)`);

    const dir2 = folder();
    const big = bytes(64 * 64 * 3, 7);
    await write(join(dir2, 'a', 'ok.png'), big, 64, 64, 3);
    const png = await sharp(Buffer.from(big), { raw: { width: 64, height: 64, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    writeFileSync(join(dir2, 'a', 'cut.png'), png.subarray(0, png.length >> 1));
    const msg = await message(loadImageFolder(dir2));
    expect(msg).toMatch(new RegExp(`^${dir2}: a/cut.png: expected a PNG, JPEG or WebP image, found a file that cannot be decoded \\(.+\\)$`));

    const dir3 = folder();
    await sharp(Buffer.from(bytes(48, 1)), { raw: { width: 4, height: 4, channels: 3 } }).gif().toFile(join(dir3, 'anim.png'));
    expect(await message(loadImageFolder(dir3))).toBe(`${dir3}: anim.png: expected a PNG, JPEG or WebP image, found a gif file`);
  });

  it('bad options name the option, the expected and the received value', async () => {
    const dir = folder();
    await expect(loadImageFolder(dir, { size: [0, 4] })).rejects.toThrow('loadImageFolder: options.size must be [height, width], positive integers, received [0,4]');
    await expect(loadImageFolder(dir, { channels: 2 as 1 })).rejects.toThrow('loadImageFolder: options.channels must be 1 or 3, received 2');
    await expect(loadImageFolder(dir, { fit: 'contain' as 'fill' })).rejects.toThrow(`loadImageFolder: options.fit must be 'fill' or 'cover', received "contain"`);
    await expect(loadImageFolder(dir, { concurrency: 0 })).rejects.toThrow('loadImageFolder: options.concurrency must be a positive integer, received 0');
    await expect(loadImageFolder(dir, { sise: [2, 2] } as object)).rejects.toThrow(
      "loadImageFolder: unknown option 'sise', expected one of size, channels, resize, fit, concurrency, onProgress");
  });
});
