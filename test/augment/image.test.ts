import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/random.js';
import type { Image } from '../../src/augment/image/image.js';
import { RandomResizedCrop, cropResize } from '../../src/augment/image/random-resized-crop.js';
import { RandomHorizontalFlip } from '../../src/augment/image/horizontal-flip.js';
import { ColorJitter } from '../../src/augment/image/color-jitter.js';
import { GaussianBlur, gaussianKernel } from '../../src/augment/image/gaussian-blur.js';
import { GaussianNoise } from '../../src/augment/image/gaussian-noise.js';
import { RandomErasing } from '../../src/augment/image/random-erasing.js';
import { MultiView } from '../../src/augment/multi-view.js';
import { simclrViews } from '../../src/augment/presets/simclr.js';
import { loadFashionMnist } from '../../src/data/fashion-mnist.js';

/** A known image: pixel (y, x, c) = ((y * W + x) * C + c) / (H * W * C). */
function ramp(H: number, W: number, C = 1): Image {
  const n = H * W * C;
  return { data: Float32Array.from({ length: n }, (_, i) => i / n), height: H, width: W, channels: C };
}
const rng = () => new Rng(42);

describe('image augmentations', () => {
  it('random resized crop of scale 1 and ratio 1 is the identity', () => {
    const img = ramp(28, 28);
    const out = new RandomResizedCrop({ size: [28, 28], scale: [1, 1], ratio: [1, 1] }).apply(img, rng());
    expect(out.data).toEqual(img.data);
  });
  it('crop without resize copies the box; bilinear resize uses half-pixel centres', () => {
    const img = ramp(6, 5, 2);
    const out = cropResize(img, [1, 2, 3, 2], [3, 2]);
    const want: number[] = [];
    for (let y = 1; y < 4; y++) for (let x = 2; x < 4; x++) for (let c = 0; c < 2; c++) want.push(img.data[(y * 5 + x) * 2 + c]);
    expect(Array.from(out.data)).toEqual(want);
    const up = cropResize({ data: Float32Array.from([0, 1]), height: 1, width: 2, channels: 1 }, [0, 0, 1, 2], [1, 4]);
    expect(Array.from(up.data)).toEqual([0, 0.25, 0.75, 1]);
  });
  it('samples boxes inside the image with the requested area, and falls back to a central crop', () => {
    const op = new RandomResizedCrop({ size: [28, 28], scale: [0.2, 0.5] });
    const r = rng();
    for (let i = 0; i < 500; i++) {
      const [t, l, h, w] = op.sampleBox(28, 28, r);
      expect(t >= 0 && l >= 0 && t + h <= 28 && l + w <= 28).toBe(true);
      const frac = (h * w) / 784;
      expect(frac).toBeGreaterThan(0.2 * 0.8); // rounding of h and w
      expect(frac).toBeLessThan(0.5 * 1.2);
    }
    const impossible = new RandomResizedCrop({ size: [8, 8], scale: [1, 1], ratio: [2, 3] });
    expect(impossible.sampleBox(10, 10, r)).toEqual([2, 0, 5, 10]);
  });
  it('horizontal flip reverses rows, twice is the identity, p = 0 leaves the image', () => {
    const img = ramp(3, 4, 2);
    const flip = new RandomHorizontalFlip(1);
    const once = flip.apply(img, rng());
    for (let y = 0; y < 3; y++)
      for (let x = 0; x < 4; x++)
        for (let c = 0; c < 2; c++) expect(once.data[(y * 4 + x) * 2 + c]).toBe(img.data[(y * 4 + 3 - x) * 2 + c]);
    expect(flip.apply(once, rng()).data).toEqual(img.data);
    expect(new RandomHorizontalFlip(0).apply(img, rng())).toBe(img);
  });
  it('colour jitter of strength 0 is the identity; brightness alone scales by one factor in range', () => {
    const img = ramp(5, 5);
    expect(new ColorJitter({ brightness: 0, contrast: 0, p: 1 }).apply(img, rng()).data).toEqual(img.data);
    const dim = { ...img, data: img.data.map((v) => v * 0.5) };
    const out = new ColorJitter({ brightness: 0.4, contrast: 0, p: 1 }).apply(dim, rng());
    const factor = out.data[10] / dim.data[10];
    expect(factor).toBeGreaterThanOrEqual(0.6);
    expect(factor).toBeLessThanOrEqual(1.4);
    for (let i = 1; i < 25; i++) expect(out.data[i]).toBeCloseTo(dim.data[i] * factor, 5);
  });
  it('Gaussian blur keeps a constant image and its kernel sums to 1', () => {
    const flat: Image = { data: new Float32Array(64).fill(0.3), height: 8, width: 8, channels: 1 };
    const out = new GaussianBlur({ p: 1 }).apply(flat, rng());
    for (const v of out.data) expect(v).toBeCloseTo(0.3, 6);
    const k = gaussianKernel(1.3);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(k.length).toBe(2 * Math.ceil(3 * 1.3) + 1);
    // A bright dot spreads symmetrically.
    const dot: Image = { data: new Float32Array(49), height: 7, width: 7, channels: 1 };
    dot.data[24] = 1;
    const b = new GaussianBlur({ p: 1, sigma: [1, 1] }).apply(dot, rng()).data;
    expect(b[23]).toBeCloseTo(b[25], 6);
    expect(b[17]).toBeCloseTo(b[31], 6);
    expect(b[24]).toBeLessThan(1);
  });
  it('Gaussian noise of std 0 is the identity; std 0.1 has that spread', () => {
    const img = ramp(4, 4);
    expect(new GaussianNoise(0, 1).apply(img, rng()).data).toEqual(img.data);
    const mid: Image = { data: new Float32Array(20000).fill(0.5), height: 100, width: 200, channels: 1 };
    const out = new GaussianNoise(0.1, 1).apply(mid, rng()).data;
    const mean = out.reduce((a, b) => a + b, 0) / out.length;
    const sd = Math.sqrt(out.reduce((a, b) => a + (b - mean) ** 2, 0) / out.length);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(sd).toBeCloseTo(0.1, 2);
  });
  it('random erasing sets one rectangle to the value and leaves the rest', () => {
    const img = ramp(20, 20);
    const out = new RandomErasing({ p: 1, value: -1 }).apply(img, rng()).data;
    const erased: [number, number][] = [];
    for (let i = 0; i < 400; i++) {
      if (out[i] === -1) erased.push([Math.floor(i / 20), i % 20]);
      else expect(out[i]).toBe(img.data[i]);
    }
    const ys = erased.map((p) => p[0]), xs = erased.map((p) => p[1]);
    const h = Math.max(...ys) - Math.min(...ys) + 1, w = Math.max(...xs) - Math.min(...xs) + 1;
    expect(erased.length).toBe(h * w); // a full rectangle
    expect(erased.length / 400).toBeGreaterThanOrEqual(0.02 * 0.5);
    expect(erased.length / 400).toBeLessThanOrEqual(0.33 * 1.5);
  });
  it('validates options, naming them', () => {
    expect(() => new RandomResizedCrop({ size: [28, 28], scale: [0.5, 0.2] })).toThrow(/RandomResizedCrop: scale must be \[lo, hi\].*received \[0.5,0.2\]/);
    expect(() => new RandomHorizontalFlip(2)).toThrow(/p must be in \[0, 1\], received 2/);
    expect(() => new ColorJitter({ contrast: -1 })).toThrow(/contrast must be in \[0, 1\], received -1/);
    expect(() => new GaussianNoise(-1)).toThrow(/std must be a finite number >= 0, received -1/);
  });
});

