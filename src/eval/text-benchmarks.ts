/**
 * The text benchmarks: fixed, seeded splits of packaged data (WordNet 3.1, SpamAssassin) and the
 * functions that score any text encoder on them, shared by the tests and `bench/text-*.mjs`.
 * An encoder is just `EmbedTexts`: texts -> one Float32Array row each (any width, compared by
 * cosine similarity). Node only (it reads the packages).
 *
 * ## WordNet split (`wordnetSplit`, seed 0)
 * All 117,791 synsets (nouns, verbs, adjectives with satellites, adverbs) are shuffled with
 * `Rng(seed)` (mulberry32, Fisher-Yates); the first 10% (11,779) are **test**, the next 5% (5,890)
 * **valid** (for tuning training recipes), the rest (100,122) **train**. Trained encoders may see
 * the lemmas, definitions and examples of train synsets only; the figures are on test synsets.
 *
 * ## Definition -> word (`definitionToWordTask`)
 * The first 1,000 test synsets, in shuffled order. Queries: their definitions. Gallery: the
 * distinct lemma strings of those 1,000 synsets (case kept), in a seeded random order (so ties
 * favour nothing). Relevant to a query: the lemmas of its synset (R = its number of distinct lemmas).
 *
 * ## Synonyms (`synonymTask`)
 * Test synsets with >= 2 distinct lemmas of which no two (compared lower-cased) occur together in
 * any train or valid synset ("novel" synonym sets: WordNet repeats many pairs across senses, e.g.
 * begin/start, and a pair seen in training would be a memorised answer, not a retrieved one); the
 * first 1,000 such synsets in shuffled order. Gallery: their distinct lemma strings, seeded order.
 * Every gallery lemma is a query (leave-one-out: it is not ranked against itself); relevant: the
 * other gallery lemmas that share one of these synsets with it.
 *
 * Retrieval metrics (`setRetrievalScores`), per query with R relevant items, averaged over queries:
 * MAP@R (Musgrave et al. 2020, arXiv:2003.08505), recall@10 = relevant in the top 10 / R, and MRR =
 * 1 / rank of the first relevant item; ranks as retrieval.ts computes them (cosine, ties to the
 * lower gallery index), through its `relevantRanks`.
 *
 * ## SpamAssassin few labels (`spamSplit`, `evaluateSpam`)
 * The 6,046 emails as text (spam-assassin.ts: subject + body, <= 1,000 characters); 163 texts
 * repeat an earlier one and are dropped (first occurrence kept), leaving 5,883 distinct texts. They
 * are shuffled with `Rng(seed)`: the first 1,000 are **test**, the other 4,883 **train** (unlabelled
 * training texts for encoders, and the pool labels are drawn from). For each of 3 draws d = 0, 1, 2:
 * each class's train indices are shuffled with `Rng(seed * 1000 + d + 1)` and the first 100 taken;
 * the 10-label set is the first 10 of those (nested). With n labels per class (2n labelled texts):
 * - kNN: weighted kNN (knn.ts, k = 200 so every labelled text votes, weight exp(cos / 0.1));
 * - probe: logistic regression on standardised embeddings (linear-probe.ts, its defaults).
 * Accuracy on the 1,000 test texts, averaged over the 3 draws. For tuning, `part: 'valid'` repeats
 * this inside the 4,883 train texts: valid = their first 1,000, train = the other 3,883.
 *
 * Sizes are capped so that USE-lite (~35 short texts/s, ~3.5 emails/s on 2 cores) runs them in
 * about 10 minutes: 2,777 texts for definitions (1,000
 * queries, 1,777 lemmas), 2,541 lemmas for synonyms (each a query), <= 1,600 emails. The same task
 * builders on the valid synsets (`runTextBenchmarks(embed, { on: 'valid' })`) give 1,000 / 1,723 and
 * 2,538 texts.
 */
import { loadSpamAssassin } from '../data/spam-assassin.js';
import type { Source } from '../data/source.js';
import { loadWordNet, type Synset } from '../data/wordnet.js';
import { Rng } from '../util/random.js';
import { weightedKnnAccuracy } from './knn.js';
import { trainLinearProbe } from './linear-probe.js';
import type { Matrix } from './points.js';
import { BUCKETS_PER_ITEM, relevantRanks } from './retrieval.js';
import { forEachScoreBlock } from './score-blocks.js';

/** A text encoder under test: one row per text, any width (compared by cosine). */
export type EmbedTexts = (texts: string[]) => Promise<Float32Array[]> | Float32Array[];

export const TEXT_BENCHMARK_SEED = 0;

export interface WordNetSplit {
  seed: number;
  train: Synset[];
  valid: Synset[];
  test: Synset[];
}

