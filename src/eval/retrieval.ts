/**
 * Retrieval metrics of embeddings with labels: each query ranks the gallery by closeness (cosine
 * similarity or Euclidean distance; ties by the lower gallery index) and an item is relevant when
 * it has the query's label. Without a gallery it is leave-one-out: each query ranks all other
 * rows, never itself. Queries with no relevant item are skipped and counted.
 *
 * Per query, with R relevant items and hits(k) relevant items in the top k:
 * - precision@k = hits(k) / k; recall@k = hits(k) / R (the information-retrieval recall);
 *   F1@k = their harmonic mean (0 when both are 0), averaged over queries like the other metrics;
 * - hitRate@k = 1 if hits(k) > 0: what metric-learning papers call Recall@K (Song et al. 2016);
 * - AP = (1/R) sum over relevant items of precision at their rank (full ranking); mAP is its mean;
 * - R-precision = hits(R) / R and MAP@R = (1/R) sum_{i <= R} precision@i x rel(i)
 *   (Musgrave, Belongie, Lim 2020, "A Metric Learning Reality Check", arXiv:2003.08505);
 * - reciprocal rank = 1 / rank of the first relevant item;
 * - nDCG@k with binary relevance: sum_{i <= k} rel(i) / log2(i + 1), over its ideal
 *   sum_{i <= min(k, R)} 1 / log2(i + 1) (Jarvelin & Kekalainen 2002).
 *
 * Scale: scores come in blocks of queries (score-blocks.ts), and a query's ranks of its R relevant
 * items come from sorting only those R and placing each other item among them through a bucket
 * table (relevantRanks), O(n + R log R) per query with O(n) memory, never a full sort of the
 * gallery or an n x n matrix.
 */
import { toLabels, toPoints, type PointsInput } from './points.js';
import { checkChunk, forEachScoreBlock, type ScoreMetric } from './score-blocks.js';

export interface RetrievalOptions {
  queries: PointsInput;
  /** Label of each query. */
  queryLabels: ArrayLike<number>;
  /** Items to rank (default: the queries, leave-one-out). */
  gallery?: PointsInput;
  /** Label of each gallery item (required with a gallery). */
  galleryLabels?: ArrayLike<number>;
  /** Cut-offs of the @k metrics. Default [1, 5, 10]. */
  k?: number[];
  /** 'cosine' (default) or 'euclidean'. */
  distance?: ScoreMetric;
  /** Query rows per block of scores. Default 256. */
  chunk?: number;
  /** Called after each block with (queries done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** Every metric, averaged over the evaluated queries. @k metrics are keyed by k. */
export interface RetrievalScores {
  precisionAtK: Record<number, number>;
  recallAtK: Record<number, number>;
  f1AtK: Record<number, number>;
  hitRateAtK: Record<number, number>;
  ndcgAtK: Record<number, number>;
  meanAveragePrecision: number;
  mapAtR: number;
  rPrecision: number;
  meanReciprocalRank: number;
  /** Queries evaluated (those with at least one relevant item). */
  queries: number;
}

export interface RetrievalMetrics extends RetrievalScores {
  /** Queries skipped because no gallery item shares their label. */
  skippedQueries: number;
  /** The same metrics over the queries of each label (labels in increasing order). */
  perClass: (RetrievalScores & { label: number })[];
}

/** Buckets of the lookup table in relevantRanks, per relevant item. */
export const BUCKETS_PER_ITEM = 8;

// Layout of one query's values in the sums: 4 scalars, then 5 values per k.
const AP = 0, MAP_R = 1, R_PREC = 2, RR = 3, SCALARS = 4, PER_K = 5;

/** Largest gallery for the packed-key sort of sortByScore (indices in 21 bits). */
const INDEX_RADIX = 2 ** 21;

/**
 * Sorts gallery indices by decreasing score, the lower index first on ties. A typed-array sort
 * with a comparator calls back into JavaScript for every comparison (about 10x slower here), so
 * each (score, index) is packed into one exact float64 integer, the order-preserving 32 bits of
 * the float32 score (inverted, for decreasing order) times 2^21 plus the index, and sorted
 * natively. Galleries of 2^21 items or more take the comparator.
 */
export function sortByScore(row: Float32Array, idx: Int32Array): void {
  if (row.length >= INDEX_RADIX) {
    idx.sort((a, b) => (row[b] - row[a]) || (a - b));
    return;
  }
  const bits = new Uint32Array(row.buffer, row.byteOffset, row.length);
  const keys = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i];
    const u = bits[j] === 0x80000000 ? 0 : bits[j]; // -0 sorts as +0 (they compare equal)
    const ascending = u & 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0; // unsigned order = float order
    keys[i] = (0xffffffff - ascending) * INDEX_RADIX + j;
  }
  keys.sort();
  for (let i = 0; i < idx.length; i++) idx[i] = keys[i] % INDEX_RADIX;
}

