/**
 * Seeded weight initialisation: every dense and convolution kernel of a backbone or head gets
 * Glorot-uniform (tfjs-layers' default) with its own seed derived from the model's seed and the
 * layer's position, so one seed reproduces the whole network. Without a seed, tfjs-layers'
 * unseeded default applies.
 */
import * as tfl from '@tensorflow/tfjs-layers';

/** A kernel-initializer option for layer `index` of a model built with `seed` (empty without a seed). */
export function seededKernel(seed: number | undefined, index: number): { kernelInitializer?: ReturnType<typeof tfl.initializers.glorotUniform> } {
  if (seed === undefined) return {};
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, received ${seed}`);
  return { kernelInitializer: tfl.initializers.glorotUniform({ seed: seed * 7919 + index + 1 }) };
}
