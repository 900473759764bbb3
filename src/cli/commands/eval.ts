/**
 * `contrastive eval`: the protocol of BENCHMARKS.md on the held-out split: weighted kNN (k = 200,
 * T = 0.1, cosine) and a linear probe on the encoder's embeddings, retrieval metrics (leave-one-out
 * among the held-out images) and clustering metrics, each beside the same figure on raw pixels;
 * with --report DIR, an HTML report (and PNGs) of it all.
 */
import { Command } from 'commander';
import { subset, type ImageDataset } from '../../data/image-dataset.js';
import { labelledSubset, stratifiedSplit } from '../../data/split.js';
import { embedDataset } from '../../embed/embed-dataset.js';
import { evaluateEmbeddings, type Evaluation } from '../../eval/evaluate.js';
import { fitWhitening } from '../../eval/whitening.js';
import { weightedKnnAccuracy, type Embeddings } from '../../eval/knn.js';
import { writeReport } from '../../report/write-report.js';
import { loadCheckpointState } from '../../train/checkpoint.js';
import type { EpochLog } from '../../train/trainer.js';
import { Rng } from '../../util/random.js';
import { integer, integerList, oneOf } from '../args.js';
import { imageReportData } from '../image-report.js';
import { phaseProgress } from '../progress.js';
import { loadDataset, readRun, restoreMethod, type DatasetName } from '../run-config.js';

const pixels = (d: ImageDataset): Embeddings => ({ values: Float32Array.from(d.images, (v) => v / 255), dim: d.height * d.width * d.channels });

interface EvalArgs {
  checkpoint: string;
  dataset: DatasetName;
  json?: boolean;
  labelsPerClass?: number;
  seed?: number;
  k: number[];
  report?: string;
  mapPoints: number;
  baseline: boolean;
  whiten?: boolean;
}

/** The JSON summary of one evaluation (per-class retrieval left to the report). */
function summary(e: Evaluation, knnAsGiven?: number) {
  const { perClass: _perClass, ...retrieval } = e.retrieval;
  return {
    linearProbeTop1: e.linearProbeTop1, knnTop1: e.knnTop1, retrieval, clustering: e.clustering, whitening: e.whitening,
    ...(knnAsGiven === undefined ? {} : { knnTop1AsGiven: knnAsGiven }),
  };
}

