/**
 * Tile on the addon (native/src/tile.cc): row copies, parallel over output rows. It matters for
 * tfjs-layers' BatchNormalization, whose gradient tiles the inverse standard deviation to the full
 * activation shape (on cpu that Tile alone was 55% of a small-CNN SimCLR step).
 */
import { Tile, type KernelConfig, type KernelFunc, type TensorInfo, type TileAttrs } from '@tensorflow/tfjs-core';
import { alloc, allF32, cpuKernel, f32, native, output, sizeOf, type KernelArgs } from './util.js';

export function tile(args: KernelArgs<{ x: TensorInfo }, TileAttrs>): TensorInfo {
  const { inputs: { x }, backend, attrs: { reps } } = args;
  if (!allF32(x) || x.shape.length === 0 || reps.length !== x.shape.length) {
    return cpuKernel(Tile)(args as never) as TensorInfo;
  }
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = alloc(backend, sizeOf(outShape)); // every element written
  if (out.length > 0) native().tile(f32(backend, x), out, Int32Array.from(x.shape), Int32Array.from(reps));
  return output(backend, outShape, out);
}

export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: 'native',
  kernelFunc: tile as unknown as KernelFunc,
};
