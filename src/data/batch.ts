/**
 * A batch: what collate makes of the views of some items and what a method's loss reads. Every
 * modality meets the methods here: view v of the batch is one tensor ([N, H, W, C] images,
 * [N, D] rows) or a set of named tensors (text: token ids and attention mask), and the labels of
 * the N items travel beside them for supervised methods.
 */
import { dispose, type Tensor } from '@tensorflow/tfjs-core';

/** Named tensors of one view, e.g. { input_ids: [N, L], attention_mask: [N, L] } (the inputs' names, as Hugging Face names them). */
export type NamedTensors = { readonly [name: string]: Tensor };

/** The encoder input of one view of N items: a tensor [N, ...] or named tensors. */
export type ViewInput = Tensor | NamedTensors;

export interface Batch {
  /** Number of items N. */
  readonly size: number;
  /** views[v]: the encoder input of view v of every item (row i is item i). */
  readonly views: ViewInput[];
  /** The items' classes (-1: unlabelled), when the method needs them. */
  readonly labels?: Int32Array;
  /** Positions of the items in their source. */
  readonly indices?: Int32Array;
}

/** True for a plain tensor, false for named tensors. */
export function isTensor(x: ViewInput): x is Tensor {
  return typeof (x as Tensor).dataId === 'object' && typeof (x as Tensor).shape === 'object' && Array.isArray((x as Tensor).shape);
}

/** The tensors of a view input, in name order for named tensors. */
export function viewTensors(x: ViewInput): Tensor[] {
  return isTensor(x) ? [x] : Object.keys(x).sort().map((k) => x[k]);
}

/** Rows of a view input (its first dimension). */
export function viewRows(x: ViewInput): number {
  const ts = viewTensors(x);
  if (ts.length === 0) throw new Error('viewRows: a view input holds no tensor');
  return ts[0].shape[0];
}

/** A batch from view tensors (and labels), checked: every view has `size` rows. */
export function makeBatch(views: ViewInput[], labels?: ArrayLike<number>, indices?: Int32Array): Batch {
  if (views.length < 1) throw new Error('makeBatch: at least one view is needed, received 0');
  const size = viewRows(views[0]);
  views.forEach((v, i) => {
    for (const t of viewTensors(v)) {
      if (t.shape[0] !== size) throw new Error(`makeBatch: every view must have ${size} rows, view ${i} has ${t.shape[0]}`);
    }
  });
  if (labels !== undefined && labels.length !== size) throw new Error(`makeBatch: expected ${size} labels (one per item), received ${labels.length}`);
  return { size, views, ...(labels !== undefined ? { labels: Int32Array.from(labels) } : {}), ...(indices ? { indices } : {}) };
}

/** Disposes every tensor of a batch. */
export function disposeBatch(batch: Batch): void {
  dispose(batch.views.flatMap(viewTensors));
}
