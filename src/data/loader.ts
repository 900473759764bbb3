/**
 * The loader: items of a source -> their views -> collated tensors: a `Batch`. The trainer asks it
 * for the batch of some item indices with a seed, and never knows what an item is.
 *
 * Order of random draws (see view-transform.ts): one Rng(seed) per batch; view 0 of every item,
 * then view 1, and so on.
 */
import type { ViewTransform } from '../augment/view-transform.js';
import { Rng } from '../util/random.js';
import { dispose } from '@tensorflow/tfjs-core';
import { makeBatch, viewTensors, type Batch, type ViewInput } from './batch.js';
import type { Collate } from './collate.js';
import type { ItemSpec, Source } from './source.js';

/** What the trainer needs of the data. */
export interface Loader {
  /** Items to draw batches from. */
  readonly size: number;
  /** Their classes, when the source has labels (samplers and supervised methods use them). */
  readonly labels?: Int32Array;
  /** What an item is (the trainer only reports it). */
  readonly spec: ItemSpec;
  /** Views per item. */
  readonly views: number;
  /** The batch of the items `indices`; `seed` fixes every random choice of their views. */
  batch(indices: ArrayLike<number>, seed: number, options?: { labels?: boolean }): Batch;
}

export interface DataLoaderOptions<Item, View> {
  source: Source<Item>;
  /** The views of an item (e.g. simclrViews() for images). */
  views: ViewTransform<Item, View>;
  /** Views of N items -> the encoder input (e.g. collateImages). */
  collate: Collate<View>;
}

export class DataLoader<Item, View = Item> implements Loader {
  readonly source: Source<Item>;
  readonly transform: ViewTransform<Item, View>;
  readonly collate: Collate<View>;

  constructor(options: DataLoaderOptions<Item, View>) {
    const { source, views, collate } = options ?? ({} as DataLoaderOptions<Item, View>);
    if (!source || typeof source.item !== 'function') throw new Error(`DataLoader: source must be a Source (with item(i)), received ${String(source)}`);
    if (!views || typeof views.view !== 'function' || !(Number.isInteger(views.views) && views.views >= 1)) {
      throw new Error(`DataLoader: views must be a ViewTransform (views >= 1, view(item, v, rng)), received ${String(views)}`);
    }
    if (typeof collate !== 'function') throw new Error(`DataLoader: collate must be a function, received ${String(collate)}`);
    this.source = source;
    this.transform = views;
    this.collate = collate;
  }

  get size(): number {
    return this.source.size;
  }

  get labels(): Int32Array | undefined {
    return this.source.labels;
  }

  get spec(): ItemSpec {
    return this.source.spec;
  }

  get views(): number {
    return this.transform.views;
  }

  batch(indices: ArrayLike<number>, seed: number, options: { labels?: boolean } = {}): Batch {
    const idx = Int32Array.from(indices);
    if (idx.length === 0) throw new Error('DataLoader: a batch needs at least one item, received 0 indices');
    // Labels are checked before any tensor is made, so a refused batch leaks nothing.
    let labels: Int32Array | undefined;
    if (options.labels) {
      if (!this.source.labels) throw new Error(`DataLoader: the batch's labels were asked for, but the source '${this.source.name}' has no labels`);
      labels = Int32Array.from(idx, (k) => this.source.labels![k]);
    }
    const items = Array.from(idx, (k) => this.source.item(k));
    const rng = new Rng(seed);
    const views: ViewInput[] = [];
    try {
      for (let v = 0; v < this.transform.views; v++) {
        views.push(this.collate(items.map((item) => this.transform.view(item, v, rng))));
      }
      return makeBatch(views, labels, idx);
    } catch (e) {
      // A view or collate that throws after earlier views were collated: free those.
      dispose(views.flatMap(viewTensors));
      throw e;
    }
  }
}
