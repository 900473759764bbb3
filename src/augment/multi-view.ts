/**
 * k augmented views of every image of a batch (SimCLR's two views, multi-crop's more), seeded: the
 * same seed and batch give the same views. Views come out as float32 NHWC arrays ready for
 * `tf.tensor4d(view, [n, h, w, c])`.
 */
import type { ImageDataset } from '../data/image-dataset.js';
import { imageLength } from '../data/image-dataset.js';
import { Rng } from '../util/random.js';
import type { Image, ImageOp } from './image/image.js';

export interface ViewBatch {
  /** views[v]: [n, height, width, channels] floats in [0, 1]. */
  views: Float32Array[];
  n: number;
  height: number;
  width: number;
  channels: number;
}

export class MultiView {
  /**
   * @param transforms one op per view (e.g. [t, t] for SimCLR; different ops for asymmetric
   *   methods like BYOL).
   */
  constructor(readonly transforms: readonly ImageOp[]) {
    if (transforms.length < 1) throw new Error('MultiView: at least one transform is needed, received 0');
  }

  /** Views of the images `indices` of `data`; `seed` fixes every random choice. */
  apply(data: ImageDataset, indices: ArrayLike<number>, seed: number): ViewBatch {
    const rng = new Rng(seed);
    const len = imageLength(data);
    const views: Float32Array[] = [];
    let shape: Omit<Image, 'data'> | null = null;
    for (const t of this.transforms) {
      let out: Float32Array | null = null;
      for (let i = 0; i < indices.length; i++) {
        const k = indices[i];
        const src = data.images.subarray(k * len, (k + 1) * len);
        const img: Image = { data: Float32Array.from(src, (v) => v / 255), height: data.height, width: data.width, channels: data.channels };
        const v = t.apply(img, rng);
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
