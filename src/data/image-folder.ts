/**
 * A folder of the user's images as an `ImageDataset` (then `imageSource()` makes it a source).
 *
 * Layout (torchvision `ImageFolder`'s):
 * - `dir/<class>/<image>`: one sub-folder per class; classes sorted by name (code-unit order),
 *   label = index in that order. Images in deeper folders (`dir/<class>/a/b.png`) belong to their
 *   top-level class, as torchvision's walk does. A class folder without any image is a DataError
 *   (an empty class is almost always a mistake, and skipping it would shift every later label).
 * - `dir/<image>`: no sub-folders, so no classes: every label is -1 (unlabelled; ImageDataset
 *   requires labels) and `classNames` is []. Images next to class folders are a DataError: which
 *   class they belong to is not clear.
 * Images are `.png`, `.jpg`, `.jpeg`, `.webp` (any letter case) whose content is PNG, JPEG or WebP;
 * other files (a README, labels.csv) are ignored, and so are hidden files and folders (`.name`).
 * Order: by class, then by relative path (code-unit order); `ids` are positions, `paths` the
 * relative paths with '/', `name` the folder's base name.
 *
 * Pixels: 8 bits per channel (16-bit PNGs are scaled to 8 bits). EXIF orientation is not applied
 * (as PIL, so torchvision, loads them). Alpha is removed, not blended: a pixel keeps its stored
 * colour, as PIL's `convert('RGB')` in torchvision's loader. Colour to 1 channel is ITU-R 601-2 luma
 * with PIL's rounding (`convert('L')`, torchvision's Grayscale); 1 channel to 3 repeats it.
 * An image of the target size is not resized, so its pixels are the file's exactly.
 *
 * Decoder: sharp (libvips), because its npm package ships prebuilt binaries (nothing to compile,
 * no system libraries), decodes PNG (1-16 bit, palette, alpha), JPEG (also progressive and CMYK)
 * and WebP, resizes with antialiasing, and works off the JavaScript thread; pngjs reads only PNG and
 * the pure-JavaScript JPEG decoders are several times slower.
 */
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { DataError } from './data-error.js';
import type { ImageDataset } from './image-dataset.js';

export interface ImageFolderOptions {
  /** [height, width] of every image. Default: the most common size (ties: the first image's in order). */
  size?: readonly [number, number];
  /** Channels of every image. Default: 3 when any image has colour, else 1. */
  channels?: 1 | 3;
  /** Resize images of another size (default true); false: another size is a DataError. */
  resize?: boolean;
  /**
   * How to resize (bilinear with antialiasing): 'fill' (default) stretches to [height, width] as
   * torchvision's `Resize((h, w))`; 'cover' scales the shorter side and crops the centre.
   */
  fit?: 'fill' | 'cover';
  /** Images decoded at the same time (default 8). */
  concurrency?: number;
  /** Called after each decoded image. */
  onProgress?: (done: number, total: number) => void;
}

const OPTION_KEYS = ['size', 'channels', 'resize', 'fit', 'concurrency', 'onProgress'];
const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];
const IMAGE_FORMATS = ['png', 'jpeg', 'webp'];
const AN_IMAGE = 'a PNG, JPEG or WebP image';

/** One image file: its path relative to the folder (with '/') and its class (-1: none). */
interface Entry { rel: string; label: number }
/** What its header says. */
interface Header { height: number; width: number; gray: boolean }

