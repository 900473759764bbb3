import type { Batch } from '../data/batch.js';

/**
 * The labels of V stacked views: the N labels of the batch's items, repeated V times (row v * N + i
 * is view v of item i). Throws, naming the method, when the labels are missing, do not match, or
 * an item is unlabelled (-1).
 */
export function repeatLabels(method: string, batch: Batch): Int32Array {
  const { views, labels, size: n } = batch;
  if (views.length < 1) throw new Error(`${method}: expects at least 1 view, received 0`);
  if (!labels) throw new Error(`${method}: needs the batch's labels (a supervised method), received none`);
  if (labels.length !== n) throw new Error(`${method}: expects ${n} labels (one per item), received ${labels.length}`);
  const missing = labels.indexOf(-1);
  if (missing >= 0) throw new Error(`${method}: every item of a batch needs a label, item ${missing} has none (-1)`);
  const out = new Int32Array(views.length * n);
  for (let v = 0; v < views.length; v++) out.set(labels, v * n);
  return out;
}