export function evalCommand(): Command {
  return new Command('eval')
    .description('kNN, linear-probe, retrieval and clustering metrics of a trained encoder on the held-out split, beside raw pixels; optionally an HTML report')
    .requiredOption('--checkpoint <dir>', 'run directory written by contrastive train')
    .option('--dataset <name>', 'fashion-mnist or mnist', oneOf('fashion-mnist', 'mnist'), 'fashion-mnist')
    .option('--labels-per-class <k>', 'few-labels evaluation: the kNN bank and the probe use only k labelled training images per class (the subset train --labels-per-class k uses)', integer(1))
    .option('--seed <n>', 'seed of the --labels-per-class subset, k-means and the report\'s samples (default: the run\'s train --seed)', integer(0))
    .option('--k <list>', 'cut-offs of the retrieval @k metrics', integerList(1), [1, 10, 100])
    .option('--report <dir>', 'write an HTML report (index.html and PNGs) into this directory')
    .option('--map-points <n>', 'held-out images on the report\'s UMAP map (UMAP in JavaScript: about 20 s for 5000)', integer(10), 5000)
    .option('--whiten', 'PCA-whiten the encoder\'s and the raw pixels\' rows first (Ledoit-Wolf shrinkage, fitted on the training images without their labels); every figure is then of the whitened rows')
    .option('--no-baseline', 'skip the raw-pixel figures (about 40% of the time; the report then has no baseline column)')
    .option('--json', 'print one JSON object on stdout instead of a table')
    .action(async (args: EvalArgs) => {
      const run = readRun(args.checkpoint);
      const data = loadDataset(args.dataset);
      const seed = args.seed ?? run.seed;
      const split = stratifiedSplit(data.labels);
      let trainIdx = split.train;
      // The training images without labels; --whiten fits on them (with --labels-per-class they are
      // more than the labelled bank).
      let poolIdx = trainIdx;
      if (args.labelsPerClass !== undefined) {
        // The pool train drew its labels from: its --limit sample (same seed), then K per class.
        if (run.limit !== undefined && run.limit < trainIdx.length && run.dataset === data.name) {
          trainIdx = new Rng(run.seed).shuffle(Int32Array.from(trainIdx)).subarray(0, run.limit).sort();
        }
        poolIdx = trainIdx;
        trainIdx = labelledSubset(trainIdx, data.labels, args.labelsPerClass, seed);
      }
      const train = subset(data, trainIdx), test = subset(data, split.test);
      const pool = poolIdx === trainIdx ? train : subset(data, poolIdx);
      const method = restoreMethod(args.checkpoint, data);
      const progress = phaseProgress();
      const encode = (x: Parameters<typeof method.embed>[0]) => method.embed(x);
      let eTrain = embedDataset(train, encode, { onProgress: progress.phase('embed train') });
      let eTest = embedDataset(test, encode, { onProgress: progress.phase('embed test') });
      // Whitened here rather than by evaluateEmbeddings: fitted on the whole unlabelled pool, and
      // the report's map and gallery show the rows the figures are of.
      const whiten = (fitOn: Embeddings, rows: Embeddings[]) => {
        const w = fitWhitening(fitOn);
        return { rows: rows.map((r) => w.transform(r)), whitening: { shrinkage: w.shrinkage } };
      };
      // With --whiten, the protocol's kNN of the rows as given too, for comparison.
      const knnAsGiven = (a: Embeddings, b: Embeddings) => (args.whiten ? weightedKnnAccuracy(a, train.labels, b, test.labels) : undefined);
      const encoderAsGiven = knnAsGiven(eTrain, eTest);
      let encoderWhitening: Evaluation['whitening'] = null;
      if (args.whiten) {
        const fitOn = pool === train ? eTrain : embedDataset(pool, encode, { onProgress: progress.phase('embed pool') });
        const w = whiten(fitOn, [eTrain, eTest]);
        [eTrain, eTest] = w.rows;
        encoderWhitening = w.whitening;
      }
      const projectionDim = method.head.outputs[0].shape.at(-1) as number;
      method.dispose();
      const evaluate = (name: string, a: Embeddings, b: Embeddings, whitening: Evaluation['whitening']) => ({
        ...evaluateEmbeddings({
          train: a, trainLabels: train.labels, test: b, testLabels: test.labels, k: args.k, seed,
          onProgress: (phase, done, total) => progress.phase(`${name} ${phase}`)(done, total),
        }),
        whitening,
      });
      const encoder = evaluate('encoder', eTrain, eTest, encoderWhitening);
      let raw: Evaluation | undefined;
      let pixelsAsGiven: number | undefined;
      if (args.baseline) {
        let [a, b] = [pixels(train), pixels(test)];
        let pixelWhitening: Evaluation['whitening'] = null;
        pixelsAsGiven = knnAsGiven(a, b);
        if (args.whiten) {
          const w = whiten(pool === train ? a : pixels(pool), [a, b]);
          [a, b] = w.rows;
          pixelWhitening = w.whitening;
        }
        raw = evaluate('pixels', a, b, pixelWhitening);
      }
      const shrinkage = encoderWhitening?.shrinkage;
      let reportPath: string | undefined;
      if (args.report) {
        const history = loadCheckpointState<{ history: EpochLog[] }>(args.checkpoint)?.history ?? [];
        const reportData = imageReportData({
          title: `${test.name} · ${run.method} · ${run.backbone}`,
          info: [
            ['checkpoint', args.checkpoint], ['data set', `${test.name}: ${test.size} held-out images, ${train.size} labelled training images`],
            ['method', run.method], ['backbone', run.backbone], ['epochs trained', String(history.length)],
            ['embedding', `${eTest.dim}-d${shrinkage === undefined ? '' : `, whitened (Ledoit-Wolf shrinkage ${shrinkage.toExponential(2)})`}`],
            ['seed', String(seed)], ['generated', new Date().toISOString()],
          ],
          train, test, trainEmbeddings: eTrain, testEmbeddings: eTest, encoder, pixels: raw, history, projectionDim,
          mapPoints: args.mapPoints, neighbours: 8, seed, progress: progress.phase,
        });
        reportPath = (await writeReport(args.report, reportData)).html;
      }
      progress.stop();
      const result = {
        dataset: data.name, checkpoint: args.checkpoint, n: test.size, labelled: train.size, ...(args.whiten ? { whitenedOn: pool.size } : {}),
        knnTop1: encoder.knnTop1, linearProbeTop1: encoder.linearProbeTop1, ...(raw ? { rawPixelKnnTop1: raw.knnTop1 } : {}),
        encoder: summary(encoder, encoderAsGiven), ...(raw ? { rawPixels: summary(raw, pixelsAsGiven) } : {}), ...(reportPath ? { report: reportPath } : {}),
      };
      if (args.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const pct = (x: number | undefined) => (x === undefined ? '' : `${(100 * x).toFixed(2)}%`.padStart(8));
      const num = (x: number | undefined) => (x === undefined ? '' : x.toFixed(4).padStart(8));
      const line = (name: string, a: string, b: string) => `  ${name.padEnd(38)}${a}   ${b}\n`;
      const r = encoder.retrieval, q = raw?.retrieval, c = encoder.clustering, d = raw?.clustering;
      process.stdout.write(
        `${data.name}, held-out split (${test.size} images), labelled bank of ${train.size}${args.whiten ? ', rows whitened' : ''}\n` +
          line('', ' encoder', raw ? 'raw pixels' : '') +
          line('weighted kNN (k=200, T=0.1, cosine)', pct(encoder.knnTop1), pct(raw?.knnTop1)) +
          (args.whiten ? line('  the same, rows not whitened', pct(encoderAsGiven), pct(pixelsAsGiven)) : '') +
          line('linear probe (logistic regression)', pct(encoder.linearProbeTop1), pct(raw?.linearProbeTop1)) +
          args.k.map((k) => line(`precision@${k} (leave-one-out)`, pct(r.precisionAtK[k]), pct(q?.precisionAtK[k]))).join('') +
          line('mAP', pct(r.meanAveragePrecision), pct(q?.meanAveragePrecision)) +
          line('MAP@R', pct(r.mapAtR), pct(q?.mapAtR)) +
          line('k-means ARI / NMI', `${num(c.kMeansAri)} ${num(c.kMeansNmi)}`, d ? `${num(d.kMeansAri)} ${num(d.kMeansNmi)}` : '') +
          line('silhouette (cosine) / Davies-Bouldin', `${num(c.silhouette)} ${num(c.daviesBouldin)}`, d ? `${num(d.silhouette)} ${num(d.daviesBouldin)}` : '') +
          (reportPath ? `report: ${reportPath}\n` : ''),
      );
    });
}
