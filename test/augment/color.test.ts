import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/random.js';
import { uniform, type Image, type ImageOp } from '../../src/augment/image/image.js';
import { ColorJitter, adjustBrightness, adjustContrast, adjustHue, adjustSaturation } from '../../src/augment/image/color-jitter.js';
import { RandomGrayscale, luma, rgbToGrayscale } from '../../src/augment/image/random-grayscale.js';
import { Compose } from '../../src/augment/image/compose.js';
import { RandomResizedCrop } from '../../src/augment/image/random-resized-crop.js';
import { RandomHorizontalFlip } from '../../src/augment/image/horizontal-flip.js';
import { GaussianBlur } from '../../src/augment/image/gaussian-blur.js';
import { GaussianNoise } from '../../src/augment/image/gaussian-noise.js';
import { RandomErasing } from '../../src/augment/image/random-erasing.js';
import { simclrTransform, simclrViews } from '../../src/augment/presets/simclr.js';

/** A seeded random image with values in [0, 1]. */
function randomImage(H: number, W: number, C: number, seed = 1): Image {
  const r = new Rng(seed);
  return { data: Float32Array.from({ length: H * W * C }, () => r.next()), height: H, width: W, channels: C };
}
/** An image of the given RGB pixels in one row. */
function rgbRow(pixels: [number, number, number][]): Image {
  return { data: Float32Array.from(pixels.flat()), height: 1, width: pixels.length, channels: 3 };
}
/** The float32 bit patterns, for bit-for-bit comparisons. */
const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** ColorJitter.apply as it was before saturation and hue (a literal copy; do not "fix"). */
function legacyColorJitter(image: Image, rng: Rng, brightness = 0.4, contrast = 0.4, p = 0.8): Image {
  if (!(rng.next() < p)) return image;
  const b = uniform(rng, 1 - brightness, 1 + brightness);
  const c = uniform(rng, 1 - contrast, 1 + contrast);
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

/** Python's colorsys.rgb_to_hsv, written out. */
function rgbToHsv(r: number, g: number, b: number): [number, number, number] {
  const maxc = Math.max(r, g, b), minc = Math.min(r, g, b);
  if (minc === maxc) return [0, 0, maxc];
  const s = (maxc - minc) / maxc;
  const rc = (maxc - r) / (maxc - minc), gc = (maxc - g) / (maxc - minc), bc = (maxc - b) / (maxc - minc);
  let h: number;
  if (r === maxc) h = bc - gc;
  else if (g === maxc) h = 2 + rc - bc;
  else h = 4 + gc - rc;
  return [(((h / 6) % 1) + 1) % 1, s, maxc];
}
/** Python's colorsys.hsv_to_rgb, written out. */
function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  if (s === 0) return [v, v, v];
  let i = Math.floor(h * 6);
  const f = h * 6 - i, p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  i = i % 6;
  if (i === 0) return [v, t, p];
  if (i === 1) return [q, v, p];
  if (i === 2) return [p, v, t];
  if (i === 3) return [p, q, v];
  if (i === 4) return [t, p, v];
  return [v, p, q];
}

describe('RandomGrayscale and luma', () => {
  it('gives BT.601 luma in all three channels', () => {
    const img = rgbRow([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0.5], [0.2, 0.6, 0.9]]);
    const want = [0.299, 0.587, 0.114, 0.5, 0.299 * 0.2 + 0.587 * 0.6 + 0.114 * 0.9];
    const gray = rgbToGrayscale(img);
    const out = new RandomGrayscale(1).apply(img, new Rng(0));
    expect(out.channels).toBe(3);
    for (let i = 0; i < want.length; i++) {
      expect(gray[i]).toBeCloseTo(want[i], 6);
      for (let c = 0; c < 3; c++) expect(out.data[3 * i + c]).toBe(gray[i]);
    }
    expect(luma(1, 1, 1)).toBeCloseTo(1, 12);
    expect(Array.from(img.data)).toEqual(Array.from(rgbRow([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0.5], [0.2, 0.6, 0.9]]).data));
  });
  it('leaves 1-channel images and p = 0 alone, drawing one number per image', () => {
    const gray = randomImage(4, 4, 1), rgb = randomImage(4, 4, 3);
    const r = new Rng(5), ref = new Rng(5);
    expect(new RandomGrayscale(1).apply(gray, r)).toBe(gray);
    expect(new RandomGrayscale(0).apply(rgb, r)).toBe(rgb);
    ref.next(); ref.next();
    expect(r.next()).toBe(ref.next());
  });
  it('turns a fraction p of images gray', () => {
    const op = new RandomGrayscale(0.2), img = randomImage(2, 2, 3), r = new Rng(11);
    let gray = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) if (op.apply(img, r) !== img) gray++;
    expect(gray / n).toBeGreaterThan(0.19);
    expect(gray / n).toBeLessThan(0.21);
  });
});

