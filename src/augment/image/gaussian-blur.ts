/**
 * Gaussian blur with probability p and sigma ~ U[sigma] (SimCLR, Chen et al. 2020, Appendix A:
 * p = 0.5, sigma in [0.1, 2.0], kernel 10% of the image side). Separable, odd kernel of
 * 2 * ceil(3 sigma_max) + 1 taps at most and at least 3, borders replicated. On 28x28 images the
 * default sigma range is [0.1, 1.0]: a sigma of 2 erases most of the detail of a 28-pixel image.
 */
import type { Rng } from '../../util/random.js';
import { checkProbability, checkRange, uniform, type Image, type ImageOp } from './image.js';

export interface GaussianBlurOptions {
  /** Range of sigma in pixels. Default [0.1, 1.0]. */
  sigma?: [number, number];
  /** Probability of blurring an image. Default 0.5. */
  p?: number;
}

export class GaussianBlur implements ImageOp {
  readonly sigma: [number, number];
  readonly p: number;

  constructor(options: GaussianBlurOptions = {}) {
    const { sigma = [0.1, 1.0], p = 0.5 } = options;
    checkRange('GaussianBlur', 'sigma', sigma, Number.MIN_VALUE, 100);
    checkProbability('GaussianBlur', p);
    this.sigma = sigma;
    this.p = p;
  }

  apply(image: Image, rng: Rng): Image {
    if (!(rng.next() < this.p)) return image;
    return blur(image, uniform(rng, this.sigma[0], this.sigma[1]));
  }
}

/** Normalised 1-D Gaussian taps for sigma, radius ceil(3 sigma) (at least 1). */
export function gaussianKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

/** Separable Gaussian blur with replicated borders. */
export function blur(image: Image, sigma: number): Image {
  const { height: H, width: W, channels: C, data } = image;
  const k = gaussianKernel(sigma), r = (k.length - 1) / 2;
  const tmp = new Float32Array(data.length), out = new Float32Array(data.length);
  const clamp = (v: number, n: number) => (v < 0 ? 0 : v >= n ? n - 1 : v);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let i = -r; i <= r; i++) s += k[i + r] * data[(y * W + clamp(x + i, W)) * C + c];
        tmp[(y * W + x) * C + c] = s;
      }
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let i = -r; i <= r; i++) s += k[i + r] * tmp[(clamp(y + i, H) * W + x) * C + c];
        out[(y * W + x) * C + c] = s;
      }
  return { ...image, data: out };
}
