/**
 * Collate: the views of N items -> the encoder input of one view (a tensor, or named tensors).
 * One function per kind of item; each checks that the items fit one tensor and names the first
 * item that does not.
 */
import { tensor2d, tensor4d, type Tensor2D, type Tensor4D } from '@tensorflow/tfjs-core';
import type { Image } from '../augment/image/image.js';
import type { ViewInput } from './batch.js';
import type { ItemSpec } from './source.js';

/** Makes the encoder input of one view from the views of N items. */
export type Collate<View> = (views: readonly View[]) => ViewInput;

/** Images of one shape -> [N, height, width, channels] float32 (NHWC). */
export function collateImages(images: readonly Image[]): Tensor4D {
  if (images.length === 0) throw new Error('collateImages: expected at least one image, received 0');
  const { height, width, channels } = images[0];
  const len = height * width * channels;
  const out = new Float32Array(images.length * len);
  images.forEach((im, i) => {
    if (im.height !== height || im.width !== width || im.channels !== channels || im.data.length !== len) {
      throw new Error(`collateImages: every image of a batch must be ${height}x${width}x${channels}, image ${i} is ${im.height}x${im.width}x${im.channels}`);
    }
    out.set(im.data, i * len);
  });
  return tensor4d(out, [images.length, height, width, channels]);
}

/** Rows of one length -> [N, dim] float32. */
export function collateVectors(rows: readonly ArrayLike<number>[]): Tensor2D {
  if (rows.length === 0) throw new Error('collateVectors: expected at least one row, received 0');
  const dim = rows[0].length;
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    if (r.length !== dim) throw new Error(`collateVectors: every row of a batch must have ${dim} values, row ${i} has ${r.length}`);
    out.set(r, i * dim);
  });
  return tensor2d(out, [rows.length, dim]);
}

/**
 * The collate of items of a kind with no choice to make: images and vectors. Text needs a
 * tokenizer (pass its collate).
 */
export function defaultCollate(spec: ItemSpec): Collate<unknown> {
  if (spec.kind === 'image') return collateImages as Collate<unknown>;
  if (spec.kind === 'vector') return collateVectors as Collate<unknown>;
  throw new Error(`defaultCollate: items of kind '${spec.kind}' need a collate of their own (e.g. a tokenizer's), received none`);
}
