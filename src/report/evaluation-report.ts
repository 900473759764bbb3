/**
 * The report data of an evaluation (`contrastive eval --report DIR`, `evaluateRun`'s result): the
 * metrics of the encoder beside the baseline (raw pixels or rows), the checkpoint's training
 * history, a UMAP map of the held-out embeddings, a per-class table and, for images, a
 * nearest-neighbour gallery (one held-out query per class and its closest labelled training
 * images), laid out by report/write-report.ts.
 */
import type { ImageDataset } from '../data/image-dataset.js';
import { imageLength } from '../data/image-dataset.js';
import type { Evaluation } from '../eval/evaluate.js';
import type { Embeddings } from '../eval/knn.js';
import type { ReportData, ReportMetric, Thumb } from './report-data.js';
import { embeddingMap } from './embedding-map.js';
import { nearestNeighbors } from '../search/exact-knn.js';
import type { EpochLog } from '../train/epoch-log.js';
import { Rng } from '../util/random.js';

/** (done, total) of a long phase. */
export type OnProgress = (done: number, total: number) => void;

/** What the report needs of a labelled set of items. */
export interface LabelledItems {
  labels: Int32Array;
  classNames: readonly string[];
  size: number;
}

export interface EvaluationReportInput {
  title: string;
  info: [string, string][];
  /** The labelled bank (the gallery's neighbours come from it). */
  train: LabelledItems;
  /** The held-out items (the map, the gallery's queries, the per-class table). */
  test: LabelledItems;
  /** The same items as images: the gallery shows them (absent for other data: no gallery). */
  images?: { train: ImageDataset; test: ImageDataset };
  trainEmbeddings: Embeddings;
  testEmbeddings: Embeddings;
  encoder: Evaluation;
  /** The same evaluation on raw pixels (absent: no baseline column). */
  pixels?: Evaluation;
  history: EpochLog[];
  /** Output dimension of the projection head (the collapse chart's 1/sqrt(d) line). */
  projectionDim?: number;
  /** Held-out points on the map. */
  mapPoints: number;
  /** Neighbours per gallery row. */
  neighbours: number;
  seed: number;
  progress: (phase: string) => OnProgress;
}

/** The metrics table: encoder beside raw pixels (when given). */
function metricRows(e: Evaluation, p?: Evaluation): ReportMetric[] {
  const row = (kind: ReportMetric['kind']) => (name: string, get: (x: Evaluation) => number, note?: string): ReportMetric =>
    ({ name, value: get(e), ...(p ? { baseline: get(p) } : {}), kind, ...(note ? { note } : {}) });
  const f = row('fraction'), num = row('number');
  const ks = Object.keys(e.retrieval.precisionAtK).map(Number);
  const rows: ReportMetric[] = [f('kNN top-1', (x) => x.knnTop1, 'weighted kNN, k = 200, T = 0.1, cosine')];
  if (!Number.isNaN(e.linearProbeTop1)) rows.push(f('linear probe top-1', (x) => x.linearProbeTop1, 'logistic regression on frozen features'));
  for (const k of ks) rows.push(f(`precision@${k}`, (x) => x.retrieval.precisionAtK[k], 'leave-one-out retrieval among the held-out images'));
  for (const k of ks) rows.push(f(`hit rate@${k}`, (x) => x.retrieval.hitRateAtK[k], 'Recall@K of metric-learning papers'));
  rows.push(
    f('mAP', (x) => x.retrieval.meanAveragePrecision, 'mean average precision over the full ranking'),
    f('MAP@R', (x) => x.retrieval.mapAtR, 'Musgrave et al. 2020'),
    f('R-precision', (x) => x.retrieval.rPrecision),
    f('MRR', (x) => x.retrieval.meanReciprocalRank, 'mean reciprocal rank of the first relevant item'),
    f(`nDCG@${ks.at(-1)}`, (x) => x.retrieval.ndcgAtK[ks.at(-1)!]),
    num('k-means ARI', (x) => x.clustering.kMeansAri, 'k-means (k = classes) against the labels; 1 = perfect'),
    num('k-means NMI', (x) => x.clustering.kMeansNmi, 'arithmetic normalisation'),
    num('k-means AMI', (x) => x.clustering.kMeansAmi, 'adjusted for chance'),
    num('silhouette', (x) => x.clustering.silhouette, 'classes as clusters, cosine; higher is better'),
    num('Davies-Bouldin', (x) => x.clustering.daviesBouldin, 'lower is better'),
    num('Calinski-Harabasz', (x) => x.clustering.calinskiHarabasz, 'higher is better'),
    num('Dunn', (x) => x.clustering.dunn, 'min separation / max diameter; higher is better'),
  );
  return rows;
}

