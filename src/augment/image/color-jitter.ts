/**
 * Colour jitter, applied with probability p (SimCLR's colour distortion, Chen et al. 2020,
 * arXiv:2002.05709, Appendix A: ColorJitter(0.8 s, 0.8 s, 0.8 s, 0.2 s) with p = 0.8 for strength s;
 * torchvision's ColorJitter inside RandomApply).
 *
 * - brightness multiplies by b ~ U[1 - brightness, 1 + brightness];
 * - contrast blends with the image's mean by c ~ U[1 - contrast, 1 + contrast]: mean + c (x - mean);
 * - saturation blends with the grayscale image by s ~ U[1 - saturation, 1 + saturation]:
 *   gray + s (x - gray), gray the BT.601 luma 0.299 R + 0.587 G + 0.114 B (see random-grayscale.ts);
 * - hue shifts the hue in HSV by h ~ U[-hue, hue] (a fraction of the colour wheel), as
 *   torchvision's adjust_hue.
 *
 * Two code paths, chosen by the options and the image:
 *
 * 1. Brightness and contrast only (saturation = hue = 0, or a 1-channel image): draws p, b, c, then
 *    a coin for brightness-before-contrast; the mean is over all values; one clip to [0, 1] at the
 *    end. This is the op as it was before saturation and hue existed, kept draw for draw and bit
 *    for bit, so existing seeds reproduce. On 1-channel images saturation and hue are skipped (a
 *    gray image has none; torchvision returns 1-channel images unchanged from both), and the op is
 *    exactly this path whatever their values.
 * 2. Colour (saturation or hue > 0 on a 3-channel image), as torchvision: draws p, then the order
 *    of the four adjustments (a uniform permutation, torchvision's fn_idx = randperm(4), 3 draws),
 *    then b, c, s, h (one draw each, always); applies them in that order, each in torchvision's
 *    form ratio x + (1 - ratio) other and clipped to [0, 1]; an adjustment of strength 0 is skipped.
 *    Contrast uses the mean luma for its mean (torchvision's adjust_contrast on RGB).
 *
 * Saturation and hue with an image of neither 1 nor 3 channels throw.
 */
import type { Rng } from '../../util/random.js';
import { checkProbability, uniform, type Image, type ImageOp } from './image.js';
import { luma, rgbToGrayscale } from './random-grayscale.js';

export interface ColorJitterOptions {
  /** Brightness strength in [0, 1]. Default 0.4 (SimCLR strength 0.5). */
  brightness?: number;
  /** Contrast strength in [0, 1]. Default 0.4. */
  contrast?: number;
  /** Saturation strength in [0, 1]; 3-channel images only. Default 0 (SimCLR strength 0.5: 0.4). */
  saturation?: number;
  /** Hue strength in [0, 0.5]; 3-channel images only. Default 0 (SimCLR strength 0.5: 0.1). */
  hue?: number;
  /** Probability of jittering an image. Default 0.8. */
  p?: number;
}

/** The factors of one colour-path jitter, drawn after p (torchvision's ColorJitter.get_params). */
export interface ColorJitterParams {
  /** The order of the adjustments: 0 brightness, 1 contrast, 2 saturation, 3 hue. */
  order: number[];
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
}

export class ColorJitter implements ImageOp {
  readonly brightness: number;
  readonly contrast: number;
  readonly saturation: number;
  readonly hue: number;
  readonly p: number;

  constructor(options: ColorJitterOptions = {}) {
    const { brightness = 0.4, contrast = 0.4, saturation = 0, hue = 0, p = 0.8 } = options;
    for (const [name, v] of [['brightness', brightness], ['contrast', contrast], ['saturation', saturation]] as const) {
      if (!(v >= 0 && v <= 1)) throw new Error(`ColorJitter: ${name} must be in [0, 1], received ${v}`);
    }
    if (!(hue >= 0 && hue <= 0.5)) throw new Error(`ColorJitter: hue must be in [0, 0.5], received ${hue}`);
    checkProbability('ColorJitter', p);
    this.brightness = brightness;
    this.contrast = contrast;
    this.saturation = saturation;
    this.hue = hue;
    this.p = p;
  }

  /** Whether saturation or hue is on (the colour path on 3-channel images). */
  get colour(): boolean {
    return this.saturation !== 0 || this.hue !== 0;
  }

  apply(image: Image, rng: Rng): Image {
    if (this.colour && image.channels !== 1 && image.channels !== 3) {
      throw new Error(`ColorJitter: saturation and hue need 1- or 3-channel images, received ${image.channels} channels`);
    }
    if (!(rng.next() < this.p)) return image;
    if (!this.colour || image.channels === 1) return this.brightnessContrast(image, rng);
    const params = this.sampleParams(rng);
    let out = image;
    for (const fn of params.order) {
      if (fn === 0 && this.brightness !== 0) out = adjustBrightness(out, params.brightness);
      else if (fn === 1 && this.contrast !== 0) out = adjustContrast(out, params.contrast);
      else if (fn === 2 && this.saturation !== 0) out = adjustSaturation(out, params.saturation);
      else if (fn === 3 && this.hue !== 0) out = adjustHue(out, params.hue);
    }
    return out === image ? { ...image, data: Float32Array.from(image.data) } : out;
  }

