/**
 * A source of items: the first stage of the one data path every kind of item takes
 * (source -> views -> collate -> batch -> method -> trainer; embed(source, encoder) -> metrics).
 *
 * A source is a finite, indexable collection of items (an image, a table row, a text, a series)
 * with optional class labels and stable string ids. It never augments (views do that) and never
 * makes tensors (collate does that), so a new kind of data is a new source, view transform,
 * collate and encoder, never a new trainer.
 */

/** What one item is, as far as views, collate and encoders need to know. */
export type ItemSpec =
  /** Pixels in [0, 1], row-major [height, width, channels] (`Image`). */
  | { kind: 'image'; height: number; width: number; channels: number }
  /** A row of `dim` float32 features (tables, .npy matrices, precomputed embeddings); `columns` names them. */
  | { kind: 'vector'; dim: number; columns?: readonly string[] }
  /** A string (a sentence, a document). */
  | { kind: 'text' };

export interface Source<Item> {
  /** A short name for messages and run files: 'fashion-mnist', a folder's or a file's name. */
  readonly name: string;
  /** Number of items. */
  readonly size: number;
  /** What every item is. */
  readonly spec: ItemSpec;
  /**
   * The class of every item, in [0, classNames.length), or -1 for an item without a label; absent
   * when the source has no labels at all.
   */
  readonly labels?: Int32Array;
  /** Class names, indexed by label (present with labels). */
  readonly classNames?: readonly string[];
  /** Item i, 0 <= i < size. The caller may keep it; the source never changes it afterwards. */
  item(i: number): Item;
  /** A stable id of item i: a file path, a row number, a package position. */
  id(i: number): string;
}

/** Throws unless i is an integer in [0, size). */
export function checkIndex(caller: string, i: number, size: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= size) throw new Error(`${caller}: index must be an integer in [0, ${size}), received ${i}`);
}

/** The labels of a source, or an error naming what needs them. */
export function requireLabels(caller: string, source: Pick<Source<unknown>, 'labels' | 'name'>): Int32Array {
  if (!source.labels) throw new Error(`${caller}: needs labelled items, but the source '${source.name}' has no labels`);
  return source.labels;
}

/** The items `indices` of `source`, in that order, as a source (labels, ids and names follow them). */
export function subsetSource<Item>(source: Source<Item>, indices: ArrayLike<number>, name = source.name): Source<Item> {
  // Checked before the conversion to Int32Array, which would truncate 1.5 to 1 and wrap 2^32.
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    if (!Number.isInteger(k) || k < 0 || k >= source.size) throw new Error(`subsetSource: indices[${i}] must be an integer in [0, ${source.size}), received ${k}`);
  }
  const idx = Int32Array.from(indices);
  const labels = source.labels ? Int32Array.from(idx, (k) => source.labels![k]) : undefined;
  return {
    name, size: idx.length, spec: source.spec, ...(labels ? { labels, classNames: source.classNames } : {}),
    item: (i) => {
      checkIndex('subsetSource', i, idx.length);
      return source.item(idx[i]);
    },
    id: (i) => {
      checkIndex('subsetSource', i, idx.length);
      return source.id(idx[i]);
    },
  };
}