export interface WordNetSplitOptions {
  seed?: number;
  /** Share of synsets held out for test. Default 0.1. */
  testShare?: number;
  /** Share of synsets for validation (carved from the rest). Default 0.05. */
  validShare?: number;
}

/** The seeded train / valid / test split of WordNet's synsets (see the module comment). */
export function wordnetSplit(synsets: readonly Synset[] = loadWordNet(), options: WordNetSplitOptions = {}): WordNetSplit {
  const { seed = TEXT_BENCHMARK_SEED, testShare = 0.1, validShare = 0.05 } = options;
  if (!(testShare > 0 && validShare >= 0 && testShare + validShare < 1)) {
    throw new Error(`wordnetSplit: testShare and validShare must satisfy 0 < testShare, 0 <= validShare, sum < 1; received ${testShare}, ${validShare}`);
  }
  const order = new Rng(seed).shuffle(Int32Array.from(synsets, (_, i) => i));
  const nTest = Math.round(testShare * synsets.length), nValid = Math.round(validShare * synsets.length);
  const pick = (from: number, to: number) => Array.from(order.subarray(from, to), (i) => synsets[i]!);
  return { seed, test: pick(0, nTest), valid: pick(nTest, nTest + nValid), train: pick(nTest + nValid, synsets.length) };
}

/** A retrieval task with arbitrary relevance: each query has its own set of relevant gallery items. */
export interface SetRetrievalTask {
  name: string;
  queries: string[];
  gallery: string[];
  /** Gallery indices relevant to each query (non-empty). */
  relevant: Int32Array[];
  /** The query's own gallery index (not ranked), or -1; absent: none. */
  self?: Int32Array;
}

export interface RetrievalFigures {
  mapAtR: number;
  recallAt10: number;
  mrr: number;
  queries: number;
}

function distinct(xs: Iterable<string>): string[] {
  return [...new Set(xs)];
}

/** Definition -> word on the first `maxQueries` synsets (see the module comment). */
export function definitionToWordTask(synsets: readonly Synset[], options: { maxQueries?: number; seed?: number } = {}): SetRetrievalTask {
  const { maxQueries = 1000, seed = TEXT_BENCHMARK_SEED } = options;
  const chosen = synsets.filter((s) => s.definition !== '').slice(0, maxQueries);
  const gallery = new Rng(seed + 1).shuffle(distinct(chosen.flatMap((s) => s.lemmas)));
  const at = new Map(gallery.map((l, i) => [l, i]));
  return {
    name: 'wordnet-definition-to-word',
    queries: chosen.map((s) => s.definition),
    gallery,
    relevant: chosen.map((s) => Int32Array.from(distinct(s.lemmas), (l) => at.get(l)!).sort()),
  };
}

/** Lower-cased pair keys of the lemmas of a synset. */
function pairKeys(s: Synset): string[] {
  const ls = distinct(s.lemmas.map((l) => l.toLowerCase())).sort();
  const out: string[] = [];
  for (let i = 0; i < ls.length; i++) for (let j = i + 1; j < ls.length; j++) out.push(`${ls[i]}\u0000${ls[j]}`);
  return out;
}

/**
 * Synonym retrieval on the first `maxSynsets` test synsets with >= 2 distinct lemmas and no lemma
 * pair seen together in `seen` (the train and valid synsets); see the module comment.
 */
export function synonymTask(test: readonly Synset[], seen: readonly Synset[], options: { maxSynsets?: number; seed?: number } = {}): SetRetrievalTask {
  const { maxSynsets = 1000, seed = TEXT_BENCHMARK_SEED } = options;
  const known = new Set(seen.flatMap(pairKeys));
  const chosen = test.filter((s) => {
    const keys = pairKeys(s);
    return keys.length > 0 && distinct(s.lemmas).length >= 2 && keys.every((k) => !known.has(k));
  }).slice(0, maxSynsets);
  const gallery = new Rng(seed + 2).shuffle(distinct(chosen.flatMap((s) => s.lemmas)));
  const at = new Map(gallery.map((l, i) => [l, i]));
  const related = gallery.map(() => new Set<number>());
  for (const s of chosen) {
    const ids = distinct(s.lemmas).map((l) => at.get(l)!);
    for (const a of ids) for (const b of ids) if (a !== b) related[a]!.add(b);
  }
  return {
    name: 'wordnet-synonyms',
    queries: gallery,
    gallery,
    relevant: related.map((r) => Int32Array.from(r).sort()),
    self: Int32Array.from(gallery, (_, i) => i),
  };
}

function toMatrix(caller: string, rows: Float32Array[]): Matrix & { rows: number } {
  const dim = rows[0]?.length ?? 0;
  if (rows.length === 0 || dim === 0) throw new Error(`${caller}: expected at least one non-empty embedding row`);
  const values = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    if (r.length !== dim) throw new Error(`${caller}: row ${i} has ${r.length} values, row 0 has ${dim}`);
    values.set(r, i * dim);
  });
  return { values, dim, rows: rows.length };
}