  /** The colour path's draws after p: the order (3 draws), then b, c, s, h. */
  sampleParams(rng: Rng): ColorJitterParams {
    const order = rng.shuffle([0, 1, 2, 3]);
    const brightness = uniform(rng, 1 - this.brightness, 1 + this.brightness);
    const contrast = uniform(rng, 1 - this.contrast, 1 + this.contrast);
    const saturation = uniform(rng, 1 - this.saturation, 1 + this.saturation);
    const hue = uniform(rng, -this.hue, this.hue);
    return { order, brightness, contrast, saturation, hue };
  }

  /** Path 1, after the p draw: the op as before saturation and hue (do not change: seeds depend on it). */
  private brightnessContrast(image: Image, rng: Rng): Image {
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

const clip = (v: number) => Math.min(1, Math.max(0, v));

/** factor x, clipped to [0, 1] (torchvision's adjust_brightness). Any channel count. */
export function adjustBrightness(image: Image, factor: number): Image {
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = clip(factor * image.data[i]);
  return { ...image, data: out };
}

/**
 * factor x + (1 - factor) mean, clipped to [0, 1] (torchvision's adjust_contrast): the mean luma
 * on 3-channel images, the mean value otherwise.
 */
export function adjustContrast(image: Image, factor: number): Image {
  const { data } = image;
  let mean = 0;
  if (image.channels === 3) {
    const gray = rgbToGrayscale(image);
    for (let i = 0; i < gray.length; i++) mean += gray[i];
    mean /= gray.length || 1;
  } else {
    for (let i = 0; i < data.length; i++) mean += data[i];
    mean /= data.length || 1;
  }
  const out = new Float32Array(data.length);
  for (let i = 0; i < out.length; i++) out[i] = clip(factor * data[i] + (1 - factor) * mean);
  return { ...image, data: out };
}

/**
 * factor x + (1 - factor) gray per pixel, clipped to [0, 1] (torchvision's adjust_saturation):
 * 0 gives the grayscale image in 3 channels, 1 the image. 1-channel images come back unchanged.
 */
export function adjustSaturation(image: Image, factor: number): Image {
  if (image.channels === 1) return image;
  const { data } = image, n = image.height * image.width;
  const out = new Float32Array(data.length);
  for (let i = 0; i < n; i++) {
    const gray = Math.fround(luma(data[3 * i], data[3 * i + 1], data[3 * i + 2]));
    for (let c = 0; c < 3; c++) out[3 * i + c] = clip(factor * data[3 * i + c] + (1 - factor) * gray);
  }
  return { ...image, data: out };
}

/**
 * Shifts every pixel's hue by `factor` turns, factor in [-0.5, 0.5] (torchvision's adjust_hue:
 * RGB -> HSV, h = (h + factor) mod 1, HSV -> RGB; saturation and value kept). The shift is
 * reduced to [0, 1) first, so +0.5 and -0.5 give identical output. 1-channel images come back
 * unchanged.
 */
export function adjustHue(image: Image, factor: number): Image {
  if (!(factor >= -0.5 && factor <= 0.5)) throw new Error(`adjustHue: factor must be in [-0.5, 0.5], received ${factor}`);
  if (image.channels === 1) return image;
  if (image.channels !== 3) throw new Error(`adjustHue: image must have 1 or 3 channels, received ${image.channels}`);
  const shift = factor - Math.floor(factor); // [0, 1)
  const { data } = image, n = image.height * image.width;
  const out = new Float32Array(data.length);
  for (let i = 0; i < n; i++) {
    const r = data[3 * i], g = data[3 * i + 1], b = data[3 * i + 2];
    // RGB -> HSV (torchvision's _rgb2hsv)
    const maxc = Math.max(r, g, b), minc = Math.min(r, g, b), cr = maxc - minc;
    const v = maxc;
    let h = 0, s = 0;
    if (cr > 0) {
      s = cr / maxc;
      const rc = (maxc - r) / cr, gc = (maxc - g) / cr, bc = (maxc - b) / cr;
      const h6 = maxc === r ? bc - gc : maxc === g ? 2 + rc - bc : 4 + gc - rc; // [-1, 5)
      h = (h6 / 6 + 1) % 1;
    }
    // shift
    h += shift;
    if (h >= 1) h -= 1;
    // HSV -> RGB (torchvision's _hsv2rgb)
    const h6 = h * 6, k = Math.floor(h6), f = h6 - k;
    const p = clip(v * (1 - s)), q = clip(v * (1 - s * f)), t = clip(v * (1 - s * (1 - f)));
    let rr: number, gg: number, bb: number;
    switch (k % 6) {
      case 0: [rr, gg, bb] = [v, t, p]; break;
      case 1: [rr, gg, bb] = [q, v, p]; break;
      case 2: [rr, gg, bb] = [p, v, t]; break;
      case 3: [rr, gg, bb] = [p, q, v]; break;
      case 4: [rr, gg, bb] = [t, p, v]; break;
      default: [rr, gg, bb] = [v, p, q];
    }
    out[3 * i] = clip(rr);
    out[3 * i + 1] = clip(gg);
    out[3 * i + 2] = clip(bb);
  }
  return { ...image, data: out };
}
