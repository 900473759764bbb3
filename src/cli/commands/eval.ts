/**
 * `contrastive eval`: the protocol of BENCHMARKS.md on the held-out split: weighted kNN (k = 200,
 * T = 0.1, cosine) and a linear probe on the encoder's embeddings, beside the raw-pixel kNN baseline.
 */
import { Command } from 'commander';
import { subset, type ImageDataset } from '../../data/image-dataset.js';
import { labelledSubset, stratifiedSplit } from '../../data/split.js';
import { embedDataset } from '../../embed/embed-dataset.js';
import { weightedKnnAccuracy } from '../../eval/knn.js';
import { trainLinearProbe } from '../../eval/linear-probe.js';
import { integer, oneOf } from '../args.js';
import { loadDataset, readRun, restoreMethod, type DatasetName } from '../run-config.js';
import { Rng } from '../../util/random.js';

const pixels = (d: ImageDataset) => ({ values: Float32Array.from(d.images, (v) => v / 255), dim: d.height * d.width * d.channels });

export function evalCommand(): Command {
  return new Command('eval')
    .description('kNN and linear-probe accuracy of a trained encoder on the held-out split, beside the raw-pixel kNN baseline')
    .requiredOption('--checkpoint <dir>', 'run directory written by contrastive train')
    .option('--dataset <name>', 'fashion-mnist or mnist', oneOf('fashion-mnist', 'mnist'), 'fashion-mnist')
    .option('--labels-per-class <k>', 'few-labels evaluation: the kNN bank and the probe use only k labelled training images per class (the subset train --labels-per-class k uses)', integer(1))
    .option('--seed <n>', 'seed of the --labels-per-class subset (default: the run\'s train --seed)', integer(0))
    .option('--json', 'print one JSON object on stdout instead of a table')
    .action((args: { checkpoint: string; dataset: DatasetName; json?: boolean; labelsPerClass?: number; seed?: number }) => {
      const run = readRun(args.checkpoint);
      const data = loadDataset(args.dataset);
      const split = stratifiedSplit(data.labels);
      let trainIdx = split.train;
      if (args.labelsPerClass !== undefined) {
        // The pool train drew its labels from: its --limit sample (same seed), then K per class.
        const seed = args.seed ?? run.seed;
        if (run.limit !== undefined && run.limit < trainIdx.length && run.dataset === data.name) {
          trainIdx = new Rng(run.seed).shuffle(Int32Array.from(trainIdx)).subarray(0, run.limit).sort();
        }
        trainIdx = labelledSubset(trainIdx, data.labels, args.labelsPerClass, seed);
      }
      const train = subset(data, trainIdx), test = subset(data, split.test);
      const method = restoreMethod(args.checkpoint, data);
      const encode = (x: Parameters<typeof method.embed>[0]) => method.embed(x);
      const eTrain = embedDataset(train, encode), eTest = embedDataset(test, encode);
      method.dispose();
      const knnTop1 = weightedKnnAccuracy(eTrain, train.labels, eTest, test.labels);
      const probe = trainLinearProbe(eTrain, train.labels, { epochs: 30 });
      const linearProbeTop1 = probe.accuracy(eTest, test.labels);
      probe.dispose();
      const rawPixelKnnTop1 = weightedKnnAccuracy(pixels(train), train.labels, pixels(test), test.labels);
      const result = {
        dataset: data.name, checkpoint: args.checkpoint, n: test.size, labelled: train.size, knnTop1, linearProbeTop1, rawPixelKnnTop1,
      };
      if (args.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
      process.stdout.write(
        `${data.name}, held-out split (${test.size} images), trained on ${train.size}\n` +
          `  weighted kNN (k=200, T=0.1, cosine)   ${pct(knnTop1)}\n` +
          `  linear probe (logistic regression)    ${pct(linearProbeTop1)}\n` +
          `  raw-pixel weighted kNN (baseline)     ${pct(rawPixelKnnTop1)}\n`,
      );
    });
}
