/**
 * The evaluation of a trained run as one library call (what `contrastive eval` is): the run's
 * encoder embeds the labelled training items (the kNN bank and the probe's training set) and the
 * held-out items of the run protocol (data/protocol.ts), and `evaluateEmbeddings` gives kNN,
 * linear probe, retrieval and clustering figures, beside the same figures of the items themselves
 * (raw pixels, standardised rows) as the baseline.
 *
 * With `whiten`, both the encoder's rows and the baseline's are PCA-whitened by a whitening
 * fitted on every training item without labels (also with `labelsPerClass`, where the labelled
 * bank is small), and the plain kNN of the rows as given is reported beside (`knnAsGiven`).
 *
 * A checkpoint whose weights hold NaN/Infinity (a run that diverged) is refused before any work,
 * and so is an encoder that gives a NaN or infinite embedding (embed-run.ts: the same checks).
 * Nothing here writes files; `contrastive eval --report` writes its report with report/write-report.ts.
 */
import type { ImageDataset } from '../data/image-dataset.js';
import { subset } from '../data/image-dataset.js';
import { protocolItems } from '../data/protocol.js';
import type { DataOptions } from '../data/registry.js';
import { subsetSource, type Source } from '../data/source.js';
import { standardizedSource } from '../data/standardize.js';
import { embedItems, rawRows } from '../embed/embed.js';
import { loadCheckpointState } from './checkpoint.js';
import type { EpochLog } from './epoch-log.js';
import { checkFiniteEmbeddings, checkFiniteWeights } from './embed-run.js';
import { restoreEncoder, type RunConfig } from './run.js';
import { openRunData } from './run-data.js';
import { UsageError } from '../util/usage-error.js';
import { evaluateEmbeddings, type Evaluation } from '../eval/evaluate.js';
import { weightedKnnAccuracy, type Embeddings } from '../eval/knn.js';
import { fitWhitening } from '../eval/whitening.js';

export type OnProgress = (done: number, total: number) => void;

export interface EvaluateRunOptions extends Omit<DataOptions, 'dataset' | 'data' | 'onProgress'> {
  /** The run directory (or a saved encoder's). */
  checkpoint: string;
  /** The run's run.json when the caller has read it (readRun): not read again. Default: read from `checkpoint`. */
  run?: RunConfig;
  /** Data to evaluate on (default: the run's). */
  dataset?: string;
  data?: string;
  /** Evaluate on the seeded sample of this many training items (and 1/6 as many held-out items): the run's seed draws it, as train --limit did. */
  limit?: number;
  /** Few labels: the kNN bank and probe use k labelled training items per class. */
  labelsPerClass?: number;
  /** Seed of the labels-per-class subset, k-means and samples (default: the run's seed, else 0). */
  seed?: number;
  /** Cut-offs of the retrieval @k metrics. Default [1, 10, 100] (those below the held-out count). */
  k?: number[];
  /** Whiten the rows first (see the file comment). */
  whiten?: boolean;
  /** Evaluate the items themselves too. Default true (not for text). */
  baseline?: boolean;
  /** A progress callback per named phase. */
  progress?: (phase: string) => OnProgress;
}

export interface EvaluateRunResult {
  /** The data's name. */
  dataset: string;
  checkpoint: string;
  /** Held-out items evaluated, labelled training items in the bank, training items the whitening saw. */
  n: number;
  labelled: number;
  whitenedOn?: number;
  encoder: Evaluation;
  /** The baseline's evaluation (absent without a baseline). */
  raw?: Evaluation;
  /** With whiten: the protocol's kNN of the rows as given. */
  knnAsGiven?: { encoder: number; raw?: number };
  /** What a report needs. */
  run?: RunConfig;
  history: EpochLog[];
  projectionDim?: number;
  trainEmbeddings: Embeddings;
  testEmbeddings: Embeddings;
  trainLabels: Int32Array;
  testLabels: Int32Array;
  classNames: readonly string[];
  /** The labelled bank and the held-out items as images (image data only). */
  images?: { train: ImageDataset; test: ImageDataset };
}

