/** Random horizontal flip with probability p (SimCLR: p = 0.5). */
import type { Rng } from '../../util/random.js';
import { checkProbability, type Image, type ImageOp } from './image.js';

export class RandomHorizontalFlip implements ImageOp {
  constructor(readonly p = 0.5) {
    checkProbability('RandomHorizontalFlip', p);
  }

  apply(image: Image, rng: Rng): Image {
    if (!(rng.next() < this.p)) return image;
    const { height: H, width: W, channels: C, data } = image;
    const out = new Float32Array(data.length);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        for (let c = 0; c < C; c++) out[(y * W + x) * C + c] = data[(y * W + (W - 1 - x)) * C + c];
      }
    }
    return { ...image, data: out };
  }
}