function thumb(d: ImageDataset, i: number, similarity?: number): Thumb {
  const len = imageLength(d);
  return {
    pixels: d.images.slice(i * len, (i + 1) * len), width: d.width, height: d.height, channels: d.channels as 1 | 3,
    label: d.labels[i], className: d.classNames[d.labels[i]] ?? String(d.labels[i]), ...(similarity === undefined ? {} : { similarity }),
  };
}

/** One seeded held-out query per class (classes in order), if the class has held-out images. */
function galleryQueries(test: LabelledItems, seed: number): number[] {
  const order = new Rng(seed).shuffle(Int32Array.from({ length: test.size }, (_, i) => i));
  const first = new Map<number, number>();
  for (const i of order) if (!first.has(test.labels[i])) first.set(test.labels[i], i);
  return [...first.entries()].sort((a, b) => a[0] - b[0]).map(([, i]) => i);
}

function perClassTable(input: EvaluationReportInput): NonNullable<ReportData['perClass']> {
  const { test, encoder: e, pixels: p } = input;
  const count = new Float64Array(test.classNames.length);
  const hits = { knn: new Float64Array(count.length), probe: new Float64Array(count.length), raw: new Float64Array(count.length) };
  for (let i = 0; i < test.size; i++) {
    const c = test.labels[i];
    count[c]++;
    if (e.knnPredictions[i] === c) hits.knn[c]++;
    if (e.probePredictions[i] === c) hits.probe[c]++;
    if (p && p.knnPredictions[i] === c) hits.raw[c]++;
  }
  const k = Math.max(...Object.keys(e.retrieval.precisionAtK).map(Number).filter((v) => v <= 10));
  const byLabel = new Map(e.retrieval.perClass.map((r) => [r.label, r]));
  const probe = e.probePredictions.length > 0;
  const columns = ['class', 'held-out images', 'kNN top-1', ...(probe ? ['linear probe top-1'] : []), `precision@${k}`, 'MAP@R', ...(p ? ['raw-pixel kNN top-1'] : [])];
  const rows = test.classNames.map((name, c) => {
    const r = byLabel.get(c);
    const n = count[c] || NaN;
    return [name, count[c], hits.knn[c] / n, ...(probe ? [hits.probe[c] / n] : []), r?.precisionAtK[k] ?? NaN, r?.mapAtR ?? NaN, ...(p ? [hits.raw[c] / n] : [])];
  }).filter((row) => (row[1] as number) > 0);
  return { columns, rows, fractionColumns: columns.map((_, i) => i).filter((i) => i >= 2) };
}

/** Everything the report shows, from the eval command's results. */
export function evaluationReportData(input: EvaluationReportInput): ReportData {
  const { test, trainEmbeddings, testEmbeddings, seed } = input;
  const map = embeddingMap(testEmbeddings, { seed, maxPoints: input.mapPoints, onProgress: input.progress('UMAP') });
  const images = input.images;
  let gallery: ReportData['gallery'];
  if (images) {
    const queries = galleryQueries(test, seed);
    const dim = testEmbeddings.dim;
    const qValues = new Float32Array(queries.length * dim);
    queries.forEach((i, r) => qValues.set(testEmbeddings.values.subarray(i * dim, (i + 1) * dim), r * dim));
    const nn = nearestNeighbors({ values: qValues, dim }, { k: input.neighbours, gallery: trainEmbeddings, onProgress: input.progress('gallery') });
    gallery = queries.map((qi, r) => ({
      query: thumb(images.test, qi),
      neighbours: Array.from(nn.indices.subarray(r * nn.k, (r + 1) * nn.k), (j, t) => thumb(images.train, j, nn.scores[r * nn.k + t])),
    }));
  }
  return {
    title: input.title,
    info: input.info,
    metrics: metricRows(input.encoder, input.pixels),
    history: input.history,
    embeddingDim: input.projectionDim,
    map: { x: map.x, y: map.y, labels: Int32Array.from(map.indices, (i) => test.labels[i]), classNames: [...test.classNames], method: 'UMAP' },
    ...(gallery ? { gallery } : {}),
    perClass: perClassTable(input),
  };
}
