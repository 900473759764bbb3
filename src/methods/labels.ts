import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * The labels of V stacked views: the N labels of the items, repeated V times (row v * N + i is
 * view v of item i). Throws, naming the method, when the labels are missing or do not match.
 */
export function repeatLabels(method: string, views: Tensor[], labels: Int32Array | undefined): Int32Array {
  if (views.length < 1) throw new Error(`${method}: expects at least 1 view, received 0`);
  const n = views[0].shape[0];
  if (!labels) throw new Error(`${method}: needs the batch's labels (a supervised method), received none`);
  if (labels.length !== n) throw new Error(`${method}: expects ${n} labels (one per item), received ${labels.length}`);
  const out = new Int32Array(views.length * n);
  for (let v = 0; v < views.length; v++) out.set(labels, v * n);
  return out;
}
