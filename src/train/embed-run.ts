/**
 * The embeddings of a run's encoder as one library call (what `contrastive embed` is): every item
 * of the data (or, with `limit`, the run protocol's sample of training and held-out items) through
 * the encoder, written as FILE (float32, little-endian, row-major [rows, dim]; a NumPy 1.0 `.npy`
 * file of dtype '<f4' when FILE ends in `.npy`, else the raw values) and FILE.json (its metadata:
 * rows, dim, the data's name (and the path of the user's data), class names, labels (-1: none), ids, which split each row belongs to,
 * the checkpoint, and FILE's `byteLength` and `checksum` (CRC-32)). With `whiten` the rows are
 * PCA-whitened by a whitening fitted on the training split's rows without labels, and FILE.json
 * also holds that whitening (mean, matrix) so new vectors of the same encoder can be whitened the
 * same way: `(x - mean) matrix`.
 *
 * The pair appears whole or not at all (util/atomic-file.ts): both files are written under
 * temporary names and flushed, FILE is renamed into place, then FILE.json (the commit point). A
 * writer killed between the two renames leaves a new FILE beside the old FILE.json, whose checksum
 * no longer matches: the matrix reader (data/matrix-file.ts) refuses the pair. The temporary files
 * of a killed writer are removed at the next start.
 *
 * Nothing non-finite is written: a checkpoint whose weights hold NaN/Infinity (a run that diverged)
 * is refused before any embedding, and so is an encoder that gives a NaN or infinite embedding.
 */
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../util/usage-error.js';
import { processAlive, removeLeftovers, writeFilesAtomic } from '../util/atomic-file.js';
import { protocolItems } from '../data/protocol.js';
import type { DataOptions } from '../data/registry.js';
import { subsetSource } from '../data/source.js';
import { fitWhitening, type Whitening } from '../eval/whitening.js';
import type { Embeddings } from '../eval/knn.js';
import { crc32, nonFiniteWeight, type Encoder } from '../models/encoder.js';
import { restoreEncoder } from './run.js';
import { openRunData } from './run-data.js';
import { embedItems } from '../embed/embed.js';
import type { LongText } from '../embed/text-windows.js';

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
  /** Texts longer than the encoder's maxLength: 'truncate' (default) or 'windows' (embedded whole, src/embed/text-windows.ts). */
  longText?: LongText;
  /** With longText 'windows': content tokens between window starts (default: no overlap). */
  stride?: number;
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
  if (existsSync(`${o.out}.json`) && statSync(`${o.out}.json`).isDirectory()) throw new UsageError('out', `expected a file path whose metadata file '${o.out}.json' can be written, received '${o.out}' (that is a folder)`);
  removeLeftovers(parent);
  removeLegacyLeftovers(parent, basename(o.out));
  const restored = await restoreEncoder(o.checkpoint);
  try {
    checkFiniteWeights(o.checkpoint, restored.encoder);
    const opened = await openRunData(o, restored.config, restored.encoder.input);
    const source = opened.source;
    const seed = o.seed ?? restored.config?.seed ?? 0;
    const items = protocolItems(source.size, source.labels, { limit: o.limit, seed, limitTest: true });
    const trainSet = new Set(items.pool);
    const rowsIdx = o.limit === undefined ? Int32Array.from({ length: source.size }, (_, i) => i) : Int32Array.from([...items.pool, ...items.test]).sort();
    const rows = rowsIdx.length === source.size ? source : subsetSource(source, rowsIdx);
    const split = Array.from(rowsIdx, (i) => (trainSet.has(i) ? 'train' : 'test'));
    if ((o.longText !== undefined || o.stride !== undefined) && restored.encoder.input.kind !== 'text') {
      throw new UsageError(o.longText !== undefined ? 'long-text' : 'stride', `applies to text encoders; this checkpoint's encoder embeds ${restored.encoder.input.kind} items`);
    }
    if (o.stride !== undefined && o.longText !== 'windows') throw new UsageError('stride', `applies with --long-text windows, received --long-text ${o.longText ?? 'truncate'}`);
    let e: Embeddings;
    try {
      e = embedItems(rows as never, restored.encoder as never, { onProgress: o.onEmbedProgress, longText: o.longText, stride: o.stride });
    } catch (err) {
      const m = /^Encoder\.embed: (longText|stride) (.*)$/.exec((err as Error).message);
      if (m) throw new UsageError(m[1] === 'longText' ? 'long-text' : 'stride', m[2]);
      throw err;
    }
    checkFiniteEmbeddings(o.checkpoint, e);
    let whitening: Whitening | undefined;
    if (o.whiten) {
      const train = new Float32Array(split.filter((s) => s === 'train').length * e.dim);
      let t = 0;
      split.forEach((s, r) => {
        if (s === 'train') train.set(e.values.subarray(r * e.dim, (r + 1) * e.dim), (t++) * e.dim);
      });
      whitening = fitWhitening({ values: train, dim: e.dim });
      e = whitening.transform(e);
      const bad = countNonFiniteRows(e);
      if (bad > 0) throw new Error(`embedRun: the whitening gives non-finite values in ${bad} of ${e.values.length / e.dim} rows; nothing written`);
    }
    // The user's file or folder the rows come from (search shows their texts): the one given, else the run's.
    const dataPath = o.data !== undefined ? resolve(o.data) : o.dataset === undefined ? restored.config?.data : undefined;
    const bytes = o.out.toLowerCase().endsWith('.npy') ? npyBytes(e.values, rows.size, e.dim) : leBytes(e.values);
    const meta = {
      rows: rows.size, dim: e.dim, dtype: 'float32', byteOrder: 'little-endian', layout: 'row-major',
      dataset: opened.name, ...(dataPath !== undefined ? { data: dataPath } : {}), classNames: source.classNames ?? [], labels: source.labels ? Array.from(rowsIdx, (i) => source.labels![i]) : Array.from(rowsIdx, () => -1),
      ids: Array.from(rowsIdx, (i) => source.id(i)), split, checkpoint: o.checkpoint,
      ...(o.longText === 'windows' ? { longText: 'windows', ...(o.stride !== undefined ? { stride: o.stride } : {}) } : {}),
      ...(whitening ? {
        whitening: {
          fittedOn: 'train', shrinkage: whitening.shrinkage, mean: Array.from(whitening.mean),
          matrix: Array.from(whitening.matrix), layout: 'row-major [dim, dim]: whitened = (x - mean) matrix',
        },
      } : {}),
      file: basename(o.out), byteLength: bytes.byteLength, checksum: { algorithm: 'crc32', value: crc32(bytes) },
    };
    // The matrix first, its metadata (which checks it) last: the commit point.
    writeFilesAtomic([{ path: o.out, data: bytes }, { path: `${o.out}.json`, data: JSON.stringify(meta) }]);
    return { out: o.out, rows: rows.size, dim: e.dim };
  } finally {
    restored.dispose();
  }
}

