/**
 * Search over a saved embedding set as one library call (what `contrastive search` is): the
 * queries (texts, or items of a data file) go through the run's encoder (the one that wrote the
 * set, named by its metadata, or `checkpoint`), and each query's `k` nearest rows of the set come
 * back closest first, by cosine similarity (exact search: search/exact-knn.ts), with each row's id,
 * label and, when the set was made from the user's texts, the text itself.
 *
 *     contrastive embed --checkpoint runs/my-texts --data texts.txt --out texts.npy
 *     contrastive search "how do I reset my password" --embeddings texts.npy --k 5
 *
 * Every query is checked before any work: an empty query, a set whose rows are not the encoder's
 * width, an encoder that cannot read the queries (text queries need a text encoder) are one
 * UsageError naming the argument.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { loadMatrix } from '../data/matrix-file.js';
import { openData, TEXT_EXTENSIONS } from '../data/registry.js';
import type { Source } from '../data/source.js';
import { restoreEncoder } from '../train/run.js';
import { checkFiniteEmbeddings, checkFiniteWeights } from '../train/embed-run.js';
import { UsageError } from '../util/usage-error.js';
import { nearestNeighbors } from './exact-knn.js';

export interface SearchRunOptions {
  /** The embedding set: a matrix file written by `contrastive embed` (its `<file>.json` beside it). */
  embeddings: string;
  /** Text queries (a text encoder's). */
  queries?: string[];
  /** Or a file of queries: a .txt (one per line), .jsonl, a folder of images, a table, as `--data` reads them. */
  queryFile?: string;
  /** The run (or saved encoder) that embeds the queries. Default: the one that wrote the set (its metadata's `checkpoint`). */
  checkpoint?: string;
  /** Neighbours per query. Default 10. */
  k?: number;
}

/** One neighbour of a query. */
export interface SearchHit {
  /** 1-based rank. */
  rank: number;
  /** Row of the embedding set. */
  row: number;
  /** The row's id (a file, a line, a row number). */
  id: string;
  /** Cosine similarity to the query, in [-1, 1]. */
  score: number;
  /** The row's class name, when the set has labels. */
  label?: string;
  /** The row's text, when the set was made from the user's texts and the file is still there. */
  text?: string;
}

export interface SearchResult {
  /** Each query (its text, or its id in the query file) with its hits. */
  results: { query: string; hits: SearchHit[] }[];
  /** The run whose encoder embedded the queries. */
  checkpoint: string;
}

/** What search reads of an embedding set's metadata (its sidecar, checked by loadMatrix; ids and labels come from the set). */
interface SetMeta {
  /** The class names the sidecar gives (a label is shown only when its class is named). */
  classNames?: string[];
  checkpoint?: string;
  data?: string;
}

