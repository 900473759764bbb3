/**
 * Embeds every image of an in-memory image data set: `embed` over `imageSource(data)` (pixels
 * scaled to [0, 1], NHWC float32 in, [size, D] float32 out).
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import type { ViewInput } from '../data/batch.js';
import type { ImageDataset } from '../data/image-dataset.js';
import { imageSource } from '../data/image-source.js';
import type { Embeddings } from '../eval/knn.js';
import { embed, type Embedder, type EmbedOptions } from './embed.js';

export type { EmbedOptions } from './embed.js';

/** `encode` maps [n, H, W, C] images to [n, D] (e.g. `x => method.embed(x)`). */
export function embedDataset(
  data: ImageDataset, encode: ((x: Tensor) => Tensor2D) | { embed(x: ViewInput): Tensor2D },
  options: Omit<EmbedOptions<never>, 'collate'> = {},
): Embeddings {
  try {
    return embed(imageSource(data), encode as Embedder, options);
  } catch (e) {
    throw new Error((e as Error).message.replace(/^embed:/, 'embedDataset:'));
  }
}