describe('MultiView and the SimCLR preset', () => {
  const data = loadFashionMnist();
  it('makes k seeded views of the right shape, in [0, 1], reproducible, different from each other', () => {
    const mv = simclrViews();
    const a = mv.apply(data, [0, 5, 9000], 7), b = mv.apply(data, [0, 5, 9000], 7), c = mv.apply(data, [0, 5, 9000], 8);
    expect(a.views).toHaveLength(2);
    expect([a.n, a.height, a.width, a.channels]).toEqual([3, 28, 28, 1]);
    expect(a.views[0].length).toBe(3 * 784);
    expect(a.views.every((v) => v.every((x) => x >= 0 && x <= 1))).toBe(true);
    expect(b.views).toEqual(a.views);
    expect(c.views[0]).not.toEqual(a.views[0]);
    expect(a.views[1]).not.toEqual(a.views[0]);
  });
  it('with identity-like transforms returns the scaled pixels', () => {
    const mv = new MultiView([new RandomHorizontalFlip(0)]);
    const v = mv.apply(data, [3], 1);
    expect(Array.from(v.views[0])).toEqual(Array.from(data.images.subarray(3 * 784, 4 * 784), (p) => p / 255).map(Math.fround));
    expect(() => new MultiView([])).toThrow(/at least one transform/);
  });
});
