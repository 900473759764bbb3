/**
 * Gallery tiles as PNG: a thumbnail's bytes upscaled by an integer factor with nearest-neighbour
 * sampling (pixels stay sharp squares: a 28x28 image at scale 2 is 56x56) and encoded with pngjs,
 * grayscale when the thumbnail has one channel.
 */
import { PNG } from 'pngjs';
import type { Thumb } from './report-data.js';

/** Smallest side, in pixels, a tile is upscaled to reach (by an integer factor). */
export const TILE_TARGET = 56;

/** The integer upscale factor that brings the thumbnail's longer side to at least `target`: 28 -> 2, 96 -> 1. */
export function tileScale(thumb: Pick<Thumb, 'width' | 'height'>, target = TILE_TARGET): number {
  return Math.max(1, Math.ceil(target / Math.max(thumb.width, thumb.height)));
}

/** The thumbnail as PNG bytes, upscaled `scale` times. */
export function thumbnailPng(thumb: Thumb, scale = tileScale(thumb)): Buffer {
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`thumbnailPng: scale must be an integer >= 1, received ${scale}`);
  const { width, height, channels, pixels } = thumb;
  const W = width * scale, H = height * scale;
  const png = new PNG({ width: W, height: H });
  const out = png.data; // [H, W, 4] RGBA
  const g = channels === 3 ? 1 : 0, b = channels === 3 ? 2 : 0; // gray: R = G = B
  for (let y = 0; y < H; y++) {
    const sy = Math.floor(y / scale);
    for (let x = 0; x < W; x++) {
      const s = (sy * width + Math.floor(x / scale)) * channels, o = (y * W + x) * 4;
      out[o] = pixels[s];
      out[o + 1] = pixels[s + g];
      out[o + 2] = pixels[s + b];
      out[o + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: channels === 1 ? 0 : 2 });
}

/** `thumbnailPng` as a `data:` URL for an <img> or an SVG <image>. */
export function thumbnailDataUrl(thumb: Thumb, scale = tileScale(thumb)): string {
  return `data:image/png;base64,${thumbnailPng(thumb, scale).toString('base64')}`;
}
