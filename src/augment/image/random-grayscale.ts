/**
 * Random grayscale (SimCLR's colour dropping, Chen et al. 2020, arXiv:2002.05709, Appendix A:
 * RandomGrayscale(p = 0.2) after the colour jitter; torchvision's RandomGrayscale): with
 * probability p a 3-channel image becomes its luma, replicated in the 3 channels. The p draw is
 * made for every image (as torchvision); 1-channel images are returned unchanged (already gray).
 *
 * Luma is ITU-R BT.601: 0.299 R + 0.587 G + 0.114 B, the weights of PIL's convert('L') (torchvision's
 * PIL path); torchvision's tensor path uses 0.2989 for R, a difference of at most 1e-4.
 */
import type { Rng } from '../../util/random.js';
import { checkProbability, type Image, type ImageOp } from './image.js';

/** ITU-R BT.601 luma of one RGB pixel. */
export function luma(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

/** Luma of every pixel of a 3-channel image: [height, width]. */
export function rgbToGrayscale(image: Image): Float32Array {
  checkRgb('rgbToGrayscale', image);
  const { data } = image, n = image.height * image.width;
  const gray = new Float32Array(n);
  for (let i = 0; i < n; i++) gray[i] = luma(data[3 * i], data[3 * i + 1], data[3 * i + 2]);
  return gray;
}

/** Throws unless the image has 3 channels; names the op. */
export function checkRgb(op: string, image: Image): void {
  if (image.channels !== 3) throw new Error(`${op}: image must have 3 channels (RGB), received ${image.channels}`);
}

export class RandomGrayscale implements ImageOp {
  /** @param p probability of turning an image gray. Default 0.2 (SimCLR). */
  constructor(readonly p = 0.2) {
    checkProbability('RandomGrayscale', p);
  }

  apply(image: Image, rng: Rng): Image {
    if (image.channels !== 1 && image.channels !== 3) {
      throw new Error(`RandomGrayscale: image must have 1 or 3 channels, received ${image.channels}`);
    }
    if (!(rng.next() < this.p) || image.channels === 1) return image;
    const gray = rgbToGrayscale(image); // [H, W]
    const out = new Float32Array(image.data.length); // [H, W, 3]
    for (let i = 0; i < gray.length; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = gray[i];
    return { ...image, data: out };
  }
}
