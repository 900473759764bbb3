/**
 * An in-memory labelled image data set: uint8 pixels, row-major [n, height, width, channels]
 * (NHWC, as the `native` backend's convolutions), with integer labels and stable ids.
 */
export interface ImageDataset {
  /** Data set name, e.g. 'fashion-mnist'. */
  readonly name: string;
  /** Pixels of every image, [size, height, width, channels], 0-255. */
  readonly images: Uint8Array;
  /** Class of every image, in [0, classNames.length); -1 for an image without a label. */
  readonly labels: Int32Array;
  /** Stable id of every image: its position in the source package's order. */
  readonly ids: Int32Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Human-readable class names, indexed by label. */
  readonly classNames: readonly string[];
  /** Number of images. */
  readonly size: number;
  /** Where each image came from (image folders: the file path relative to the folder). */
  readonly paths?: readonly string[];
}

/** Pixels of one image per row: height * width * channels. */
export function imageLength(d: Pick<ImageDataset, 'height' | 'width' | 'channels'>): number {
  return d.height * d.width * d.channels;
}

/** The images at `indices` (in that order) as a new data set; ids and labels follow them. */
export function subset(d: ImageDataset, indices: ArrayLike<number>, name = d.name): ImageDataset {
  const len = imageLength(d);
  const images = new Uint8Array(indices.length * len);
  const labels = new Int32Array(indices.length);
  const ids = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    if (!Number.isInteger(k) || k < 0 || k >= d.size) {
      throw new Error(`subset: indices[${i}] must be an integer in [0, ${d.size}), received ${k}`);
    }
    images.set(d.images.subarray(k * len, (k + 1) * len), i * len);
    labels[i] = d.labels[k];
    ids[i] = d.ids[k];
  }
  const paths = d.paths ? Array.from(indices, (k) => d.paths![k]) : undefined;
  return { ...d, name, images, labels, ids, size: indices.length, ...(paths ? { paths } : {}) };
}

/** A data set of 1-channel side x side images, ids in storage order. */
export function grayscaleDataset(
  name: string, images: Uint8Array, labels: ArrayLike<number>, side: number, classNames: readonly string[],
): ImageDataset {
  return {
    name, images, labels: Int32Array.from(labels), ids: Int32Array.from(labels, (_, i) => i),
    height: side, width: side, channels: 1, classNames, size: labels.length,
  };
}
