/**
 * SimCLR's augmentation pipeline (Chen et al. 2020, arXiv:2002.05709, Appendix A), adapted to
 * small grayscale images such as Fashion-MNIST's 28x28: random resized crop (scale 0.2-1 instead
 * of 0.08-1), horizontal flip (p 0.5), brightness/contrast jitter (strength 0.4, p 0.8; no
 * saturation or hue on one channel), Gaussian blur (p 0.5, sigma 0.1-1.0 instead of 0.1-2.0),
 * Gaussian noise (std 0.05, p 0.5) and random erasing (p 0.25). Two views of one pipeline.
 */
import { ColorJitter } from '../image/color-jitter.js';
import { Compose } from '../image/compose.js';
import { GaussianBlur } from '../image/gaussian-blur.js';
import { GaussianNoise } from '../image/gaussian-noise.js';
import { RandomHorizontalFlip } from '../image/horizontal-flip.js';
import { RandomErasing } from '../image/random-erasing.js';
import { RandomResizedCrop } from '../image/random-resized-crop.js';
import { MultiView } from '../multi-view.js';

export function simclrTransform(size: [number, number] = [28, 28]): Compose {
  return new Compose([
    new RandomResizedCrop({ size, scale: [0.2, 1] }),
    new RandomHorizontalFlip(0.5),
    new ColorJitter({ brightness: 0.4, contrast: 0.4, p: 0.8 }),
    new GaussianBlur({ sigma: [0.1, 1.0], p: 0.5 }),
    new GaussianNoise(0.05, 0.5),
    new RandomErasing({ p: 0.25 }),
  ]);
}

/** Two views of the SimCLR pipeline. */
export function simclrViews(size: [number, number] = [28, 28]): MultiView {
  const t = simclrTransform(size);
  return new MultiView([t, t]);
}
