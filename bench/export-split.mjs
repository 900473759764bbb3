#!/usr/bin/env node
/**
 * Writes the seeded stratified Fashion-MNIST split (src/data/split.ts: 60,000 train / 10,000
 * test, seed 0) as raw files for the PyTorch reference (bench/simclr_torch.py), so that both
 * sides train and evaluate on exactly the same images:
 *   <dir>/train_x.bin.gz, test_x.bin.gz   uint8 [n, 28, 28], gzip
 *   <dir>/train_y.bin, test_y.bin         uint8 labels
 * Usage: node bench/export-split.mjs [dir]   (default bench/results/fashion-mnist-split)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadFashionMnist, stratifiedSplit } from '../dist/node.js';

const dir = process.argv[2] ?? join('bench', 'results', 'fashion-mnist-split');
mkdirSync(dir, { recursive: true });
const data = loadFashionMnist();
const split = stratifiedSplit(data.labels);
const P = data.height * data.width * data.channels;
for (const [name, idx] of [['train', split.train], ['test', split.test]]) {
  const x = new Uint8Array(idx.length * P);
  const y = new Uint8Array(idx.length);
  idx.forEach((j, i) => {
    x.set(data.images.subarray(j * P, (j + 1) * P), i * P);
    y[i] = data.labels[j];
  });
  writeFileSync(join(dir, `${name}_x.bin.gz`), gzipSync(x));
  writeFileSync(join(dir, `${name}_y.bin`), y);
}
console.log(`wrote ${split.train.length} train and ${split.test.length} test images to ${dir}`);
