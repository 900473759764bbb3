/**
 * The embeddings of a run's encoder as one library call (what `contrastive embed` is): every item
 * of the data (or, with `limit`, the run protocol's sample of training and held-out items) through
 * the encoder, written as FILE (float32, little-endian, row-major [rows, dim]) and FILE.json (its
 * metadata: rows, dim, the data's name, class names, labels (-1: none), ids, which split each row
 * belongs to, the checkpoint). With `whiten` the rows are PCA-whitened by a whitening fitted on the
 * training split's rows without labels, and FILE.json also holds that whitening (mean, matrix) so
 * new vectors of the same encoder can be whitened the same way: `(x - mean) matrix`.
 */
import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../util/usage-error.js';
import { protocolItems } from '../data/protocol.js';
import type { DataOptions } from '../data/registry.js';
import { subsetSource } from '../data/source.js';
import { fitWhitening, type Whitening } from '../eval/whitening.js';
import { restoreEncoder } from './run.js';
import { openRunData } from './run-data.js';
import { embedItems } from '../embed/embed.js';

export interface EmbedRunOptions extends Omit<DataOptions, 'dataset' | 'data'> {
  /** The run directory (or a saved encoder's). */
  checkpoint: string;
  /** Output file (metadata: `<out>.json`). */
  out: string;
  /** Data to embed (default: the run's). */
  dataset?: string;
  data?: string;
  /** Only the protocol's seeded sample of this many training items and 1/6 as many held-out ones. */
  limit?: number;
  /** Seed of the sample (default: the run's seed, else 0). */
  seed?: number;
  whiten?: boolean;
  /** Progress of the embedding. */
  onEmbedProgress?: (done: number, total: number) => void;
}

export interface EmbedRunResult {
  out: string;
  rows: number;
  dim: number;
}

export async function embedRun(options: EmbedRunOptions): Promise<EmbedRunResult> {
  const o = options;
  // Where the files go is checked before any work: an existing folder for them, not a folder itself.
  const parent = dirname(resolve(o.out));
  if (!existsSync(parent) || !statSync(parent).isDirectory()) throw new UsageError('out', `expected a file path in an existing folder, received '${o.out}' (no folder '${parent}')`);
  if (existsSync(o.out) && statSync(o.out).isDirectory()) throw new UsageError('out', `expected a file path, received the folder '${o.out}'`);
  const restored = await restoreEncoder(o.checkpoint);
  try {
    const opened = await openRunData(o, restored.config, restored.encoder.input);
    const source = opened.source;
    const seed = o.seed ?? restored.config?.seed ?? 0;
    const items = protocolItems(source.size, source.labels, { limit: o.limit, seed, limitTest: true });
    const trainSet = new Set(items.pool);
    const rowsIdx = o.limit === undefined ? Int32Array.from({ length: source.size }, (_, i) => i) : Int32Array.from([...items.pool, ...items.test]).sort();
    const rows = rowsIdx.length === source.size ? source : subsetSource(source, rowsIdx);
    const split = Array.from(rowsIdx, (i) => (trainSet.has(i) ? 'train' : 'test'));
    let e = embedItems(rows as never, restored.encoder as never, { onProgress: o.onEmbedProgress });
    let whitening: Whitening | undefined;
    if (o.whiten) {
      const train = new Float32Array(split.filter((s) => s === 'train').length * e.dim);
      let t = 0;
      split.forEach((s, r) => {
        if (s === 'train') train.set(e.values.subarray(r * e.dim, (r + 1) * e.dim), (t++) * e.dim);
      });
      whitening = fitWhitening({ values: train, dim: e.dim });
      e = whitening.transform(e);
    }
    const meta = {
      rows: rows.size, dim: e.dim, dtype: 'float32', byteOrder: 'little-endian', layout: 'row-major',
      dataset: opened.name, classNames: source.classNames ?? [], labels: source.labels ? Array.from(rowsIdx, (i) => source.labels![i]) : Array.from(rowsIdx, () => -1),
      ids: Array.from(rowsIdx, (i) => source.id(i)), split, checkpoint: o.checkpoint,
      ...(whitening ? {
        whitening: {
          fittedOn: 'train', shrinkage: whitening.shrinkage, mean: Array.from(whitening.mean),
          matrix: Array.from(whitening.matrix), layout: 'row-major [dim, dim]: whitened = (x - mean) matrix',
        },
      } : {}),
    };
    const tmp = `.tmp-${process.pid}`;
    try {
      writeFileSync(o.out + tmp, new Uint8Array(e.values.buffer, e.values.byteOffset, e.values.byteLength));
      writeFileSync(`${o.out}.json${tmp}`, JSON.stringify(meta));
      renameSync(o.out + tmp, o.out);
      renameSync(`${o.out}.json${tmp}`, `${o.out}.json`);
    } finally {
      rmSync(o.out + tmp, { force: true });
      rmSync(`${o.out}.json${tmp}`, { force: true });
    }
    return { out: o.out, rows: rows.size, dim: e.dim };
  } finally {
    restored.dispose();
  }
}