/**
 * Ranks (1-based) of the R relevant items of one query, increasing, into `ranks`. `rel` holds
 * the relevant gallery indices (not the query itself); `relevant[j]` marks them; `self` is the
 * query's own gallery index in leave-one-out (-1 otherwise). `scratch` is any Int32Array of at
 * least (BUCKETS_PER_ITEM + 1) R + 2 entries.
 *
 * The relevant scores are sorted (closest first); every other item j is placed among them:
 * `before` = how many relevant items rank ahead of j. A lookup table over 8 R equal buckets of
 * the relevant scores' range places most items at once (their bucket holds no relevant item) and
 * narrows the search of the others to their bucket's few items, so each item costs O(1) on average. Bucketing is monotonic (floor((top - s) x scale) never decreases as s
 * decreases, in floating point too), so an item in an earlier bucket always scores higher.
 */
export function relevantRanks(
  row: Float32Array, rel: Int32Array, relevant: Uint8Array, self: number, ranks: Int32Array, scratch: Int32Array,
): void {
  const R = rel.length;
  sortByScore(row, rel); // closest first, lower index first on ties
  const relScore = new Float32Array(R); // (a loop: Float32Array.from with a map function is slow)
  for (let i = 0; i < R; i++) relScore[i] = row[rel[i]];
  const top = relScore[0], bottom = relScore[R - 1];
  const B = BUCKETS_PER_ITEM * R, scale = top > bottom ? B / (top - bottom) : 0;
  const counts = scratch.subarray(0, R + 1), first = scratch.subarray(R + 1, R + B + 2); // first[b]: first item in bucket >= b
  counts.fill(0);
  let filled = 0; // first[0 .. filled) are set
  for (let i = 0; i < R; i++) {
    const b = Math.min(B - 1, Math.floor((top - relScore[i]) * scale)); // item i's bucket
    if (b >= filled) {
      first.fill(i, filled, b + 1);
      filled = b + 1;
    }
  }
  first.fill(R, filled, B + 1);
  const n = row.length;
  for (let j = 0; j < n; j++) {
    if (relevant[j] !== 0 || j === self) continue;
    const s = row[j];
    if (s > top) counts[0]++;
    else if (s < bottom) counts[R]++;
    else {
      let b = ((top - s) * scale) | 0; // bucket(s), as an int (0 <= (top - s) x scale <= B)
      if (b >= B) b = B - 1;
      let lo = first[b], hi = first[b + 1];
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (relScore[mid] > s || (relScore[mid] === s && rel[mid] < j)) lo = mid + 1;
        else hi = mid;
      }
      counts[lo]++;
    }
  }
  let before = 0; // other items ranked before relevant item i
  for (let i = 0; i < R; i++) {
    before += counts[i];
    ranks[i] = i + 1 + before;
  }
}

/** Adds one query's metrics (from its relevant ranks) to `sums` at `at`. */
function addQuery(ranks: Int32Array, R: number, ks: number[], sums: Float64Array, at: number): void {
  let ap = 0, mapR = 0, inR = 0;
  for (let i = 0; i < R; i++) {
    const precision = (i + 1) / ranks[i];
    ap += precision;
    if (ranks[i] <= R) {
      mapR += precision;
      inR++;
    }
  }
  sums[at + AP] += ap / R;
  sums[at + MAP_R] += mapR / R;
  sums[at + R_PREC] += inR / R;
  sums[at + RR] += 1 / ranks[0];
  ks.forEach((k, t) => {
    let hits = 0, dcg = 0, ideal = 0;
    for (let i = 0; i < R && ranks[i] <= k; i++) {
      hits++;
      dcg += 1 / Math.log2(ranks[i] + 1);
    }
    for (let i = 1; i <= Math.min(k, R); i++) ideal += 1 / Math.log2(i + 1);
    const p = hits / k, r = hits / R, o = at + SCALARS + PER_K * t;
    sums[o] += p;
    sums[o + 1] += r;
    sums[o + 2] += hits > 0 ? (2 * p * r) / (p + r) : 0;
    sums[o + 3] += hits > 0 ? 1 : 0;
    sums[o + 4] += dcg / ideal;
  });
}

function scoresOf(sums: Float64Array, at: number, ks: number[], queries: number): RetrievalScores {
  const mean = (i: number) => (queries > 0 ? sums[at + i] / queries : NaN);
  const byK = (j: number) => Object.fromEntries(ks.map((k, t) => [k, mean(SCALARS + PER_K * t + j)]));
  return {
    precisionAtK: byK(0), recallAtK: byK(1), f1AtK: byK(2), hitRateAtK: byK(3), ndcgAtK: byK(4),
    meanAveragePrecision: mean(AP), mapAtR: mean(MAP_R), rPrecision: mean(R_PREC), meanReciprocalRank: mean(RR), queries,
  };
}

