/**
 * Argument checks shared by the metric-learning losses: each error names the function, the
 * argument, what was expected and what was received.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Distance } from '../distances/distance.js';

/** A margin: a finite number >= 0. */
export function checkMargin(caller: string, margin: unknown): number {
  if (typeof margin !== 'number' || !Number.isFinite(margin) || margin < 0) {
    throw new Error(`${caller}: margin must be a finite number >= 0, received ${String(margin)}`);
  }
  return margin;
}

/** A temperature: a finite number > 0. */
export function checkTemperature(caller: string, temperature: unknown): number {
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0) {
    throw new Error(`${caller}: temperature must be a finite number > 0, received ${String(temperature)}`);
  }
  return temperature;
}

/** A loss weight or offset: a finite number >= 0; `name` is the argument's name. */
export function checkWeight(caller: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`${caller}: ${name} must be a finite number >= 0, received ${String(value)}`);
  }
  return value;
}

export function checkBoolean(caller: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new Error(`${caller}: ${name} must be a boolean, received ${String(value)}`);
  return value;
}

/** An injected distance: an object with pairwise and paired, and the expected isInverted. */
export function checkDistance(caller: string, name: string, distance: Distance, inverted?: boolean): Distance {
  if (typeof distance !== 'object' || distance === null || typeof distance.pairwise !== 'function' || typeof distance.paired !== 'function') {
    throw new Error(`${caller}: ${name} must be a Distance (with pairwise and paired), received ${String(distance)}`);
  }
  if (inverted !== undefined && distance.isInverted !== inverted) {
    const want = inverted ? 'a similarity (isInverted true)' : 'a distance (isInverted false)';
    throw new Error(`${caller}: ${name} must be ${want}, received ${distance.name} (isInverted ${distance.isInverted})`);
  }
  return distance;
}

/** A tfjs tensor (by shape, so that a tensor of another tfjs-core copy passes too). */
export function isTensor(x: unknown): x is tf.Tensor {
  return x instanceof tf.Tensor || (typeof x === 'object' && x !== null && Array.isArray((x as tf.Tensor).shape) && typeof (x as tf.Tensor).dataSync === 'function');
}

/** Throws unless x is 2-D [N, D] with N >= minRows. */
export function checkEmbeddings(caller: string, name: string, x: tf.Tensor, minRows = 1): void {
  if (!isTensor(x) || x.rank !== 2) {
    throw new Error(`${caller}: ${name} must be a 2-D tensor [N, D], received ${isTensor(x) ? `shape [${x.shape}]` : String(x)}`);
  }
  if (x.shape[0] < minRows) throw new Error(`${caller}: ${name} must have at least ${minRows} row(s), received shape [${x.shape}]`);
}

/** Throws unless a and b have the same shape [N, D]. */
export function checkSameShape(caller: string, names: string, a: tf.Tensor, b: tf.Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) {
    throw new Error(`${caller}: ${names} must have the same shape [N, D], received [${a.shape}] and [${b.shape}]`);
  }
}

/** Integer class labels, one per row: an Int32Array, a number[] or an int32 tensor [N]. */
export type Labels = Int32Array | readonly number[] | tf.Tensor1D;

/** The labels as an Int32Array of length n (read from the tensor: labels are data, never differentiated). */
export function readLabels(caller: string, labels: Labels, n: number): Int32Array {
  let values: ArrayLike<number>;
  if (isTensor(labels)) {
    if (labels.rank !== 1 || labels.dtype !== 'int32') {
      throw new Error(`${caller}: labels must be an int32 tensor [N], received ${labels.dtype} shape [${labels.shape}]`);
    }
    values = labels.dataSync();
  } else if (labels instanceof Int32Array || Array.isArray(labels)) {
    values = labels;
  } else {
    throw new Error(`${caller}: labels must be an Int32Array, a number[] or an int32 tensor [N], received ${String(labels)}`);
  }
  if (values.length !== n) throw new Error(`${caller}: labels must have one entry per row (${n}), received ${values.length}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isInteger(v)) throw new Error(`${caller}: labels must be integers, received ${String(v)} at index ${i}`);
    out[i] = v;
  }
  return out;
}