export async function searchRun(options: SearchRunOptions): Promise<SearchResult> {
  const o = options;
  const k = o.k ?? 10;
  if (!Number.isInteger(k) || k < 1) throw new UsageError('k', `expected an integer >= 1, received ${o.k}`);
  if ((o.queries === undefined) === (o.queryFile === undefined)) throw new UsageError('query', `expected a query text or --query-file, received ${o.queries === undefined ? 'neither' : 'both'}`, { positional: true });
  if (o.queries !== undefined) {
    if (o.queries.length === 0) throw new UsageError('query', 'expected at least one query text (or --query-file), received none', { positional: true });
    const empty = o.queries.findIndex((q) => typeof q !== 'string' || q.trim() === '');
    if (empty >= 0) throw new UsageError('query', `expected non-empty query texts, received ${JSON.stringify(o.queries[empty])}`, { positional: true });
  }
  if (!existsSync(o.embeddings)) throw new UsageError('embeddings', `expected an embedding set written by contrastive embed, received '${o.embeddings}' (nothing at this path)`);
  const set = loadMatrix(o.embeddings);
  const meta = (set.sidecar ?? {}) as SetMeta;
  if (set.size === 0) throw new UsageError('embeddings', `expected a set of at least one row, received '${o.embeddings}' with none`);
  if (k > set.size) throw new UsageError('k', `expected at most the ${set.size} rows of '${o.embeddings}', received ${k}`);
  const checkpoint = o.checkpoint ?? meta.checkpoint;
  if (checkpoint === undefined) throw new UsageError('checkpoint', `expected the run whose encoder embeds the queries ('${o.embeddings}.json' names none), received none`);
  // The metadata's checkpoint is as embed was given it: relative to where embed ran, else to the set.
  const runDir = o.checkpoint !== undefined || existsSync(checkpoint) ? checkpoint : resolve(dirname(o.embeddings), checkpoint);
  const restored = await restoreEncoder(runDir, 'checkpoint');
  try {
    checkFiniteWeights(runDir, restored.encoder);
    const encoder = restored.encoder;
    let items: unknown[], names: string[];
    if (o.queries !== undefined) {
      if (encoder.input.kind !== 'text') throw new UsageError('query', `expected ${encoder.input.kind === 'image' ? 'images' : 'rows'} (what the encoder of '${runDir}' reads; use --query-file), received text`, { positional: true });
      items = o.queries;
      names = o.queries;
    } else {
      const opened = await openData({ data: o.queryFile! });
      if (opened.source.spec.kind !== encoder.input.kind) throw new UsageError('queryFile', `expected ${encoder.input.kind === 'text' ? 'texts' : encoder.input.kind === 'image' ? 'images' : 'rows'} (what the encoder of '${runDir}' reads), received ${opened.source.spec.kind === 'text' ? 'texts' : opened.source.spec.kind === 'image' ? 'images' : 'rows'} in '${o.queryFile}'`);
      items = Array.from({ length: opened.source.size }, (_, i) => opened.source.item(i));
      names = Array.from({ length: opened.source.size }, (_, i) => (typeof items[i] === 'string' ? (items[i] as string) : opened.source.id(i)));
    }
    const q = encoder.embed(items as never);
    checkFiniteEmbeddings(runDir, q);
    if (q.dim !== set.spec.dim) throw new UsageError('embeddings', `expected rows of ${q.dim} values (the width of the encoder of '${runDir}'), received rows of ${set.spec.dim} in '${o.embeddings}'`);
    const found = nearestNeighbors({ values: q.values, dim: q.dim }, { k, gallery: { values: set.values, dim: set.spec.dim } });
    let texts: Map<string, string> | undefined;
    if (meta.data) texts = await readRowTexts(meta.data);
    const results = names.map((query, qi) => ({
      query,
      hits: Array.from({ length: k }, (_, r) => {
        const row = found.indices[qi * k + r];
        const id = set.id(row);
        const label = set.labels?.[row];
        const text = texts?.get(id);
        return {
          rank: r + 1, row, id, score: found.scores[qi * k + r],
          ...(label !== undefined && label >= 0 && meta.classNames?.[label] !== undefined ? { label: meta.classNames[label] } : {}),
          ...(text !== undefined ? { text } : {}),
        };
      }),
    }));
    return { results, checkpoint: runDir };
  } finally {
    restored.dispose();
  }
}

/** The texts of a text file by their ids (`line N`), or undefined when the file is not a readable text file any more. */
async function readRowTexts(data: string): Promise<Map<string, string> | undefined> {
  if (!existsSync(data) || statSync(data).isDirectory() || !TEXT_EXTENSIONS.includes(extname(data).toLowerCase())) return undefined;
  try {
    const { source } = await openData({ data });
    if (source.spec.kind !== 'text') return undefined;
    const out = new Map<string, string>();
    for (let i = 0; i < source.size; i++) out.set(source.id(i), source.item(i) as string);
    return out;
  } catch {
    return undefined; // changed since the set was made: the hits go without their texts
  }
}
