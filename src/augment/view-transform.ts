/**
 * A view transform: k augmented views of an item (SimCLR's two crops of an image, SimCSE's two
 * dropout passes of a sentence, SCARF's corrupted rows). Every random choice comes from the
 * seeded Rng it is given, so a seed reproduces every view.
 *
 * View v of the items of a batch is drawn for every item before view v + 1 (the loader's order),
 * which is the order of the image pipeline's `MultiView` since the first version: seeds give the
 * same views as before the data path was generic.
 */
import type { Rng } from '../util/random.js';

export interface ViewTransform<Item, View = Item> {
  /** Views per item (2 for SimCLR). */
  readonly views: number;
  /** View v (0 <= v < views) of `item`; never changes `item`. */
  view(item: Item, v: number, rng: Rng): View;
}

/** The same item as its only view (no augmentation): for embedding and for supervised pairs given as data. */
export function identityViews<Item>(views = 1): ViewTransform<Item, Item> {
  if (!Number.isInteger(views) || views < 1) throw new Error(`identityViews: views must be an integer >= 1, received ${views}`);
  return { views, view: (item) => item };
}
