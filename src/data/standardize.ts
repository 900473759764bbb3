/**
 * Standardisation of rows (z-scores per feature), fitted on the training rows only and then applied
 * to every row: x' = (x - mean) / std. A feature that does not vary in the training rows (std 0)
 * is centred and left unscaled (divided by 1), as scikit-learn's StandardScaler does.
 */
import { checkIndex, type Source } from './source.js';

export interface Standardizer {
  mean: number[];
  std: number[];
}

/** Mean and (population) std of every feature over the rows `indices` of `source` (default: all). */
export function fitStandardizer(source: Source<ArrayLike<number>>, indices?: ArrayLike<number>): Standardizer {
  if (source.spec.kind !== 'vector') throw new Error(`fitStandardizer: needs rows (a vector source), received items of kind '${source.spec.kind}'`);
  const dim = source.spec.dim;
  const idx = indices ?? Int32Array.from({ length: source.size }, (_, i) => i);
  if (idx.length === 0) throw new Error('fitStandardizer: needs at least one row, received 0');
  const sum = new Float64Array(dim), sq = new Float64Array(dim);
  for (let t = 0; t < idx.length; t++) {
    const r = source.item(idx[t]);
    for (let j = 0; j < dim; j++) sum[j] += r[j];
  }
  const mean = Array.from(sum, (s) => s / idx.length);
  for (let t = 0; t < idx.length; t++) {
    const r = source.item(idx[t]);
    for (let j = 0; j < dim; j++) sq[j] += (r[j] - mean[j]) ** 2;
  }
  const std = Array.from(sq, (s) => {
    const v = Math.sqrt(s / idx.length);
    return v > 0 ? v : 1;
  });
  return { mean, std };
}

/** The source with every row standardised (new Float32Array rows). */
export function standardizedSource(source: Source<ArrayLike<number>>, s: Standardizer): Source<Float32Array> {
  if (source.spec.kind !== 'vector' || s.mean.length !== source.spec.dim || s.std.length !== source.spec.dim) {
    throw new Error(`standardizedSource: needs rows of ${s.mean.length} features, received ${source.spec.kind === 'vector' ? `rows of ${source.spec.dim}` : `items of kind '${source.spec.kind}'`}`);
  }
  return {
    name: source.name, size: source.size, spec: source.spec,
    ...(source.labels ? { labels: source.labels, classNames: source.classNames } : {}),
    item: (i) => {
      checkIndex('standardizedSource', i, source.size);
      const r = source.item(i);
      return Float32Array.from({ length: s.mean.length }, (_, j) => (r[j] - s.mean[j]) / s.std[j]);
    },
    id: (i) => source.id(i),
  };
}
