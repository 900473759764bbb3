/** Option checks and the kernel initialiser shared by the transformer's layers: errors name the option, the expectation and the value. */
import { initializers } from '@tensorflow/tfjs-layers';


/** Throws unless v is an integer >= min; names the option, the expectation and the value. */
export function checkInt(where: string, name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`${where}: ${name} must be an integer >= ${min}, received ${JSON.stringify(v) ?? String(v)}`);
  return v;
}

/** Throws unless v is a dropout probability in [0, 1). */
export function checkRate(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new Error(`${where}: ${name} must be a probability in [0, 1), received ${JSON.stringify(v) ?? String(v)}`);
  return v;
}

/** Throws unless v is a finite number > 0. */
export function checkPositive(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new Error(`${where}: ${name} must be a finite number > 0, received ${JSON.stringify(v) ?? String(v)}`);
  return v;
}

/** Throws unless seed is absent (undefined / null) or an integer; returns it or undefined. */
export function checkSeed(where: string, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${where}: seed must be an integer, received ${JSON.stringify(v) ?? String(v)}`);
  return v;
}

/** A kernel initialiser: truncated normal (mean 0, std `range`, cut at 2 std, tfjs') seeded by `seed` (unseeded without). */
export function kernelInitializer(range: number, seed: number | undefined) {
  return initializers.truncatedNormal({ mean: 0, stddev: range, ...(seed === undefined ? {} : { seed }) });
}

