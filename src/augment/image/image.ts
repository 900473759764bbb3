/**
 * One image as augmentations see it: float pixels in [0, 1], row-major [height, width, channels].
 * Every op is a pure function of (image, rng): it never writes its input, and all its randomness
 * comes from the seeded Rng it is given, so a seed reproduces every view.
 */
import type { Rng } from '../../util/random.js';

export interface Image {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** An augmentation step. */
export interface ImageOp {
  apply(image: Image, rng: Rng): Image;
}

/** Throws unless lo <= hi and both lie in [min, max]; names the option in the message. */
export function checkRange(op: string, name: string, range: readonly [number, number], min: number, max: number): void {
  const [lo, hi] = range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi && lo >= min && hi <= max)) {
    throw new Error(`${op}: ${name} must be [lo, hi] with ${min} <= lo <= hi <= ${max}, received [${range}]`);
  }
}

/** Throws unless p is a probability. */
export function checkProbability(op: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`${op}: p must be in [0, 1], received ${p}`);
}

/** Uniform float in [lo, hi). */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** Standard normal sample (Box-Muller). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng.next(), v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
