/**
 * The kNN monitor (Wu et al. 2018's weighted kNN, k = 200, T = 0.1, cosine; the online
 * evaluation of lightly and solo-learn): after every epoch, embed a labelled bank and held-out
 * queries with the method's encoder and record top-1 in the epoch's log (`knnTop1`). Keep both
 * sets small (thousands of items) so that it costs seconds.
 */
import type { Collate } from '../../data/collate.js';
import { requireLabels, subsetSource, type Source } from '../../data/source.js';
import { embed } from '../../embed/embed.js';
import { weightedKnnAccuracy, type KnnOptions } from '../../eval/knn.js';
import type { TrainerCallback } from './callback.js';

export interface KnnMonitorOptions<Item> {
  /** The labelled bank. */
  train: Source<Item>;
  /** The queries. */
  test: Source<Item>;
  /** Items -> encoder input. Default: by the sources' kind. */
  collate?: Collate<Item>;
  /** Neighbours and temperature. Default k 200, T 0.1. */
  k?: number;
  temperature?: number;
}

export function knnMonitor<Item>(options: KnnMonitorOptions<Item>): TrainerCallback {
  const { train, test, collate, k, temperature } = options ?? ({} as KnnMonitorOptions<Item>);
  if (!train || !test) throw new Error('knnMonitor: train and test sources are required');
  // Only labelled items (label >= 0) vote and are scored.
  const labelled = (s: Source<Item>) => {
    const y = requireLabels('knnMonitor', s);
    const keep = Array.from(y.keys()).filter((i) => y[i] >= 0);
    if (keep.length === 0) throw new Error(`knnMonitor: the source '${s.name}' has no labelled item`);
    return keep.length === s.size ? s : subsetSource(s, keep);
  };
  const bank = labelled(train), queries = labelled(test);
  const trainLabels = bank.labels!, testLabels = queries.labels!;
  const knn: KnnOptions = { ...(k !== undefined ? { k } : {}), ...(temperature !== undefined ? { temperature } : {}) };
  return {
    onEpochEvaluate: (log, method) => {
      const e = (s: Source<Item>) => embed(s, method, collate ? { collate } : {});
      log.knnTop1 = weightedKnnAccuracy(e(bank), trainLabels, e(queries), testLabels, knn);
    },
  };
}