/**
 * Retrieval metrics of `queries` against `gallery` (or leave-one-out), see the module comment.
 *
 * @example
 * const m = retrievalMetrics({ queries: emb, queryLabels: labels, k: [1, 10] });
 * m.precisionAtK[10]; m.mapAtR; m.hitRateAtK[1];
 */
export function retrievalMetrics(options: RetrievalOptions): RetrievalMetrics {
  const caller = 'retrievalMetrics';
  const { k: ks = [1, 5, 10], distance = 'cosine', chunk = 256, onProgress } = options;
  if (distance !== 'cosine' && distance !== 'euclidean') throw new Error(`${caller}: distance must be 'cosine' or 'euclidean', received ${JSON.stringify(distance)}`);
  const q = toPoints(caller, 'queries', options.queries);
  const qLabels = toLabels(caller, 'queryLabels', options.queryLabels, q.rows, 'query');
  const leaveOneOut = options.gallery === undefined;
  if (leaveOneOut && options.galleryLabels !== undefined) throw new Error(`${caller}: galleryLabels given without a gallery`);
  const g = leaveOneOut ? q : toPoints(caller, 'gallery', options.gallery!);
  if (g.dim !== q.dim) throw new Error(`${caller}: gallery has dim ${g.dim}, queries have dim ${q.dim}`);
  if (!leaveOneOut && options.galleryLabels === undefined) throw new Error(`${caller}: galleryLabels is required with a gallery`);
  const gLabels = leaveOneOut ? qLabels : toLabels(caller, 'galleryLabels', options.galleryLabels!, g.rows, 'gallery item');
  const candidates = g.rows - (leaveOneOut ? 1 : 0);
  if (!Array.isArray(ks) || ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1 || k > candidates)) {
    throw new Error(`${caller}: k must be a non-empty array of integers in [1, ${candidates}] (the items each query ranks), received ${JSON.stringify(ks)}`);
  }
  // Members of each label in the gallery, by the query label's dense id (-1: no such label there).
  const gClass = new Map(gLabels.values.map((v, c) => [v, c]));
  const lists: number[][] = gLabels.values.map(() => []);
  gLabels.ids.forEach((c, j) => lists[c].push(j));
  const members = lists.map((l) => Int32Array.from(l));
  const qToG = Int32Array.from(qLabels.values, (v) => gClass.get(v) ?? -1);

  const width = SCALARS + PER_K * ks.length, classes = qLabels.values.length;
  const sums = new Float64Array((classes + 1) * width), evaluated = new Float64Array(classes);
  const relevant = new Uint8Array(g.rows), ranks = new Int32Array(g.rows), scratch = new Int32Array((BUCKETS_PER_ITEM + 1) * g.rows + 2);
  let skipped = 0;
  forEachScoreBlock(q, g, { metric: distance, chunk: checkChunk(caller, chunk), onProgress }, (start, rows, scores) => {
    for (let r = 0; r < rows; r++) {
      const i = start + r, self = leaveOneOut ? i : -1, c = qLabels.ids[i], gc = qToG[c];
      const all = gc < 0 ? new Int32Array(0) : members[gc], at = self < 0 ? -1 : all.indexOf(self);
      const rel = new Int32Array(all.length - (at < 0 ? 0 : 1)); // the label's members, not the query
      rel.set(at < 0 ? all : all.subarray(0, at));
      if (at >= 0) rel.set(all.subarray(at + 1), at);
      if (rel.length === 0) {
        skipped++;
        continue;
      }
      for (const j of rel) relevant[j] = 1;
      relevantRanks(scores.subarray(r * g.rows, (r + 1) * g.rows), rel, relevant, self, ranks, scratch);
      for (const j of rel) relevant[j] = 0;
      addQuery(ranks, rel.length, ks, sums, c * width);
      evaluated[c]++;
    }
  });
  const total = evaluated.reduce((a, b) => a + b, 0);
  if (total === 0) throw new Error(`${caller}: no query has a relevant item (a gallery item with its label); nothing to evaluate`);
  for (let c = 0; c < classes; c++) for (let i = 0; i < width; i++) sums[classes * width + i] += sums[c * width + i];
  return {
    ...scoresOf(sums, classes * width, ks, total),
    skippedQueries: skipped,
    perClass: qLabels.values.map((label, c) => ({ label, ...scoresOf(sums, c * width, ks, evaluated[c]) })),
  };
}
