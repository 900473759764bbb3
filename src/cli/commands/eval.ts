/**
 * `contrastive eval`: `evaluateRun` (weighted kNN, linear probe, retrieval and clustering metrics
 * of a run's encoder on the held-out split, beside the items themselves), printed as a table or
 * JSON; with --report DIR, an HTML report (and PNGs) of it all, written whole as the folder DIR
 * (report/write-report.ts: only an earlier report there is replaced, and that is checked first).
 */
import { Command } from 'commander';
import type { Evaluation } from '../../eval/evaluate.js';
import { evaluateRun } from '../../train/evaluate-run.js';
import { evaluatePairsRun } from '../../train/evaluate-pairs-run.js';
import { readRun } from '../../train/run.js';
import { JSONL_EXTENSIONS } from '../../data/registry.js';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { evaluationReportData } from '../../report/evaluation-report.js';
import { checkReportTarget, writeReport } from '../../report/write-report.js';
import { integer, integerList } from '../args.js';
import { dataOptions, withDataOptions, type DataArgs } from '../data-options.js';
import { phaseProgress } from '../progress.js';
import { UsageError } from '../../util/usage-error.js';

interface EvalArgs extends DataArgs {
  checkpoint: string;
  json?: boolean;
  labelsPerClass?: number;
  limit?: number;
  seed?: number;
  k?: number[];
  report?: string;
  mapPoints: number;
  baseline: boolean;
  whiten?: boolean;
  pairs?: boolean;
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
  const command = new Command('eval')
    .description('kNN, linear-probe, retrieval and clustering metrics of a trained encoder on the held-out split, beside the items themselves (raw pixels, rows); optionally an HTML report')
    .requiredOption('--checkpoint <dir>', 'run directory written by contrastive train (or by the library\'s Trainer), or a saved encoder');
  withDataOptions(command, 'data (default: the run\'s own)')
    .option('--limit <n>', 'evaluate on the seeded sample of n training items (the one train --limit n trains on) and n/6 held-out items: a quick check', integer(2))
    .option('--labels-per-class <k>', 'few-labels evaluation: the kNN bank and the probe use only k labelled training items per class (the subset train --labels-per-class k uses)', integer(1))
    .option('--seed <n>', 'seed of the --labels-per-class subset, k-means and the report\'s samples (default: the run\'s train --seed)', integer(0))
    .option('--k <list>', 'cut-offs of the retrieval @k metrics (default 1,10,100, those below the held-out count)', integerList(1))
    .option('--report <dir>', 'write an HTML report (index.html and PNGs) as this folder, whole (an earlier report there is replaced; a folder of other files is refused)')
    .option('--map-points <n>', 'held-out items on the report\'s UMAP map (UMAP in JavaScript: about 20 s for 5000)', integer(10), 5000)
    .option('--whiten', 'PCA-whiten the encoder\'s and the baseline\'s rows first (Ledoit-Wolf shrinkage, fitted on the training items without their labels); every figure is then of the whitened rows')
    .option('--no-baseline', 'skip the raw-pixel (raw-row) figures (about 40% of the time; the report then has no baseline column)')
    .option('--pairs', 'texts: read --data (a .jsonl file) as (anchor, positive) pairs and score how well each anchor finds its own positive among all positives: recall@1, recall@10, MRR (the default for a run trained on pairs)')
    .option('--json', 'print one JSON object on stdout instead of a table')
    .action(async (args: EvalArgs) => {
      // Pairs: asked for, or a run trained on pairs evaluated on its own data or another .jsonl file.
      // run.json is read once, here, and handed to the evaluation.
      const run = existsSync(join(args.checkpoint, 'run.json')) ? readRun(args.checkpoint) : undefined;
      if (args.pairs || (run?.pairs && args.dataset === undefined && (args.data === undefined || JSONL_EXTENSIONS.includes(extname(args.data).toLowerCase())))) {
        for (const k of ['report', 'labelsPerClass', 'whiten', 'label'] as const) {
          if (args[k] !== undefined) throw new UsageError(k, 'applies to labelled items, not to the retrieval of pairs');
        }
        const progress = phaseProgress();
        const r = await evaluatePairsRun({ checkpoint: args.checkpoint, run, data: args.data, limit: args.limit, k: args.k, onProgress: progress.phase });
        progress.stop();
        if (args.json) {
          process.stdout.write(`${JSON.stringify(r)}\n`);
          return;
        }
        const pct = (x: number) => `${(100 * x).toFixed(2)}%`.padStart(8);
        process.stdout.write(
          `${r.dataset}, ${r.split === 'held-out' ? 'held-out pairs' : 'every pair'} (${r.n}): each anchor's positive among all ${r.n} positives (cosine)\n` +
            Object.entries(r.recallAtK).map(([k, v]) => `  ${`recall@${k}`.padEnd(38)}${pct(v)}\n`).join('') +
            `  ${'MRR'.padEnd(38)}${pct(r.mrr)}\n  ${'median / mean rank'.padEnd(38)}${String(r.medianRank).padStart(8)} ${r.meanRank.toFixed(1)}\n`,
        );
        return;
      }
      // A report folder that cannot be written (a file, a folder of other files) is refused before the work.
      if (args.report) checkReportTarget(args.report);
      const progress = phaseProgress();
      const r = await evaluateRun({
        ...dataOptions(args), checkpoint: args.checkpoint, run, limit: args.limit, labelsPerClass: args.labelsPerClass, seed: args.seed, k: args.k,
        whiten: Boolean(args.whiten), baseline: args.baseline, progress: progress.phase,
      });
      const seed = args.seed ?? r.run?.seed ?? 0;
      const shrinkage = r.encoder.whitening?.shrinkage;
      const what = r.images ? 'images' : 'items';
      let reportPath: string | undefined;
      if (args.report) {
        const reportData = evaluationReportData({
          title: `${r.dataset} · ${r.run?.method ?? 'encoder'} · ${r.run?.backbone ?? ''}`.replace(/ · $/, ''),
          info: [
            ['checkpoint', args.checkpoint], ['data set', `${r.dataset}: ${r.n} held-out ${what}, ${r.labelled} labelled training ${what}`],
            ...(r.run ? [['method', r.run.method], ['backbone', r.run.backbone]] as [string, string][] : []), ['epochs trained', String(r.history.length)],
            ['embedding', `${r.testEmbeddings.dim}-d${shrinkage === undefined ? '' : `, whitened (Ledoit-Wolf shrinkage ${shrinkage.toExponential(2)})`}`],
            ['seed', String(seed)], ['generated', new Date().toISOString()],
          ],
          train: { labels: r.trainLabels, classNames: r.classNames, size: r.labelled },
          test: { labels: r.testLabels, classNames: r.classNames, size: r.n },
          ...(r.images ? { images: r.images } : {}),
          trainEmbeddings: r.trainEmbeddings, testEmbeddings: r.testEmbeddings, encoder: r.encoder, pixels: r.raw, history: r.history, projectionDim: r.projectionDim,
          mapPoints: args.mapPoints, neighbours: 8, seed, progress: progress.phase,
        });
        reportPath = (await writeReport(args.report, reportData)).html;
      }
      progress.stop();
      const { encoder, raw } = r;
      const result = {
        dataset: r.dataset, checkpoint: args.checkpoint, n: r.n, labelled: r.labelled, ...(r.whitenedOn !== undefined ? { whitenedOn: r.whitenedOn } : {}),
        knnTop1: encoder.knnTop1, linearProbeTop1: encoder.linearProbeTop1, ...(raw ? { rawPixelKnnTop1: raw.knnTop1 } : {}),
        encoder: summary(encoder, r.knnAsGiven?.encoder), ...(raw ? { rawPixels: summary(raw, r.knnAsGiven?.raw) } : {}), ...(reportPath ? { report: reportPath } : {}),
      };
      if (args.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const pct = (x: number | undefined) => (x === undefined ? '' : `${(100 * x).toFixed(2)}%`.padStart(8));
      const num = (x: number | undefined) => (x === undefined ? '' : x.toFixed(4).padStart(8));
      const line = (name: string, a: string, b: string) => `  ${name.padEnd(38)}${a}   ${b}\n`;
      const q = raw?.retrieval, c = encoder.clustering, d = raw?.clustering, e = encoder.retrieval;
      process.stdout.write(
        `${r.dataset}, held-out split (${r.n} ${what}), labelled bank of ${r.labelled}${args.whiten ? ', rows whitened' : ''}\n` +
          line('', ' encoder', raw ? (r.images ? 'raw pixels' : 'raw rows') : '') +
          line('weighted kNN (k=200, T=0.1, cosine)', pct(encoder.knnTop1), pct(raw?.knnTop1)) +
          (args.whiten ? line('  the same, rows not whitened', pct(r.knnAsGiven?.encoder), pct(r.knnAsGiven?.raw)) : '') +
          line('linear probe (logistic regression)', pct(encoder.linearProbeTop1), pct(raw?.linearProbeTop1)) +
          Object.keys(e.precisionAtK).map(Number).map((k) => line(`precision@${k} (leave-one-out)`, pct(e.precisionAtK[k]), pct(q?.precisionAtK[k]))).join('') +
          line('mAP', pct(e.meanAveragePrecision), pct(q?.meanAveragePrecision)) +
          line('MAP@R', pct(e.mapAtR), pct(q?.mapAtR)) +
          line('k-means ARI / NMI', `${num(c.kMeansAri)} ${num(c.kMeansNmi)}`, d ? `${num(d.kMeansAri)} ${num(d.kMeansNmi)}` : '') +
          line('silhouette (cosine) / Davies-Bouldin', `${num(c.silhouette)} ${num(c.daviesBouldin)}`, d ? `${num(d.silhouette)} ${num(d.daviesBouldin)}` : '') +
          (reportPath ? `report: ${reportPath}\n` : ''),
      );
    });
  return command;
}