describe('colour adjustments (closed forms and reference loops)', () => {
  const img = randomImage(5, 6, 3, 3);
  it('saturation 0 is the grayscale image, 1 the identity, 2 the clipped extrapolation', () => {
    expect(bits(adjustSaturation(img, 0).data)).toEqual(bits(new RandomGrayscale(1).apply(img, new Rng(0)).data));
    expect(bits(adjustSaturation(img, 1).data)).toEqual(bits(img.data));
    const gray = rgbToGrayscale(img), out = adjustSaturation(img, 2).data;
    for (let i = 0; i < 30; i++)
      for (let c = 0; c < 3; c++) expect(out[3 * i + c]).toBeCloseTo(Math.min(1, Math.max(0, 2 * img.data[3 * i + c] - gray[i])), 6);
    const one = randomImage(3, 3, 1);
    expect(adjustSaturation(one, 0)).toBe(one);
  });
  it('contrast blends with the mean luma on RGB; brightness scales; both clip', () => {
    const gray = rgbToGrayscale(img);
    const mean = gray.reduce((a, b) => a + b, 0) / gray.length;
    const out = adjustContrast(img, 0.5).data;
    for (let i = 0; i < img.data.length; i++) expect(out[i]).toBeCloseTo(mean + 0.5 * (img.data[i] - mean), 6);
    const zero = adjustContrast(img, 0).data;
    for (const v of zero) expect(v).toBeCloseTo(mean, 6);
    const bright = adjustBrightness(img, 1.5).data;
    for (let i = 0; i < img.data.length; i++) expect(bright[i]).toBeCloseTo(Math.min(1, 1.5 * img.data[i]), 6);
  });
  it('hue shifts primaries around the wheel', () => {
    const prim = rgbRow([[1, 0, 0], [1, 0.5, 0], [0.3, 0.3, 0.3]]);
    expect(Array.from(adjustHue(prim, 1 / 3).data).map((v) => +v.toFixed(6))).toEqual([0, 1, 0, 0, 1, 0.5, 0.3, 0.3, 0.3].map((v) => +Math.fround(v).toFixed(6)));
    expect(Array.from(adjustHue(prim, -1 / 3).data).map((v) => +v.toFixed(6))).toEqual([0, 0, 1, 0.5, 0, 1, 0.3, 0.3, 0.3].map((v) => +Math.fround(v).toFixed(6)));
    expect(Array.from(adjustHue(prim, 0.5).data).map((v) => +v.toFixed(6))).toEqual([0, 1, 1, 0, 0.5, 1, 0.3, 0.3, 0.3].map((v) => +Math.fround(v).toFixed(6)));
  });
  it('hue matches a literal RGB -> HSV -> RGB loop', () => {
    const px = randomImage(1, 12, 3, 9);
    px.data.set([0.9, 0.1, 0.1, 0.1, 0.8, 0.2, 0.2, 0.3, 0.7, 0.5, 0.5, 0.2, 0, 0, 0, 1, 1, 1], 0);
    for (const factor of [-0.5, -0.37, -0.1, 0, 0.05, 0.25, 0.49, 0.5]) {
      const out = adjustHue(px, factor).data;
      for (let i = 0; i < 12; i++) {
        const [h, s, v] = rgbToHsv(px.data[3 * i], px.data[3 * i + 1], px.data[3 * i + 2]);
        const want = hsvToRgb((((h + factor) % 1) + 1) % 1, s, v);
        for (let c = 0; c < 3; c++) expect(out[3 * i + c]).toBeCloseTo(want[c], 6);
      }
    }
  });
  it('hue +0.5 and -0.5 give identical output; 0 keeps the image; 1 channel is left alone', () => {
    expect(bits(adjustHue(img, 0.5).data)).toEqual(bits(adjustHue(img, -0.5).data));
    const same = adjustHue(img, 0).data;
    for (let i = 0; i < img.data.length; i++) expect(same[i]).toBeCloseTo(img.data[i], 6);
    const one = randomImage(3, 3, 1);
    expect(adjustHue(one, 0.3)).toBe(one);
  });
});