export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageDataset> {
  checkOptions(options);
  const { resize = true, fit = 'fill', concurrency = 8, onProgress } = options;
  const { entries, classNames } = listFolder(dir);

  const headers = await mapLimit(entries, concurrency, (e) => readHeader(dir, e.rel));
  const [height, width] = options.size ?? mostCommonSize(headers);
  const channels = options.channels ?? (headers.some((h) => !h.gray) ? 3 : 1);
  if (!resize) {
    const k = headers.findIndex((h) => h.height !== height || h.width !== width);
    if (k >= 0) {
      const like = options.size ? '(options.size)' : 'as most images';
      throw new DataError(dir, `${height}x${width} pixels (height x width) ${like}, since options.resize is false`,
        `${headers[k].height}x${headers[k].width}`, { item: entries[k].rel });
    }
  }

  const len = height * width * channels;
  if (entries.length * len > 2 ** 32 - 1) {
    throw new DataError(dir, `at most 4 GiB of pixels`, `${entries.length} images of ${height}x${width}x${channels} bytes: choose a smaller options.size`);
  }
  const images = new Uint8Array(entries.length * len); // [n, height, width, channels]
  let done = 0;
  await mapLimit(entries, concurrency, async (e, i) => {
    const h = headers[i];
    let pipeline = sharp(join(dir, e.rel), { failOn: 'error' });
    if (h.height !== height || h.width !== width) {
      pipeline = pipeline.resize({ width, height, fit, kernel: 'linear', fastShrinkOnLoad: false });
    }
    let decoded: { data: Buffer; info: OutputInfo };
    try {
      decoded = await pipeline.toColourspace(h.gray ? 'b-w' : 'srgb').removeAlpha().raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
    } catch (err) {
      throw new DataError(dir, AN_IMAGE, `a file that cannot be decoded (${(err as Error).message})`, { item: e.rel });
    }
    const { data, info } = decoded;
    const from = h.gray ? 1 : 3;
    if (info.width !== width || info.height !== height || info.channels !== from) {
      throw new DataError(dir, `${height}x${width}x${from} decoded pixels`, `${info.height}x${info.width}x${info.channels}`, { item: e.rel });
    }
    convertChannels(data, from, images.subarray(i * len, (i + 1) * len), channels);
    onProgress?.(++done, entries.length);
  });

  const paths = entries.map((e) => e.rel);
  return {
    name: basename(resolve(dir)), images, labels: Int32Array.from(entries, (e) => e.label),
    ids: Int32Array.from(entries, (_, i) => i), height, width, channels, classNames, size: entries.length, paths,
  };
}

function checkOptions(options: ImageFolderOptions): void {
  const fail = (name: string, expected: string, received: unknown): never => {
    throw new Error(`loadImageFolder: options.${name} must be ${expected}, received ${JSON.stringify(received) ?? String(received)}`);
  };
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new Error(`loadImageFolder: unknown option '${key}', expected one of ${OPTION_KEYS.join(', ')}`);
  }
  const { size, channels, resize, fit, concurrency, onProgress } = options;
  if (size !== undefined && !(Array.isArray(size) && size.length === 2 && size.every((v) => Number.isInteger(v) && v > 0))) {
    fail('size', '[height, width], positive integers', size);
  }
  if (channels !== undefined && channels !== 1 && channels !== 3) fail('channels', '1 or 3', channels);
  if (resize !== undefined && typeof resize !== 'boolean') fail('resize', 'a boolean', resize);
  if (fit !== undefined && fit !== 'fill' && fit !== 'cover') fail('fit', "'fill' or 'cover'", fit);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) fail('concurrency', 'a positive integer', concurrency);
  if (onProgress !== undefined && typeof onProgress !== 'function') fail('onProgress', 'a function', typeof onProgress);
}

/** The image files of the folder, in order, with their labels; see the file comment. */
function listFolder(dir: string): { entries: Entry[]; classNames: string[] } {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw new DataError(dir, 'a folder of images', 'nothing at this path');
  }
  if (!stat.isDirectory()) throw new DataError(dir, 'a folder of images', 'a file');
  const top = readFolder(dir);
  const folders = top.filter((d) => isFolder(dir, d)).map((d) => d.name).sort(byCodeUnit);
  const loose = top.filter((d) => isImageFile(dir, d)).map((d) => d.name).sort(byCodeUnit);
  const kinds = IMAGE_EXTENSIONS.join(', ');
  if (folders.length === 0) {
    if (loose.length === 0) throw new DataError(dir, `at least one image (${kinds}) or class folder`, 'none');
    return { entries: loose.map((rel) => ({ rel, label: -1 })), classNames: [] };
  }
  if (loose.length > 0) {
    throw new DataError(dir, 'either images directly in the folder (unlabelled) or one sub-folder per class',
      `both (${loose[0]} and ${folders[0]}/)`);
  }
  const entries: Entry[] = [];
  folders.forEach((name, label) => {
    const rels: string[] = [];
    walk(dir, name, rels, new Set([realpathSync(dir)]));
    if (rels.length === 0) throw new DataError(dir, `at least one image (${kinds}) in every class folder`, 'none', { item: `${name}/` });
    for (const rel of rels.sort(byCodeUnit)) entries.push({ rel, label });
  });
  return { entries, classNames: folders };
}

