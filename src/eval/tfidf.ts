/**
 * A TF-IDF text encoder, the classic baseline of text retrieval and classification, as
 * scikit-learn's `TfidfVectorizer` computes it with its defaults
 * (https://scikit-learn.org/stable/modules/feature_extraction.html#tfidf-term-weighting):
 *
 * - tokens: the text lower-cased, then every maximal run of 2 or more word characters
 *   (letters, digits, '_'; sklearn's token pattern `(?u)\b\w\w+\b`);
 * - vocabulary: every token of the training texts with document frequency >= `minDf` (default 1),
 *   optionally the `maxFeatures` most frequent (by total count, ties alphabetical); column order
 *   is alphabetical, as sklearn's;
 * - idf(t) = ln((1 + n) / (1 + df(t))) + 1 (smooth_idf=True), n training texts;
 * - a row: tf(t) = count of t in the text (or 1 + ln(count) with `sublinearTf`), times idf(t),
 *   then divided by its L2 norm (a text without any vocabulary token stays all zero).
 *
 * Rows are sparse ({indices, values}, indices increasing). `embed(texts)` gives dense Float32Array
 * rows over only the columns that some row of this call uses (the union of their terms, in
 * vocabulary order): dot products and cosines between the rows of one call are exactly those of the
 * full rows, and memory is texts x used terms instead of texts x vocabulary (for 3,000 WordNet
 * glosses and lemmas, ~6k columns instead of ~50k). So embed a query set and its gallery in one
 * call. `dense(texts)` gives full-width rows when the columns must line up across calls.
 */

export interface TfidfOptions {
  /** 1 + ln(tf) instead of tf (sklearn's sublinear_tf). Default false. */
  sublinearTf?: boolean;
  /** Drop terms in fewer than this many training texts (sklearn's integer min_df). Default 1. */
  minDf?: number;
  /** Keep only the most frequent terms (sklearn's max_features). Default all. */
  maxFeatures?: number;
}

/** One sparse row: vocabulary columns (increasing) and their values. */
export interface SparseRow {
  indices: Int32Array;
  values: Float32Array;
}

const TOKEN = /[\p{L}\p{N}_]{2,}/gu;

/** The tokens of a text, as sklearn's default analyzer: lower-cased runs of >= 2 word characters. */
export function tfidfTokens(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

export class TfidfEncoder {
  /** Terms by column (alphabetical). */
  readonly vocabulary: readonly string[];
  /** idf of each column. */
  readonly idf: Float64Array;
  readonly sublinearTf: boolean;
  private readonly column: Map<string, number>;

  private constructor(vocabulary: string[], idf: Float64Array, sublinearTf: boolean) {
    this.vocabulary = vocabulary;
    this.idf = idf;
    this.sublinearTf = sublinearTf;
    this.column = new Map(vocabulary.map((t, i) => [t, i]));
  }

  /** Learns the vocabulary and idf from the training texts. */
  static fit(texts: readonly string[], options: TfidfOptions = {}): TfidfEncoder {
    const { sublinearTf = false, minDf = 1, maxFeatures } = options;
    if (!Array.isArray(texts) || texts.length === 0) throw new Error(`TfidfEncoder.fit: texts must be a non-empty array of strings, received ${Array.isArray(texts) ? 'an empty array' : typeof texts}`);
    if (!Number.isInteger(minDf) || minDf < 1) throw new Error(`TfidfEncoder.fit: minDf must be an integer >= 1, received ${JSON.stringify(minDf)}`);
    if (maxFeatures !== undefined && (!Number.isInteger(maxFeatures) || maxFeatures < 1)) {
      throw new Error(`TfidfEncoder.fit: maxFeatures must be an integer >= 1, received ${JSON.stringify(maxFeatures)}`);
    }
    const df = new Map<string, number>(), total = new Map<string, number>();
    for (const text of texts) {
      const tokens = tfidfTokens(text);
      for (const t of tokens) total.set(t, (total.get(t) ?? 0) + 1);
      for (const t of new Set(tokens)) df.set(t, (df.get(t) ?? 0) + 1);
    }
    let terms = [...df.keys()].filter((t) => df.get(t)! >= minDf);
    if (maxFeatures !== undefined && terms.length > maxFeatures) {
      terms.sort((a, b) => total.get(b)! - total.get(a)! || (a < b ? -1 : 1));
      terms = terms.slice(0, maxFeatures);
    }
    terms.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const n = texts.length;
    const idf = Float64Array.from(terms, (t) => Math.log((1 + n) / (1 + df.get(t)!)) + 1);
    return new TfidfEncoder(terms, idf, sublinearTf);
  }

  get size(): number {
    return this.vocabulary.length;
  }

  /** The L2-normalised TF-IDF row of one text. */
  row(text: string): SparseRow {
    const counts = new Map<number, number>();
    for (const t of tfidfTokens(text)) {
      const c = this.column.get(t);
      if (c !== undefined) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const indices = Int32Array.from([...counts.keys()].sort((a, b) => a - b));
    const raw = Float64Array.from(indices, (c) => (this.sublinearTf ? 1 + Math.log(counts.get(c)!) : counts.get(c)!) * this.idf[c]!);
    let norm = 0;
    for (const v of raw) norm += v * v;
    norm = Math.sqrt(norm);
    return { indices, values: Float32Array.from(raw, (v) => (norm > 0 ? v / norm : 0)) };
  }

  transform(texts: readonly string[]): SparseRow[] {
    return texts.map((t) => this.row(t));
  }

  /** Full-width dense rows ([texts, vocabulary size]); see `embed` for the compact form. */
  dense(texts: readonly string[]): Float32Array[] {
    return this.transform(texts).map((r) => {
      const out = new Float32Array(this.size);
      r.indices.forEach((c, k) => (out[c] = r.values[k]!));
      return out;
    });
  }

  /**
   * Dense rows over the columns used by these texts only (see the module comment): exact dot
   * products between the rows of one call. Width = `usedColumns(texts)` (at least 1).
   */
  embed(texts: readonly string[]): Float32Array[] {
    const rows = this.transform(texts);
    const used = new Map<number, number>();
    for (const r of rows) for (const c of r.indices) if (!used.has(c)) used.set(c, 0);
    [...used.keys()].sort((a, b) => a - b).forEach((c, k) => used.set(c, k));
    const width = Math.max(1, used.size);
    return rows.map((r) => {
      const out = new Float32Array(width);
      r.indices.forEach((c, k) => (out[used.get(c)!] = r.values[k]!));
      return out;
    });
  }
}

/** Dot product of two sparse rows (indices increasing). */
export function sparseDot(a: SparseRow, b: SparseRow): number {
  let i = 0, j = 0, s = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const x = a.indices[i]!, y = b.indices[j]!;
    if (x === y) s += a.values[i++]! * b.values[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return s;
}