describe('ColorJitter', () => {
  it('without saturation and hue is the old op, draw for draw and bit for bit', () => {
    const images = [randomImage(28, 28, 1, 1), randomImage(8, 8, 3, 2), randomImage(5, 7, 2, 3)];
    const configs = [
      { op: new ColorJitter(), b: 0.4, c: 0.4, p: 0.8 },
      { op: new ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0, hue: 0, p: 0.8 }), b: 0.4, c: 0.4, p: 0.8 },
      { op: new ColorJitter({ brightness: 0.8, contrast: 0.1, p: 1 }), b: 0.8, c: 0.1, p: 1 },
    ];
    for (const { op, b, c, p } of configs)
      for (const img of images)
        for (let seed = 0; seed < 100; seed++) {
          const r1 = new Rng(seed), r2 = new Rng(seed);
          const out = op.apply(img, r1), want = legacyColorJitter(img, r2, b, c, p);
          if (want === img) expect(out).toBe(img);
          else expect(bits(out.data)).toEqual(bits(want.data));
          expect(r1.next()).toBe(r2.next());
        }
  });
  it('skips saturation and hue on 1-channel images: exactly the brightness/contrast op', () => {
    const img = randomImage(28, 28, 1, 4), op = new ColorJitter({ saturation: 0.4, hue: 0.1 });
    for (let seed = 0; seed < 100; seed++) {
      const r1 = new Rng(seed), r2 = new Rng(seed);
      const out = op.apply(img, r1), want = legacyColorJitter(img, r2);
      if (want === img) expect(out).toBe(img);
      else expect(bits(out.data)).toEqual(bits(want.data));
      expect(r1.next()).toBe(r2.next());
    }
  });
  it('with colour: draws p, the order, then b, c, s, h, and applies the four in that order', () => {
    const img = randomImage(6, 6, 3, 5), before = Float32Array.from(img.data);
    const op = new ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 1 });
    const fns = [adjustBrightness, adjustContrast, adjustSaturation, adjustHue];
    const orders = new Set<string>();
    for (let seed = 0; seed < 60; seed++) {
      const r1 = new Rng(seed), r2 = new Rng(seed);
      const out = op.apply(img, r1);
      r2.next(); // p
      const prm = op.sampleParams(r2);
      orders.add(prm.order.join(''));
      const factors = [prm.brightness, prm.contrast, prm.saturation, prm.hue];
      let want = img;
      for (const fn of prm.order) want = fns[fn](want, factors[fn]);
      expect(bits(out.data)).toEqual(bits(want.data));
      const r3 = new Rng(seed);
      for (let k = 0; k < 8; k++) r3.next(); // 1 (p) + 3 (order) + 4 (factors) draws
      const next = r1.next();
      expect(next).toBe(r2.next());
      expect(next).toBe(r3.next());
    }
    expect(orders.size).toBeGreaterThan(15);
    expect(Array.from(img.data)).toEqual(Array.from(before)); // input untouched
  });
  it('draws every order with probability 1/24 and factors uniform in range', () => {
    const op = new ColorJitter({ brightness: 0.4, contrast: 0.2, saturation: 0.4, hue: 0.1 });
    const r = new Rng(123), n = 24000, counts = new Map<string, number>();
    let bSum = 0, hSum = 0;
    for (let i = 0; i < n; i++) {
      const prm = op.sampleParams(r);
      expect([...prm.order].sort()).toEqual([0, 1, 2, 3]);
      const key = prm.order.join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
      expect(prm.brightness >= 0.6 && prm.brightness < 1.4).toBe(true);
      expect(prm.contrast >= 0.8 && prm.contrast < 1.2).toBe(true);
      expect(prm.saturation >= 0.6 && prm.saturation < 1.4).toBe(true);
      expect(prm.hue >= -0.1 && prm.hue < 0.1).toBe(true);
      bSum += prm.brightness;
      hSum += prm.hue;
    }
    expect(counts.size).toBe(24);
    for (const k of counts.values()) expect(Math.abs(k - 1000)).toBeLessThan(150); // ~4.8 sd
    expect(bSum / n).toBeCloseTo(1, 2);
    expect(hSum / n).toBeCloseTo(0, 2);
  });
  it('jitters a fraction p of images', () => {
    const op = new ColorJitter({ saturation: 0.4, hue: 0.1, p: 0.8 }), img = randomImage(2, 2, 3), r = new Rng(8);
    let changed = 0;
    const n = 10000;
    for (let i = 0; i < n; i++) if (op.apply(img, r) !== img) changed++;
    expect(changed / n).toBeGreaterThan(0.78);
    expect(changed / n).toBeLessThan(0.82);
  });
  it('validates options and channels with exact messages; defaults accept any image', () => {
    expect(() => new ColorJitter({ saturation: 1.5 })).toThrow('ColorJitter: saturation must be in [0, 1], received 1.5');
    expect(() => new ColorJitter({ saturation: -0.1 })).toThrow('ColorJitter: saturation must be in [0, 1], received -0.1');
    expect(() => new ColorJitter({ hue: 0.6 })).toThrow('ColorJitter: hue must be in [0, 0.5], received 0.6');
    expect(() => new ColorJitter({ hue: -0.1 })).toThrow('ColorJitter: hue must be in [0, 0.5], received -0.1');
    expect(() => new ColorJitter({ hue: Number.NaN })).toThrow('ColorJitter: hue must be in [0, 0.5], received NaN');
    expect(() => new ColorJitter({ hue: 0.1 }).apply(randomImage(2, 2, 4), new Rng(0))).toThrow('ColorJitter: saturation and hue need 1- or 3-channel images, received 4 channels');
    expect(() => adjustHue(randomImage(2, 2, 3), 0.7)).toThrow('adjustHue: factor must be in [-0.5, 0.5], received 0.7');
    expect(() => new RandomGrayscale(1.5)).toThrow('RandomGrayscale: p must be in [0, 1], received 1.5');
    expect(() => new RandomGrayscale().apply(randomImage(2, 2, 2), new Rng(0))).toThrow('RandomGrayscale: image must have 1 or 3 channels, received 2');
    expect(() => rgbToGrayscale(randomImage(2, 2, 1))).toThrow('rgbToGrayscale: image must have 3 channels (RGB), received 1');
    expect(() => simclrTransform({ channels: 2 as 1 })).toThrow('simclrTransform: channels must be 1 or 3, received 2');
    for (const C of [1, 2, 3, 4]) expect(() => new ColorJitter({ p: 1 }).apply(randomImage(2, 2, C), new Rng(0))).not.toThrow();
    expect(() => new ColorJitter({ saturation: 0.4, hue: 0.1, p: 1 }).apply(randomImage(2, 2, 1), new Rng(0))).not.toThrow();
  });
});

