/**
 * Random resized crop (Szegedy et al. 2015; SimCLR, Chen et al. 2020, arXiv:2002.05709, Appendix A):
 * a crop of random area (a fraction `scale` of the image) and aspect ratio (log-uniform in
 * `ratio`), resized to `size` with bilinear interpolation (half-pixel centres, as torchvision).
 * After 10 failed draws it falls back to the largest central crop within `ratio` (torchvision's rule).
 *
 * SimCLR's ImageNet default is scale (0.08, 1); on 28x28 images such crops keep too little of the
 * object, so the default here is (0.2, 1), the crop scale of the reference PyTorch run; the SimCLR
 * preset for 28x28 uses (0.8, 1), which measured better (see presets/simclr.ts).
 */
import type { Rng } from '../../util/random.js';
import { checkRange, uniform, type Image, type ImageOp } from './image.js';

export interface RandomResizedCropOptions {
  /** Output [height, width]. */
  size: [number, number];
  /** Range of the crop's area as a fraction of the image's. Default [0.2, 1]. */
  scale?: [number, number];
  /** Range of the crop's aspect ratio (width / height), sampled log-uniformly. Default [3/4, 4/3]. */
  ratio?: [number, number];
}

export class RandomResizedCrop implements ImageOp {
  readonly size: [number, number];
  readonly scale: [number, number];
  readonly ratio: [number, number];

  constructor(options: RandomResizedCropOptions) {
    const { size, scale = [0.2, 1], ratio = [3 / 4, 4 / 3] } = options;
    if (!size || !size.every((s) => Number.isInteger(s) && s >= 1)) {
      throw new Error(`RandomResizedCrop: size must be [height, width] of integers >= 1, received ${JSON.stringify(size)}`);
    }
    checkRange('RandomResizedCrop', 'scale', scale, Number.MIN_VALUE, 1);
    checkRange('RandomResizedCrop', 'ratio', ratio, Number.MIN_VALUE, Number.MAX_VALUE);
    this.size = size;
    this.scale = scale;
    this.ratio = ratio;
  }

  /** The crop box [top, left, height, width] for an image of the given size. */
  sampleBox(height: number, width: number, rng: Rng): [number, number, number, number] {
    const area = height * width;
    const [rlo, rhi] = [Math.log(this.ratio[0]), Math.log(this.ratio[1])];
    for (let attempt = 0; attempt < 10; attempt++) {
      const target = area * uniform(rng, this.scale[0], this.scale[1]);
      const aspect = Math.exp(uniform(rng, rlo, rhi));
      const w = Math.round(Math.sqrt(target * aspect));
      const h = Math.round(Math.sqrt(target / aspect));
      if (w >= 1 && h >= 1 && w <= width && h <= height) {
        return [rng.int(height - h + 1), rng.int(width - w + 1), h, w];
      }
    }
    // Fallback: central crop, clamped to the ratio range.
    const inRatio = width / height;
    let w = width, h = height;
    if (inRatio < this.ratio[0]) h = Math.round(w / this.ratio[0]);
    else if (inRatio > this.ratio[1]) w = Math.round(h * this.ratio[1]);
    return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
  }

  apply(image: Image, rng: Rng): Image {
    const box = this.sampleBox(image.height, image.width, rng);
    return cropResize(image, box, this.size);
  }
}

/** Bilinear resize of the box [top, left, h, w] of `image` to `size` (half-pixel centres). */
export function cropResize(image: Image, box: [number, number, number, number], size: [number, number]): Image {
  const [top, left, h, w] = box;
  const [oh, ow] = size;
  const { width: W, channels: C, data } = image;
  const out = new Float32Array(oh * ow * C);
  const sy = h / oh, sx = w / ow;
  for (let y = 0; y < oh; y++) {
    // Source coordinate of the output pixel's centre, clamped to the box.
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, h - 1), wy = fy - y0;
    for (let x = 0; x < ow; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, w - 1), wx = fx - x0;
      const p00 = ((top + y0) * W + left + x0) * C, p01 = ((top + y0) * W + left + x1) * C;
      const p10 = ((top + y1) * W + left + x0) * C, p11 = ((top + y1) * W + left + x1) * C;
      for (let c = 0; c < C; c++) {
        const a = data[p00 + c] + (data[p01 + c] - data[p00 + c]) * wx;
        const b = data[p10 + c] + (data[p11 + c] - data[p10 + c]) * wx;
        out[(y * ow + x) * C + c] = a + (b - a) * wy;
      }
    }
  }
  return { data: out, height: oh, width: ow, channels: C };
}
