/**
 * k augmented views of every image (SimCLR's two views, multi-crop's more), seeded: the same seed
 * and images give the same views. The image pipeline's `ViewTransform`: view v of an image is
 * transforms[v] applied to it.
 */
import type { ImageDataset } from '../data/image-dataset.js';
import { imageAt } from '../data/image-source.js';
import { Rng } from '../util/random.js';
import type { Image, ImageOp } from './image/image.js';
import type { ViewTransform } from './view-transform.js';

export interface ViewBatch {
  /** views[v]: [n, height, width, channels] floats in [0, 1]. */
  views: Float32Array[];
  n: number;
  height: number;
  width: number;
  channels: number;
}

export class MultiView implements ViewTransform<Image> {
  /**
   * @param transforms one op per view (e.g. [t, t] for SimCLR; different ops for asymmetric
   *   methods like BYOL).
   */
  constructor(readonly transforms: readonly ImageOp[]) {
    if (!Array.isArray(transforms) || transforms.length < 1) throw new Error(`MultiView: at least one transform is needed, received ${Array.isArray(transforms) ? 0 : String(transforms)}`);
  }

  get views(): number {
    return this.transforms.length;
  }

  view(item: Image, v: number, rng: Rng): Image {
    return this.transforms[v].apply(item, rng);
  }

  /**
   * Views of the images `indices` of `data` as float arrays; `seed` fixes every random choice.
   * The same draws as `DataLoader` over `imageSource(data)` with this transform.
   */
  apply(data: ImageDataset, indices: ArrayLike<number>, seed: number): ViewBatch {
    const rng = new Rng(seed);
    const items = Array.from(indices, (k) => imageAt(data, k));
    const views: Float32Array[] = [];
    let shape: Omit<Image, 'data'> | null = null;
    for (let t = 0; t < this.transforms.length; t++) {
      let out: Float32Array | null = null;
      for (let i = 0; i < items.length; i++) {
        const v = this.view(items[i], t, rng);
        if (!out) {
          shape ??= { height: v.height, width: v.width, channels: v.channels };
          if (v.height !== shape.height || v.width !== shape.width || v.channels !== shape.channels) {
            throw new Error(`MultiView: every view must have one shape, received [${v.height}, ${v.width}, ${v.channels}] and [${shape.height}, ${shape.width}, ${shape.channels}]`);
          }
          out = new Float32Array(indices.length * v.data.length);
        }
        out.set(v.data, i * v.data.length);
      }
      views.push(out ?? new Float32Array(0));
    }
    const s = shape ?? { height: data.height, width: data.width, channels: data.channels };
    return { views, n: indices.length, ...s };
  }
}