/** MAP@R, recall@10 and MRR of query rows against gallery rows with per-query relevant sets. */
export function setRetrievalScores(queries: Float32Array[], gallery: Float32Array[], task: Pick<SetRetrievalTask, 'relevant' | 'self'>): RetrievalFigures {
  const caller = 'setRetrievalScores';
  const q = toMatrix(caller, queries), g = toMatrix(caller, gallery);
  if (q.dim !== g.dim) throw new Error(`${caller}: queries have dim ${q.dim}, gallery has dim ${g.dim}`);
  if (task.relevant.length !== q.rows) throw new Error(`${caller}: ${task.relevant.length} relevant sets for ${q.rows} queries`);
  const flags = new Uint8Array(g.rows), ranks = new Int32Array(g.rows), scratch = new Int32Array((BUCKETS_PER_ITEM + 1) * g.rows + 2);
  let mapR = 0, recall = 0, rr = 0;
  forEachScoreBlock(q, g, { metric: 'cosine' }, (start, rows, scores) => {
    for (let r = 0; r < rows; r++) {
      const i = start + r, rel = Int32Array.from(task.relevant[i]!), self = task.self?.[i] ?? -1, R = rel.length;
      if (R === 0) throw new Error(`${caller}: query ${i} has no relevant item`);
      for (const j of rel) flags[j] = 1;
      relevantRanks(scores.subarray(r * g.rows, (r + 1) * g.rows), rel, flags, self, ranks, scratch);
      for (const j of rel) flags[j] = 0;
      let ap = 0, top10 = 0;
      for (let k = 0; k < R; k++) {
        if (ranks[k]! <= R) ap += (k + 1) / ranks[k]!;
        if (ranks[k]! <= 10) top10++;
      }
      mapR += ap / R;
      recall += top10 / R;
      rr += 1 / ranks[0]!;
    }
  });
  return { mapAtR: mapR / q.rows, recallAt10: recall / q.rows, mrr: rr / q.rows, queries: q.rows };
}

/** Embeds the distinct texts of `texts` in one call (so a TF-IDF embed sees them together). */
async function embedAll(caller: string, embed: EmbedTexts, texts: string[]): Promise<Map<string, Float32Array>> {
  const unique = distinct(texts);
  const rows = await embed(unique);
  if (!Array.isArray(rows) || rows.length !== unique.length) throw new Error(`${caller}: the encoder returned ${Array.isArray(rows) ? rows.length : typeof rows} rows for ${unique.length} texts`);
  return new Map(unique.map((t, i) => [t, rows[i]!]));
}

/** Scores an encoder on a retrieval task (queries and gallery embedded in one call). */
export async function evaluateRetrievalTask(embed: EmbedTexts, task: SetRetrievalTask): Promise<RetrievalFigures> {
  const rows = await embedAll('evaluateRetrievalTask', embed, [...task.queries, ...task.gallery]);
  return setRetrievalScores(task.queries.map((t) => rows.get(t)!), task.gallery.map((t) => rows.get(t)!), task);
}

export interface SpamSplit {
  seed: number;
  /** Indices into the source: distinct texts, test first 1,000 of the shuffle. */
  test: number[];
  train: number[];
  /** Per draw: per class, up to `maxLabels` train indices (nested prefixes give fewer labels). */
  draws: number[][][];
}

export interface SpamSplitOptions {
  seed?: number;
  testSize?: number;
  draws?: number;
  maxLabels?: number;
  /**
   * 'test' (default): the reported split. 'valid': for tuning, the same procedure inside the train
   * part only: its first `testSize` texts (in the shuffled order) are the valid "test" texts, the
   * rest its train texts and label pool; the real test texts appear in neither.
   */
  part?: 'test' | 'valid';
}

/** The seeded SpamAssassin split and label draws (see the module comment). */
export function spamSplit(source: Source<string> = loadSpamAssassin(), options: SpamSplitOptions = {}): SpamSplit {
  const { seed = TEXT_BENCHMARK_SEED, testSize = 1000, draws = 3, maxLabels = 100, part = 'test' } = options;
  const labels = source.labels;
  if (!labels) throw new Error(`spamSplit: the source '${source.name}' has no labels`);
  const seen = new Set<string>(), keep: number[] = [];
  for (let i = 0; i < source.size; i++) {
    const t = source.item(i);
    if (!seen.has(t)) {
      seen.add(t);
      keep.push(i);
    }
  }
  if (testSize < 1 || testSize >= keep.length) throw new Error(`spamSplit: testSize must be in [1, ${keep.length}), received ${testSize}`);
  if (part !== 'test' && part !== 'valid') throw new Error(`spamSplit: part must be 'test' or 'valid', received ${JSON.stringify(part)}`);
  const shuffled = new Rng(seed).shuffle(keep);
  const order = part === 'test' ? shuffled : shuffled.slice(testSize);
  if (testSize >= order.length) throw new Error(`spamSplit: testSize ${testSize} leaves no train texts in the ${part} split`);
  const test = order.slice(0, testSize), train = order.slice(testSize);
  const classes = source.classNames?.length ?? Math.max(...labels) + 1;
  const out: number[][][] = [];
  for (let d = 0; d < draws; d++) {
    const rng = new Rng(seed * 1000 + d + 1);
    out.push(Array.from({ length: classes }, (_, c) => rng.shuffle(train.filter((i) => labels[i] === c)).slice(0, maxLabels)));
  }
  return { seed, test, train, draws: out };
}

