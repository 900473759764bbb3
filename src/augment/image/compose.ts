/** Applies ops in order (torchvision's Compose). */
import type { Rng } from '../../util/random.js';
import type { Image, ImageOp } from './image.js';

export class Compose implements ImageOp {
  constructor(readonly ops: readonly ImageOp[]) {}

  apply(image: Image, rng: Rng): Image {
    return this.ops.reduce((img, op) => op.apply(img, rng), image);
  }
}
