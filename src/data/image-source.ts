/**
 * An in-memory image data set (`ImageDataset`: uint8 pixels, the built-in sets and image folders)
 * as a `Source<Image>`: item i is its pixels scaled to [0, 1] as float32, [height, width, channels].
 */
import type { Image } from '../augment/image/image.js';
import { imageLength, type ImageDataset } from './image-dataset.js';
import { checkIndex, type Source } from './source.js';
import type { ViewTransform } from '../augment/view-transform.js';
import { collateImages } from './collate.js';
import { DataLoader } from './loader.js';

/** The pixels of image i of `data` in [0, 1]. */
export function imageAt(data: ImageDataset, i: number): Image {
  const len = imageLength(data);
  const src = data.images.subarray(i * len, (i + 1) * len);
  return { data: Float32Array.from(src, (v) => v / 255), height: data.height, width: data.width, channels: data.channels };
}

/** Labels of an image data set where any item has one (an unlabelled folder's -1s: no labels). */
export function imageSource(data: ImageDataset): Source<Image> {
  const labelled = data.labels.some((l) => l >= 0);
  return {
    name: data.name,
    size: data.size,
    spec: { kind: 'image', height: data.height, width: data.width, channels: data.channels },
    ...(labelled ? { labels: data.labels, classNames: data.classNames } : {}),
    item: (i) => {
      checkIndex(`imageSource(${data.name})`, i, data.size);
      return imageAt(data, i);
    },
    id: (i) => {
      checkIndex(`imageSource(${data.name})`, i, data.size);
      return data.paths ? data.paths[i] : String(data.ids[i]);
    },
  };
}

/** A loader of an image data set's views: `DataLoader` over `imageSource(data)` with `collateImages`. */
export function imageLoader(data: ImageDataset, views: ViewTransform<Image, Image>): DataLoader<Image> {
  return new DataLoader({ source: imageSource(data), views, collate: collateImages });
}