export interface SpamFigures {
  /** Mean accuracy over the draws. */
  knn: number;
  probe: number;
  /** Per draw. */
  knnByDraw: number[];
  probeByDraw: number[];
}

/** kNN and probe accuracy with n labels per class, for each n of `labelsPerClass` (default 10 and 100). */
export async function evaluateSpam(
  embed: EmbedTexts, split: SpamSplit = spamSplit(), source: Source<string> = loadSpamAssassin(), labelsPerClass: number[] = [10, 100],
): Promise<Record<number, SpamFigures>> {
  const labels = source.labels!;
  const needed = new Set<number>(split.test);
  for (const draw of split.draws) for (const cls of draw) for (const i of cls.slice(0, Math.max(...labelsPerClass))) needed.add(i);
  const rows = await embedAll('evaluateSpam', embed, [...needed].map((i) => source.item(i)));
  const matrix = (idx: number[]) => toMatrix('evaluateSpam', idx.map((i) => rows.get(source.item(i))!));
  const test = matrix(split.test), testLabels = split.test.map((i) => labels[i]!);
  const out: Record<number, SpamFigures> = {};
  for (const n of labelsPerClass) {
    const knnByDraw: number[] = [], probeByDraw: number[] = [];
    for (const draw of split.draws) {
      const idx = draw.flatMap((cls) => cls.slice(0, n));
      const train = matrix(idx), trainLabels = idx.map((i) => labels[i]!), numClasses = draw.length;
      knnByDraw.push(weightedKnnAccuracy(train, trainLabels, test, testLabels, { numClasses }));
      const probe = trainLinearProbe(train, trainLabels, { numClasses });
      probeByDraw.push(probe.accuracy(test, testLabels));
      probe.dispose();
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    out[n] = { knn: mean(knnByDraw), probe: mean(probeByDraw), knnByDraw, probeByDraw };
  }
  return out;
}

/** Unlabelled training texts of SpamAssassin for encoders: the train split (labels unused). */
export function spamTrainingTexts(split: SpamSplit = spamSplit(), source: Source<string> = loadSpamAssassin()): string[] {
  return split.train.map((i) => source.item(i));
}

export interface TextBenchmarkFigures {
  definitionToWord: RetrievalFigures;
  synonyms: RetrievalFigures;
  spam: Record<number, SpamFigures>;
}

export interface TextBenchmarkOptions {
  /** Which synsets to score on: 'test' (default, the reported figures) or 'valid' (for tuning). */
  on?: 'test' | 'valid';
  /** Skip the SpamAssassin part. */
  skipSpam?: boolean;
  onTask?: (name: string, seconds: number) => void;
}

/**
 * Every text benchmark for one encoder (see the module comment): one embed function, or one per
 * domain (e.g. a TF-IDF fitted on each benchmark's training texts).
 */
export async function runTextBenchmarks(
  embed: EmbedTexts | { wordnet: EmbedTexts; spam: EmbedTexts }, options: TextBenchmarkOptions = {},
): Promise<Partial<TextBenchmarkFigures>> {
  const { on = 'test', skipSpam = false, onTask } = options;
  const embedFor = (domain: 'wordnet' | 'spam') => (typeof embed === 'function' ? embed : embed[domain]);
  const split = wordnetSplit();
  const heldOut = on === 'test' ? split.test : split.valid;
  const seen = on === 'test' ? [...split.train, ...split.valid] : split.train;
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await f();
    onTask?.(name, (performance.now() - t0) / 1000);
    return r;
  };
  const out: Partial<TextBenchmarkFigures> = {};
  out.definitionToWord = await timed('definition-to-word', () => evaluateRetrievalTask(embedFor('wordnet'), definitionToWordTask(heldOut)));
  out.synonyms = await timed('synonyms', () => evaluateRetrievalTask(embedFor('wordnet'), synonymTask(heldOut, seen)));
  if (!skipSpam) out.spam = await timed('spam', () => evaluateSpam(embedFor('spam'), spamSplit(loadSpamAssassin(), { part: on })));
  return out;
}
