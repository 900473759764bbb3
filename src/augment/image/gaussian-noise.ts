/** Additive Gaussian noise N(0, std^2) with probability p, clipped to [0, 1]. Defaults std 0.05, p 0.5. */
import type { Rng } from '../../util/random.js';
import { checkProbability, gaussian, type Image, type ImageOp } from './image.js';

export class GaussianNoise implements ImageOp {
  constructor(readonly std = 0.05, readonly p = 0.5) {
    if (!(std >= 0) || !Number.isFinite(std)) throw new Error(`GaussianNoise: std must be a finite number >= 0, received ${std}`);
    checkProbability('GaussianNoise', p);
  }

  apply(image: Image, rng: Rng): Image {
    if (!(rng.next() < this.p)) return image;
    const out = new Float32Array(image.data.length);
    for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, image.data[i] + this.std * gaussian(rng)));
    return { ...image, data: out };
  }
}
