#!/usr/bin/env node
/**
 * Writes a built-in data set as a labelled image folder, the layout `contrastive --data DIR` reads:
 *   <out>/<label>-<class name, filesystem-safe>/<package position, zero-padded>.png
 * e.g. fashion-mnist/0-T-shirt_top/00000.png ... fashion-mnist/9-Ankle_boot/69999.png: 8-bit
 * grayscale PNGs (sharp), pixels exactly the loader's (dist/data/*.js).
 *
 * Why this naming: the folder loader (src/data/image-folder.ts) sorts class folders by name and
 * the files of a class by path, so
 * - the label prefix makes the class folders sort in label order (labels equal the built-in ones);
 * - zero-padded positions make the files of a class sort in the package's order, and the built-in
 *   sets are stored class by class, so item i of the folder is item i of the built-in source; the
 *   stratified split (src/data/split.ts: per class seeded shuffles), the --limit sample and the
 *   batch order then pick the same images.
 * The folder source's classNames are the folder names ('0-T-shirt_top', ...), not the built-in
 * names ('T-shirt/top'); labels and everything computed from them are the same.
 *
 * Usage: node bench/export-png.mjs [fashion-mnist|mnist] [out]   (default: fashion-mnist,
 *        bench/results/<name>-png). Needs `npm run build` first. Refuses a non-empty out.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadFashionMnist } from '../dist/data/fashion-mnist.js';
import { loadMnist } from '../dist/data/mnist.js';

const LOADERS = { 'fashion-mnist': loadFashionMnist, mnist: loadMnist };
const name = process.argv[2] ?? 'fashion-mnist';
if (!(name in LOADERS)) {
  console.error(`export-png: expected a data set name (${Object.keys(LOADERS).join(' or ')}), received ${JSON.stringify(name)}`);
  process.exit(2);
}
const out = process.argv[3] ?? join('bench', 'results', `${name}-png`);
if (existsSync(out) && readdirSync(out).length > 0) {
  console.error(`export-png: ${out} is not empty; remove it or choose another folder`);
  process.exit(2);
}

const data = LOADERS[name]();
const { height, width, channels, size } = data;
if (channels !== 1) throw new Error(`export-png: expected grayscale images, ${name} has ${channels} channels`);
// Labels must run class by class in ascending order, so that per-class file order is package order
// and the folder's item i is the data set's item i.
for (let i = 1; i < size; i++) {
  if (data.labels[i] < data.labels[i - 1]) throw new Error(`export-png: ${name} is not stored class by class (item ${i})`);
}
const safe = (s) => s.replace(/[^A-Za-z0-9._-]+/g, '_');
const labelDigits = String(data.classNames.length - 1).length;
const folders = data.classNames.map((c, k) => `${String(k).padStart(labelDigits, '0')}-${safe(c)}`);
const idDigits = String(Math.max(...data.ids)).length;
for (const f of folders) mkdirSync(join(out, f), { recursive: true });

const P = height * width;
const started = Date.now();
let next = 0, done = 0;
async function worker() {
  while (next < size) {
    const i = next++;
    const file = join(out, folders[data.labels[i]], `${String(data.ids[i]).padStart(idDigits, '0')}.png`);
    const pixels = Buffer.from(data.images.buffer, data.images.byteOffset + i * P, P);
    await sharp(pixels, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toFile(file); // else sharp writes RGB
    if (++done % 10000 === 0) process.stderr.write(`${done}/${size} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }
}
await Promise.all(Array.from({ length: 8 }, worker));
console.log(`wrote ${size} ${height}x${width} grayscale PNGs of ${name} in ${folders.length} class folders (${folders.join(', ')}) to ${out}`);
