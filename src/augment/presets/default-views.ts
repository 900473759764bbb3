/**
 * The views a kind of item gets when a run names none: images SimCLR's pipeline at the data's own
 * size (colour distortion for 3 channels), rows SCARF's feature corruption drawn from the training
 * rows. Text needs a tokenizer and a transformer encoder (not built in yet).
 */
import type { ItemSpec } from '../../data/source.js';
import { Scarf } from '../table/scarf.js';
import type { ViewTransform } from '../view-transform.js';
import { simclrViews } from './simclr.js';

export interface DefaultViewOptions {
  /** Images: smallest area of the random resized crop. Default 0.8 (measured for 28x28, BENCHMARKS.md). */
  cropScale?: number;
  /** Rows: the training rows SCARF draws replacement values from (required for rows). */
  rows?: readonly ArrayLike<number>[];
  /** Rows: share of features SCARF corrupts. Default 0.6 (Bahri et al. 2022). */
  corruption?: number;
}

export function defaultViews(spec: ItemSpec, options: DefaultViewOptions = {}): ViewTransform<unknown, unknown> {
  if (spec.kind === 'image') {
    const channels = spec.channels === 3 ? 3 : 1;
    return simclrViews({ size: [spec.height, spec.width], cropScale: [options.cropScale ?? 0.8, 1], channels }) as ViewTransform<unknown, unknown>;
  }
  if (spec.kind === 'vector') {
    if (!options.rows) throw new Error('defaultViews: rows need the training rows (options.rows) for SCARF, received none');
    return new Scarf({ rows: options.rows, ...(options.corruption !== undefined ? { corruption: options.corruption } : {}) }) as ViewTransform<unknown, unknown>;
  }
  throw new Error(`defaultViews: items of kind '${spec.kind}' have no built-in views yet (text needs a tokenizer and a transformer encoder)`);
}
