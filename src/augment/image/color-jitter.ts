/**
 * Brightness and contrast jitter, applied with probability p (SimCLR's colour distortion, Chen et
 * al. 2020, Appendix A, without saturation and hue, which grayscale images do not have):
 * brightness multiplies by b ~ U[1 - brightness, 1 + brightness]; contrast blends with the image's
 * mean by c ~ U[1 - contrast, 1 + contrast]: mean + c (x - mean); the two in random order, result
 * clipped to [0, 1]. SimCLR's strength-1 values are 0.8 and 0.8 with p = 0.8.
 */
import type { Rng } from '../../util/random.js';
import { checkProbability, uniform, type Image, type ImageOp } from './image.js';

export interface ColorJitterOptions {
  /** Brightness strength in [0, 1]. Default 0.4 (SimCLR strength 0.5). */
  brightness?: number;
  /** Contrast strength in [0, 1]. Default 0.4. */
  contrast?: number;
  /** Probability of jittering an image. Default 0.8. */
  p?: number;
}

export class ColorJitter implements ImageOp {
  readonly brightness: number;
  readonly contrast: number;
  readonly p: number;

  constructor(options: ColorJitterOptions = {}) {
    const { brightness = 0.4, contrast = 0.4, p = 0.8 } = options;
    for (const [name, v] of [['brightness', brightness], ['contrast', contrast]] as const) {
      if (!(v >= 0 && v <= 1)) throw new Error(`ColorJitter: ${name} must be in [0, 1], received ${v}`);
    }
    checkProbability('ColorJitter', p);
    this.brightness = brightness;
    this.contrast = contrast;
    this.p = p;
  }

  apply(image: Image, rng: Rng): Image {
    if (!(rng.next() < this.p)) return image;
    const b = uniform(rng, 1 - this.brightness, 1 + this.brightness);
    const c = uniform(rng, 1 - this.contrast, 1 + this.contrast);
    const brightnessFirst = rng.next() < 0.5;
    const out = Float32Array.from(image.data);
    const scale = () => { for (let i = 0; i < out.length; i++) out[i] *= b; };
    const blend = () => {
      let mean = 0;
      for (let i = 0; i < out.length; i++) mean += out[i];
      mean /= out.length || 1;
      for (let i = 0; i < out.length; i++) out[i] = mean + c * (out[i] - mean);
    };
    if (brightnessFirst) { scale(); blend(); } else { blend(); scale(); }
    for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i]));
    return { ...image, data: out };
  }
}
