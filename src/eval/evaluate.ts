/**
 * The whole evaluation of one set of embeddings, as `contrastive eval` runs it: the labelled
 * `train` rows are the kNN bank and the linear probe's training set; the held-out `test` rows are
 * classified, searched and clustered.
 *
 * - classification: weighted kNN (k = 200, T = 0.1, cosine; knn.ts) and a linear probe
 *   (linear-probe.ts), top-1 and the prediction of every test row;
 * - retrieval: leave-one-out among the test rows (retrieval.ts), cosine;
 * - clustering: k-means (k = the number of classes, k-means++, seeded) of the test rows against
 *   their classes (ARI, NMI, AMI, V-measure), and how well the classes themselves separate
 *   (silhouette, Davies-Bouldin, Calinski-Harabasz, Dunn). Every clustering figure is computed on
 *   the L2-normalised rows, where Euclidean distance is a function of the cosine similarity the
 *   kNN protocol uses, so raw pixels and embeddings of any scale compare fairly.
 *
 * With `whiten`, both sets are first PCA-whitened by a whitening fitted on the `train` rows alone
 * (no labels; whitening.ts), and every figure is of the whitened rows.
 */
import { adjustedRandIndex } from './clustering/adjusted-rand.js';
import { calinskiHarabaszIndex } from './clustering/calinski-harabasz.js';
import { daviesBouldinIndex } from './clustering/davies-bouldin.js';
import { dunnIndex } from './clustering/dunn.js';
import { adjustedMutualInfo, normalizedMutualInfo } from './clustering/mutual-info.js';
import { silhouetteScore } from './clustering/silhouette.js';
import { vMeasure } from './clustering/v-measure.js';
import { kMeans } from './kmeans.js';
import { weightedKnnPredict } from './knn.js';
import { trainLinearProbe } from './linear-probe.js';
import { toLabels, toPoints, type Matrix } from './points.js';
import { retrievalMetrics, type RetrievalMetrics } from './retrieval.js';
import { l2Normalize } from './points.js';
import { fitWhitening, type WhiteningOptions } from './whitening.js';

/** The phases of an evaluation, in order, as reported to `onProgress`. */
export type EvaluationPhase = 'kNN' | 'linear probe' | 'retrieval' | 'k-means' | 'silhouette' | 'Dunn';

export interface EvaluationOptions {
  /** Labelled embeddings: the kNN bank and the probe's training set. */
  train: Matrix;
  trainLabels: ArrayLike<number>;
  /** Held-out embeddings that are classified, searched and clustered. */
  test: Matrix;
  testLabels: ArrayLike<number>;
  /** Cut-offs of the retrieval @k metrics. Default [1, 10, 100]. */
  k?: number[];
  /** Epochs of the linear probe; 0 skips it. Default 30. */
  probeEpochs?: number;
  /** Seed of the probe's batches and of k-means. Default 0. */
  seed?: number;
  /**
   * Whiten both sets first, with a whitening fitted on `train` without labels (`true`: Ledoit-Wolf
   * shrinkage; or the options of `fitWhitening`). Default false: the rows as given.
   */
  whiten?: boolean | WhiteningOptions;
  /** Progress of the long phases. */
  onProgress?: (phase: EvaluationPhase, done: number, total: number) => void;
}

export interface ClusteringScores {
  /** k-means clusters against the classes. */
  kMeansAri: number;
  kMeansNmi: number;
  kMeansAmi: number;
  kMeansVMeasure: number;
  /** The classes as clusters (mean silhouette, cosine distance). */
  silhouette: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
  dunn: number;
}

export interface Evaluation {
  /** Test rows. */
  n: number;
  knnTop1: number;
  /** Linear-probe top-1 (NaN when probeEpochs is 0). */
  linearProbeTop1: number;
  /** kNN prediction of every test row (class ids as in the labels). */
  knnPredictions: Int32Array;
  /** Linear-probe prediction of every test row (empty when skipped). */
  probePredictions: Int32Array;
  retrieval: RetrievalMetrics;
  clustering: ClusteringScores;
  /** The shrinkage of the whitening applied first; null when the rows were used as given. */
  whitening: { shrinkage: number } | null;
}