export async function evaluateRun(options: EvaluateRunOptions): Promise<EvaluateRunResult> {
  const o = options;
  const progress = o.progress ?? (() => () => {});
  const restored = await restoreEncoder(o.checkpoint, 'checkpoint', o.run);
  try {
    checkFiniteWeights(o.checkpoint, restored.encoder);
    const run = restored.config;
    const opened = await openRunData({ ...o, onProgress: progress('decode images') }, run, restored.encoder.input);
    const labels = opened.source.labels;
    if (!labels || !labels.some((l) => l >= 0)) throw new UsageError(o.data !== undefined || (o.dataset === undefined && run?.data !== undefined) ? 'data' : 'dataset', `evaluation needs labelled items, the data '${opened.name}' has none${opened.source.spec.kind === 'vector' ? ' (name the label column with --label)' : opened.source.spec.kind === 'text' ? ' (a .jsonl file with a "label" field; or --pairs for a file of pairs)' : ''}`);
    const seed = o.seed ?? run?.seed ?? 0;
    // The training pool with --labels-per-class: the run's own --limit sample of its own data (the pool train drew its labels from).
    const sameData = run && run.dataset === opened.name;
    const poolLimit = o.limit ?? (o.labelsPerClass !== undefined && sameData ? run.limit : undefined);
    let items;
    try {
      items = protocolItems(opened.source.size, labels, { limit: poolLimit, labelsPerClass: o.labelsPerClass, seed: run?.seed ?? seed, labelsSeed: seed, limitTest: o.limit !== undefined });
    } catch (e) {
      throw new UsageError('labelsPerClass', (e as Error).message.replace(/^protocol: /, ''));
    }
    // Only labelled items are banked and scored.
    const labelled = (idx: Int32Array) => idx.filter((i) => labels[i] >= 0);
    const trainIdx = labelled(items.train), testIdx = labelled(items.test);
    if (trainIdx.length === 0 || testIdx.length < 2) throw new UsageError('limit', `expected at least 1 labelled training and 2 held-out items, received a protocol that leaves ${trainIdx.length} and ${testIdx.length}`);
    const source = opened.source;
    const train = subsetSource(source, trainIdx), test = subsetSource(source, testIdx);
    const poolIdx = items.pool.length === trainIdx.length ? trainIdx : items.pool;
    const pool = poolIdx === trainIdx ? train : subsetSource(source, poolIdx);
    const encoder = restored.encoder;
    const e = (s: Source<unknown>, phase: string) => {
      const rows = embedItems(s as Source<never>, encoder as never, { onProgress: progress(phase) });
      checkFiniteEmbeddings(o.checkpoint, rows);
      return rows;
    };
    let eTrain = e(train, 'embed train');
    let eTest = e(test, 'embed test');
    const whiten = (fitOn: Embeddings, rows: Embeddings[]) => {
      const w = fitWhitening(fitOn);
      return { rows: rows.map((r) => w.transform(r)), whitening: { shrinkage: w.shrinkage } };
    };
    const knnAsGiven = (a: Embeddings, b: Embeddings) => (o.whiten ? weightedKnnAccuracy(a, train.labels!, b, test.labels!) : undefined);
    const encoderAsGiven = knnAsGiven(eTrain, eTest);
    let encoderWhitening: Evaluation['whitening'] = null;
    if (o.whiten) {
      const w = whiten(pool === train ? eTrain : e(pool, 'embed pool'), [eTrain, eTest]);
      [eTrain, eTest] = w.rows;
      encoderWhitening = w.whitening;
    }
    // Leave-one-out retrieval ranks n - 1 items per query: the default cut-offs beyond that are dropped.
    const k = o.k ?? [1, 10, 100].filter((c, i) => i === 0 || c < test.size);
    const tooLarge = k.find((c) => c > test.size - 1);
    if (tooLarge !== undefined && test.size > 1) throw new UsageError('k', `expected cut-offs of at most ${test.size - 1} (the held-out items but one), received ${tooLarge}`);
    const evaluate = (name: string, a: Embeddings, b: Embeddings, whitening: Evaluation['whitening']): Evaluation => ({
      ...evaluateEmbeddings({
        train: a, trainLabels: train.labels!, test: b, testLabels: test.labels!, k, seed,
        onProgress: (phase, done, total) => progress(`${name} ${phase}`)(done, total),
      }),
      whitening,
    });
    const encoderEval = evaluate('encoder', eTrain, eTest, encoderWhitening);
    let raw: Evaluation | undefined;
    let rawAsGiven: number | undefined;
    if ((o.baseline ?? true) && source.spec.kind !== 'text') {
      // The baseline sees what the encoder sees: rows standardised as for training.
      const std = run?.standardize ?? (encoder.preprocessing.kind === 'vector' && encoder.preprocessing.mean && encoder.preprocessing.std
        ? { mean: encoder.preprocessing.mean, std: encoder.preprocessing.std } : undefined);
      const view = (s: Source<unknown>) => rawRows(std ? standardizedSource(s as Source<ArrayLike<number>>, std) : s);
      let [a, b] = [view(train), view(test)];
      let rawWhitening: Evaluation['whitening'] = null;
      rawAsGiven = knnAsGiven(a, b);
      if (o.whiten) {
        const w = whiten(pool === train ? a : view(pool), [a, b]);
        [a, b] = w.rows;
        rawWhitening = w.whitening;
      }
      raw = evaluate('pixels', a, b, rawWhitening);
    }
    const history = loadCheckpointState<{ history: EpochLog[] }>(o.checkpoint)?.history ?? [];
    const headDim = encoder.metadata.projectionDim;
    return {
      dataset: opened.name, checkpoint: o.checkpoint, n: test.size, labelled: train.size, ...(o.whiten ? { whitenedOn: pool.size } : {}),
      encoder: encoderEval, ...(raw ? { raw } : {}),
      ...(o.whiten ? { knnAsGiven: { encoder: encoderAsGiven!, ...(rawAsGiven !== undefined ? { raw: rawAsGiven } : {}) } } : {}),
      ...(run ? { run } : {}), history, ...(typeof headDim === 'number' ? { projectionDim: headDim } : {}),
      trainEmbeddings: eTrain, testEmbeddings: eTest, trainLabels: train.labels!, testLabels: test.labels!, classNames: source.classNames ?? [],
      ...(opened.images ? { images: { train: subset(opened.images, trainIdx), test: subset(opened.images, testIdx) } } : {}),
    };
  } finally {
    restored.dispose();
  }
}
