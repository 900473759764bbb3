/**
 * Random erasing (Zhong et al. 2020, arXiv:1708.04896): with probability p, a rectangle of random
 * area (fraction `scale` of the image) and aspect ratio (log-uniform in `ratio`) is set to `value`.
 * Defaults as torchvision's RandomErasing: p 0.5, scale [0.02, 0.33], ratio [0.3, 3.3], value 0.
 */
import type { Rng } from '../../util/random.js';
import { checkProbability, checkRange, uniform, type Image, type ImageOp } from './image.js';

export interface RandomErasingOptions {
  p?: number;
  scale?: [number, number];
  ratio?: [number, number];
  value?: number;
}

export class RandomErasing implements ImageOp {
  readonly p: number;
  readonly scale: [number, number];
  readonly ratio: [number, number];
  readonly value: number;

  constructor(options: RandomErasingOptions = {}) {
    const { p = 0.5, scale = [0.02, 0.33], ratio = [0.3, 3.3], value = 0 } = options;
    checkProbability('RandomErasing', p);
    checkRange('RandomErasing', 'scale', scale, 0, 1);
    checkRange('RandomErasing', 'ratio', ratio, Number.MIN_VALUE, Number.MAX_VALUE);
    if (!Number.isFinite(value)) throw new Error(`RandomErasing: value must be finite, received ${value}`);
    this.p = p;
    this.scale = scale;
    this.ratio = ratio;
    this.value = value;
  }

  apply(image: Image, rng: Rng): Image {
    if (!(rng.next() < this.p)) return image;
    const { height: H, width: W, channels: C } = image;
    for (let attempt = 0; attempt < 10; attempt++) {
      const area = H * W * uniform(rng, this.scale[0], this.scale[1]);
      const aspect = Math.exp(uniform(rng, Math.log(this.ratio[0]), Math.log(this.ratio[1])));
      const h = Math.round(Math.sqrt(area * aspect)), w = Math.round(Math.sqrt(area / aspect));
      if (h < 1 || w < 1 || h > H || w > W) continue;
      const top = rng.int(H - h + 1), left = rng.int(W - w + 1);
      const out = Float32Array.from(image.data);
      for (let y = top; y < top + h; y++) out.fill(this.value, (y * W + left) * C, (y * W + left + w) * C);
      return { ...image, data: out };
    }
    return image;
  }
}