describe('SimCLR preset channels', () => {
  /** Today's grayscale pipeline, with a literal copy of the old ColorJitter. */
  const legacy = (size: [number, number], cropScale: [number, number]): ImageOp =>
    new Compose([
      new RandomResizedCrop({ size, scale: cropScale }),
      new RandomHorizontalFlip(0.5),
      { apply: (image: Image, rng: Rng) => legacyColorJitter(image, rng, 0.4, 0.4, 0.8) },
      new GaussianBlur({ sigma: [0.1, 1.0], p: 0.5 }),
      new GaussianNoise(0.05, 0.5),
      new RandomErasing({ p: 0.25 }),
    ]);

  it('channels 1 (and the default) is the old pipeline bit for bit', () => {
    const img = randomImage(28, 28, 1, 21);
    const cases: { t: ImageOp; ref: ImageOp }[] = [
      { t: simclrTransform(), ref: legacy([28, 28], [0.8, 1]) },
      { t: simclrTransform({ channels: 1 }), ref: legacy([28, 28], [0.8, 1]) },
      { t: simclrTransform({ size: [20, 24], cropScale: [0.5, 1], channels: 1 }), ref: legacy([20, 24], [0.5, 1]) },
    ];
    for (const { t, ref } of cases)
      for (let seed = 0; seed < 200; seed++) {
        const r1 = new Rng(seed), r2 = new Rng(seed);
        expect(bits(t.apply(img, r1).data)).toEqual(bits(ref.apply(img, r2).data));
        expect(r1.next()).toBe(r2.next());
      }
  });
  it('channels 3 makes 3-channel views of the requested size, some gray, all in [0, 1]', () => {
    const img = randomImage(32, 32, 3, 22);
    const mv = simclrViews({ size: [32, 32], channels: 3 });
    expect(mv.transforms).toHaveLength(2);
    const r = new Rng(3);
    let gray = 0;
    const n = 400;
    for (let i = 0; i < n; i++) {
      const v = mv.transforms[i % 2].apply(img, r);
      expect([v.height, v.width, v.channels, v.data.length]).toEqual([32, 32, 3, 32 * 32 * 3]);
      expect(v.data.every((x) => x >= 0 && x <= 1)).toBe(true);
      let isGray = true;
      for (let k = 0; k < 1024 && isGray; k++) if (v.data[3 * k] !== v.data[3 * k + 1] || v.data[3 * k] !== v.data[3 * k + 2]) isGray = false;
      if (isGray) gray++;
    }
    // gray with p 0.2 and kept gray when no noise is added (p 0.5): about 10% of views
    expect(gray / n).toBeGreaterThan(0.05);
    expect(gray / n).toBeLessThan(0.16);
    const small = simclrTransform({ size: [16, 16], channels: 3 }).apply(img, new Rng(1));
    expect([small.height, small.width, small.channels]).toEqual([16, 16, 3]);
  });
});