/**
 * Refuses an encoder whose float32 weights hold NaN/Infinity, naming the file they came from. A saved
 * encoder with such weights is refused when it loads (Encoder.fromArtifacts), so here they came
 * from the run's checkpoint: the weights file named by its checkpoint.json.
 */
export function checkFiniteWeights(checkpoint: string, encoder: Encoder): void {
  const bad = nonFiniteWeight(encoder.model);
  if (!bad) return;
  let file = join(checkpoint, 'checkpoint.json');
  try {
    const named = (JSON.parse(readFileSync(file, 'utf8')) as { weightsFile?: unknown }).weightsFile;
    if (typeof named === 'string' && named !== '') file = join(checkpoint, named);
  } catch {
    // no readable checkpoint.json: name the checkpoint itself
  }
  throw new UsageError('checkpoint', `${file}: weights hold NaN/Infinity: '${bad.name}'[${bad.index}] = ${bad.value}: the run diverged; nothing written`);
}

/** Rows of `e` that hold a NaN or infinite value. */
function countNonFiniteRows(e: Embeddings): number {
  let bad = 0;
  for (let r = 0; r * e.dim < e.values.length; r++) {
    for (let j = r * e.dim; j < (r + 1) * e.dim; j++) {
      if (!Number.isFinite(e.values[j])) {
        bad++;
        break;
      }
    }
  }
  return bad;
}

/** Refuses embeddings that hold NaN/Infinity: the encoder's output overflowed (a run that diverged). */
export function checkFiniteEmbeddings(checkpoint: string, e: Embeddings): void {
  const bad = countNonFiniteRows(e);
  if (bad > 0) {
    throw new UsageError('checkpoint', `'${checkpoint}': the encoder gives non-finite embeddings (${bad} of ${e.values.length / e.dim} rows): the run diverged; nothing written`);
  }
}

/** The float32 values as little-endian bytes. */
function leBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] === 1) return bytes;
  const out = new Uint8Array(values.byteLength);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
}

/** A NumPy format 1.0 file of the [rows, dim] float32 values: dtype '<f4', C order. */
function npyBytes(values: Float32Array, rows: number, dim: number): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${dim}), }`;
  // magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + values.byteLength);
  out.set([0x93, ...Buffer.from('NUMPY', 'latin1'), 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(leBytes(values), 10 + header.length);
  return out;
}

/**
 * Removes `<name>.tmp-<pid>` and `<name>.json.tmp-<pid>` of dead pids in `dir`: the temporary files
 * of this output that versions before util/atomic-file.ts left when killed.
 */
function removeLegacyLeftovers(dir: string, name: string): void {
  for (const f of readdirSync(dir)) {
    const rest = f.startsWith(`${name}.json.tmp-`) ? f.slice(name.length + 10) : f.startsWith(`${name}.tmp-`) ? f.slice(name.length + 5) : '';
    const pid = /^\d+$/.test(rest) ? Number(rest) : 0;
    if (pid > 0 && pid !== process.pid && !processAlive(pid)) rmSync(join(dir, f), { force: true });
  }
}
