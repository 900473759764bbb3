/**
 * Embeds every image of a data set with an encoder, in batches (bounded memory), in inference
 * mode: pixels scaled to [0, 1], NHWC float32 in, [size, D] float32 out.
 */
import { tensor4d, tidy, type Tensor, type Tensor2D } from '@tensorflow/tfjs-core';
import type { ImageDataset } from '../data/image-dataset.js';
import { imageLength } from '../data/image-dataset.js';
import type { Embeddings } from '../eval/knn.js';

export interface EmbedOptions {
  /** Images per forward pass. Default 512. */
  batchSize?: number;
  /** Called after each batch with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** `encode` maps [n, H, W, C] images to [n, D] (e.g. `x => method.embed(x)`). */
export function embedDataset(data: ImageDataset, encode: (x: Tensor) => Tensor2D, options: EmbedOptions = {}): Embeddings {
  const { batchSize = 512, onProgress } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`embedDataset: batchSize must be an integer >= 1, received ${batchSize}`);
  const len = imageLength(data);
  let out: Float32Array | null = null;
  let dim = 0;
  const pixels = new Float32Array(Math.min(batchSize, data.size) * len);
  for (let s = 0; s < data.size; s += batchSize) {
    const n = Math.min(batchSize, data.size - s);
    const src = data.images.subarray(s * len, (s + n) * len);
    for (let i = 0; i < src.length; i++) pixels[i] = src[i] / 255;
    const z = tidy(() => encode(tensor4d(pixels.subarray(0, n * len), [n, data.height, data.width, data.channels])));
    if (z.rank !== 2 || z.shape[0] !== n) {
      z.dispose();
      throw new Error(`embedDataset: encode must return [${n}, D], returned [${z.shape}]`);
    }
    if (!out) {
      dim = z.shape[1];
      out = new Float32Array(data.size * dim);
    }
    out.set(z.dataSync() as Float32Array, s * dim);
    z.dispose();
    onProgress?.(s + n, data.size);
  }
  return { values: out ?? new Float32Array(0), dim };
}