/** Adds the relative paths of the images under `dir/rel` to `out`, visiting each real folder once. */
function walk(dir: string, rel: string, out: string[], seen: Set<string>): void {
  const real = realpathSync(join(dir, rel));
  if (seen.has(real)) return; // a link back up: visited already
  seen.add(real);
  for (const d of readFolder(dir, rel)) {
    const child = `${rel}/${d.name}`;
    if (isFolder(join(dir, rel), d)) walk(dir, child, out, seen);
    else if (isImageFile(join(dir, rel), d)) out.push(child);
  }
}

/** The visible entries of `dir/rel` (rel undefined: of `dir`). */
function readFolder(dir: string, rel?: string): Dirent[] {
  try {
    return readdirSync(rel === undefined ? dir : join(dir, rel), { withFileTypes: true }).filter((d) => !d.name.startsWith('.'));
  } catch (err) {
    const found = `a folder that cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
    throw new DataError(dir, 'a readable folder', found, rel === undefined ? undefined : { item: `${rel}/` });
  }
}

/** A folder, or a link to one. */
function isFolder(parent: string, d: Dirent): boolean {
  if (d.isDirectory()) return true;
  if (!d.isSymbolicLink()) return false;
  try {
    return statSync(join(parent, d.name)).isDirectory();
  } catch {
    return false; // a broken link
  }
}

/** A file (or a link to one) named like an image. */
function isImageFile(parent: string, d: Dirent): boolean {
  const dot = d.name.lastIndexOf('.');
  if (dot <= 0 || !IMAGE_EXTENSIONS.includes(d.name.slice(dot).toLowerCase())) return false;
  if (d.isFile()) return true;
  if (!d.isSymbolicLink()) return false;
  try {
    return statSync(join(parent, d.name)).isFile();
  } catch {
    return false;
  }
}

async function readHeader(dir: string, rel: string): Promise<Header> {
  let meta: Metadata;
  try {
    meta = await sharp(join(dir, rel)).metadata();
  } catch (err) {
    throw new DataError(dir, AN_IMAGE, `a file that cannot be read as one (${(err as Error).message})`, { item: rel });
  }
  if (!IMAGE_FORMATS.includes(meta.format ?? '')) throw new DataError(dir, AN_IMAGE, `a ${meta.format} file`, { item: rel });
  if (!meta.width || !meta.height) throw new DataError(dir, AN_IMAGE, 'no size in its header', { item: rel });
  return { height: meta.height, width: meta.width, gray: meta.space === 'b-w' || meta.space === 'grey16' };
}

/** The most common [height, width]; a tie goes to the size of the first image in order. */
function mostCommonSize(headers: readonly Header[]): [number, number] {
  const key = (h: Header) => `${h.height}x${h.width}`;
  const count = new Map<string, number>();
  for (const h of headers) count.set(key(h), (count.get(key(h)) ?? 0) + 1);
  const max = Math.max(...count.values());
  const best = headers.find((h) => count.get(key(h)) === max)!;
  return [best.height, best.width];
}

/** Pixels with `from` channels (1 or 3) into `out` with `to` channels (1 or 3). */
function convertChannels(src: Uint8Array, from: number, out: Uint8Array, to: number): void {
  if (from === to) {
    out.set(src);
  } else if (from === 1) {
    for (let p = 0; p < src.length; p++) out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = src[p];
  } else {
    // PIL's L = R * 299/1000 + G * 587/1000 + B * 114/1000, in its 16-bit fixed point.
    for (let p = 0; p < out.length; p++) {
      out[p] = (src[3 * p] * 19595 + src[3 * p + 1] * 38470 + src[3 * p + 2] * 7471 + 0x8000) >> 16;
    }
  }
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * fn over items, at most `limit` at a time; results in item order. After a failure no new item
 * starts, the started ones finish, and the error of the first failed item in order is thrown, so
 * the message does not depend on timing.
 */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  const errors = new Map<number, unknown>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (errors.size === 0 && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (err) {
        errors.set(i, err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.size > 0) throw errors.get(Math.min(...errors.keys()));
  return out;
}
