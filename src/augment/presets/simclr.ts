/**
 * SimCLR's augmentation pipeline (Chen et al. 2020, arXiv:2002.05709, Appendix A), adapted to
 * small grayscale images such as Fashion-MNIST's 28x28: random resized crop (scale 0.8-1 instead
 * of 0.08-1, aspect ratio 3/4-4/3), horizontal flip (p 0.5), brightness/contrast jitter
 * (strength 0.4, p 0.8; no saturation or hue on one channel), Gaussian blur (p 0.5, sigma 0.1-1.0
 * instead of 0.1-2.0), Gaussian noise (std 0.05, p 0.5) and random erasing (p 0.25). Two views of
 * one pipeline.
 *
 * The crop scale is the one default measured for 28x28 images (BENCHMARKS.md, "SimCLR recipe on
 * Fashion-MNIST"): a 28x28 item has no room for the paper's small crops. With the flattening CNN,
 * weighted-kNN after 15 epochs was 87.0% at scale 0.6-1, 87.2% at 0.8-1 and 87.1% at 1-1 (aspect
 * ratio only); with global average pooling 0.2-1 gave 82.0% and 0.8-1 83.4%. Brightness/contrast
 * jitter matters most among the others: without it kNN fell from 87.3% to 83.6% (40 epochs).
 *
 * `channels: 3` (colour images, e.g. 32x32 RGB folders) adds the paper's full colour distortion:
 * ColorJitter(brightness 0.4, contrast 0.4, saturation 0.4, hue 0.1) with p 0.8, then
 * RandomGrayscale(p 0.2): SimCLR's ColorJitter(0.8 s, 0.8 s, 0.8 s, 0.2 s) at strength s = 0.5, the
 * paper's CIFAR-10 strength (Appendix B.9) and lightly's CIFAR-10 benchmark setting
 * (`SimCLRTransform(input_size=32, cj_strength=0.5)`; solo-learn's CIFAR SimCLR uses strength 1).
 * Crop, flip, blur, noise and erasing are the same as for one channel. `channels: 1` (the
 * default) is the grayscale pipeline above, draw for draw and bit for bit as before the option
 * existed.
 */
import { ColorJitter } from '../image/color-jitter.js';
import { Compose } from '../image/compose.js';
import { GaussianBlur } from '../image/gaussian-blur.js';
import { GaussianNoise } from '../image/gaussian-noise.js';
import { RandomHorizontalFlip } from '../image/horizontal-flip.js';
import { RandomErasing } from '../image/random-erasing.js';
import { RandomGrayscale } from '../image/random-grayscale.js';
import { RandomResizedCrop } from '../image/random-resized-crop.js';
import { MultiView } from '../multi-view.js';

export interface SimclrAugmentOptions {
  /** Output height and width. Default [28, 28]. */
  size?: [number, number];
  /** Area range of the random resized crop, as fractions of the image. Default [0.8, 1]. */
  cropScale?: [number, number];
  /**
   * Channels of the images: 1 (grayscale: brightness/contrast jitter) or 3 (RGB: full colour
   * jitter and random grayscale). Default 1.
   */
  channels?: 1 | 3;
}

export function simclrTransform(options: SimclrAugmentOptions = {}): Compose {
  const { size = [28, 28], cropScale = [0.8, 1], channels = 1 } = options;
  if (channels !== 1 && channels !== 3) throw new Error(`simclrTransform: channels must be 1 or 3, received ${String(channels)}`);
  const colour = channels === 3
    ? [new ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 0.8 }), new RandomGrayscale(0.2)]
    : [new ColorJitter({ brightness: 0.4, contrast: 0.4, p: 0.8 })];
  return new Compose([
    new RandomResizedCrop({ size, scale: cropScale }),
    new RandomHorizontalFlip(0.5),
    ...colour,
    new GaussianBlur({ sigma: [0.1, 1.0], p: 0.5 }),
    new GaussianNoise(0.05, 0.5),
    new RandomErasing({ p: 0.25 }),
  ]);
}

/** Two views of the SimCLR pipeline (options as simclrTransform, `channels` included). */
export function simclrViews(options: SimclrAugmentOptions = {}): MultiView {
  const t = simclrTransform(options);
  return new MultiView([t, t]);
}