const accuracy = (pred: Int32Array, labels: ArrayLike<number>) => pred.reduce((a, p, i) => a + (p === labels[i] ? 1 : 0), 0) / pred.length;

/** Every metric of `test` (with `train` as the labelled bank); see the module comment. */
export function evaluateEmbeddings(options: EvaluationOptions): Evaluation {
  const caller = 'evaluateEmbeddings';
  const { k = [1, 10, 100], probeEpochs = 30, seed = 0, onProgress } = options;
  let train = toPoints(caller, 'train', options.train), test = toPoints(caller, 'test', options.test);
  const { whiten = false } = options;
  if (typeof whiten !== 'boolean' && (typeof whiten !== 'object' || whiten === null)) {
    throw new Error(`${caller}: whiten must be a boolean or the options of fitWhitening, received ${JSON.stringify(whiten)}`);
  }
  let whitening: Evaluation['whitening'] = null;
  if (whiten !== false) {
    if (test.dim !== train.dim) throw new Error(`${caller}: test must have rows of dim ${train.dim} (as train), received ${test.dim}`);
    const w = fitWhitening(train, whiten === true ? {} : whiten);
    whitening = { shrinkage: w.shrinkage };
    train = { ...w.transform(train), rows: train.rows };
    test = { ...w.transform(test), rows: test.rows };
  }
  toLabels(caller, 'trainLabels', options.trainLabels, train.rows);
  const classes = toLabels(caller, 'testLabels', options.testLabels, test.rows).values.length;
  if (!Number.isInteger(probeEpochs) || probeEpochs < 0) throw new Error(`${caller}: probeEpochs must be an integer >= 0, received ${probeEpochs}`);
  const progress = (phase: EvaluationPhase) => (done: number, total: number) => onProgress?.(phase, done, total);

  const knnPredictions = weightedKnnPredict(train, options.trainLabels, test, { onProgress: progress('kNN') });
  let probePredictions: Int32Array = new Int32Array(0);
  if (probeEpochs > 0) {
    onProgress?.('linear probe', 0, 1);
    const probe = trainLinearProbe(train, options.trainLabels, { epochs: probeEpochs, seed });
    probePredictions = probe.predict(test);
    probe.dispose();
    onProgress?.('linear probe', 1, 1);
  }
  const retrieval = retrievalMetrics({ queries: test, queryLabels: options.testLabels, k, onProgress: progress('retrieval') });

  const unit = { values: l2Normalize(test), dim: test.dim }, labels = options.testLabels;
  onProgress?.('k-means', 0, 1);
  const clusters = kMeans(unit, { k: classes, seed }).labels;
  onProgress?.('k-means', 1, 1);
  return {
    n: test.rows,
    knnTop1: accuracy(knnPredictions, labels),
    linearProbeTop1: probeEpochs > 0 ? accuracy(probePredictions, labels) : NaN,
    knnPredictions,
    probePredictions,
    retrieval,
    clustering: {
      kMeansAri: adjustedRandIndex(labels, clusters),
      kMeansNmi: normalizedMutualInfo(labels, clusters),
      kMeansAmi: adjustedMutualInfo(labels, clusters),
      kMeansVMeasure: vMeasure(labels, clusters),
      silhouette: silhouetteScore(unit, labels, { metric: 'cosine', onProgress: progress('silhouette') }),
      daviesBouldin: daviesBouldinIndex(unit, labels),
      calinskiHarabasz: calinskiHarabaszIndex(unit, labels),
      dunn: dunnIndex(unit, labels, { onProgress: progress('Dunn') }),
    },
    whitening,
  };
}
