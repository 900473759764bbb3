/** `contrastive train`: self-supervised training on a built-in data set (the Trainer, as a command). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { simclrViews } from '../../augment/presets/simclr.js';
import { subset } from '../../data/image-dataset.js';
import { labelledSubset, stratifiedSplit } from '../../data/split.js';
import { Trainer, type OptimizerName } from '../../train/trainer.js';
import { Rng } from '../../util/random.js';
import { fraction, integer, integerList, oneOf, positiveNumber } from '../args.js';
import {
  buildMethod, loadDataset, restoreMethod, withLegacyDefaults, DEFAULT_TEMPERATURE, METHODS, SUPERVISED_METHODS, UsageError, type BackboneName, type DatasetName, type MethodName, type RunConfig,
} from '../run-config.js';
import { MPerClassSampler } from '../../data/m-per-class-sampler.js';
import type { TripletMining } from '../../methods/triplet.js';
import type { CnnPooling } from '../../models/backbones/cnn.js';

interface TrainArgs {
  dataset: DatasetName; method: MethodName; backbone: BackboneName; margin?: number; mining?: TripletMining; labelsPerClass?: number; mPerClass?: number; init?: string; epochs: number; batchSize: number; limit?: number;
  seed: number; temperature?: number; pooling: CnnPooling; widths: number[]; embeddingDim?: number; cropScale: number; optimizer: OptimizerName; lr?: number; out?: string; resume?: boolean;
}

export function trainCommand(): Command {
  return new Command('train')
    .description('train an encoder on a built-in data set, without labels (simclr, moco, mocov3, byol, simsiam, barlow, vicreg, nnclr) or with them (supcon, triplet, siamese); a checkpoint after every epoch')
    .option('--dataset <name>', 'fashion-mnist or mnist', oneOf('fashion-mnist', 'mnist'), 'fashion-mnist')
    .option('--method <name>', `${METHODS.join(', ')}; supcon, triplet and siamese use the labels`, oneOf(...METHODS), 'simclr')
    .option('--backbone <name>', 'cnn (32-64-128, then --pooling), resnet (ResNet-18 at width 1/4) or mlp (512-512-128)', oneOf('cnn', 'resnet', 'mlp'), 'cnn')
    .option('--pooling <kind>', 'cnn only: flatten (the last map, then --embedding-dim units) or global-average', oneOf('flatten', 'global-average'), 'flatten')
    .option('--widths <list>', 'cnn only: channels of the conv blocks', integerList(1), [32, 64, 128])
    .option('--embedding-dim <n>', 'cnn only: units of the Linear + BN + ReLU block after the pooling (0: none; default 256 with flatten, 0 with global-average)', integer(0))
    .option('--epochs <n>', 'epochs', integer(1), 15)
    .option('--batch-size <n>', 'images per batch (2 views each)', integer(2), 256)
    .option('--limit <n>', 'train on n images of the training split (seeded sample)', integer(2))
    .option('--seed <n>', 'seed of initialisation, batch order and views', integer(0), 0)
    .option('--temperature <t>', `softmax temperature of ${Object.keys(DEFAULT_TEMPERATURE).join(', ')} (default: ${Object.entries(DEFAULT_TEMPERATURE).map(([m, t]) => `${m} ${t}`).join(', ')})`, positiveNumber)
    .option('--margin <m>', 'triplet and siamese margin on unit-length projections (default: triplet 0.2, siamese 1)', positiveNumber)
    .option('--mining <kind>', 'triplet: semi-hard (default), batch-hard or batch-all', oneOf('semi-hard', 'batch-hard', 'batch-all'))
    .option('--labels-per-class <k>', 'supervised methods: train on k labelled images per class of the training split (seeded)', integer(1))
    .option('--m-per-class <m>', 'supervised methods: images per class in a batch (default: batch size / the largest divisor of it <= the number of classes)', integer(1))
    .option('--init <dir>', 'start the backbone from the checkpoint of another run (e.g. SimCLR pre-training, then --method supcon --labels-per-class k)')
    .option('--crop-scale <min>', 'smallest area of the random resized crop, as a fraction of the image', fraction, 0.8)
    .option('--optimizer <name>', 'adam, sgd or lars', oneOf('adam', 'sgd', 'lars'), 'adam')
    .option('--lr <x>', 'peak learning rate (default: adam 1e-3, sgd 0.06, lars 0.3, x batch/256 for sgd and lars)', positiveNumber)
    .option('--out <dir>', 'run directory (default runs/<dataset>-<method>-<backbone>)')
    .option('--resume', 'continue from the checkpoint in --out')
    .action(async (args: TrainArgs) => {
      const out = args.out ?? join('runs', `${args.dataset}-${args.method}-${args.backbone}`);
      const supervised = SUPERVISED_METHODS.includes(args.method);
      if (args.mining !== undefined && args.method !== 'triplet') {
        throw new UsageError(`--mining: applies to --method triplet, received --method ${args.method}`);
      }
      if (!supervised && (args.labelsPerClass !== undefined || args.mPerClass !== undefined || args.margin !== undefined)) {
        const flag = args.labelsPerClass !== undefined ? '--labels-per-class' : args.mPerClass !== undefined ? '--m-per-class' : '--margin';
        throw new UsageError(`${flag}: applies to --method supcon, triplet or siamese, received --method ${args.method}`);
      }
      const defaultTemperature = DEFAULT_TEMPERATURE[args.method];
      if (defaultTemperature === undefined && args.temperature !== undefined) {
        throw new UsageError(`--temperature: applies to --method ${Object.keys(DEFAULT_TEMPERATURE).join(', ')}, received --method ${args.method}`);
      }
      const config: RunConfig = {
        dataset: args.dataset, method: args.method, backbone: args.backbone, seed: args.seed,
        ...(defaultTemperature !== undefined ? { temperature: args.temperature ?? defaultTemperature } : {}),
        ...(args.limit !== undefined ? { limit: args.limit } : {}),
        ...(args.margin !== undefined ? { margin: args.margin } : {}),
        ...(args.mining !== undefined ? { mining: args.mining } : {}),
        ...(args.labelsPerClass !== undefined ? { labelsPerClass: args.labelsPerClass } : {}),
        ...(args.init !== undefined ? { init: args.init } : {}),
        cropScale: args.cropScale,
        ...(args.backbone === 'cnn'
          ? { pooling: args.pooling, widths: args.widths, embeddingDim: args.embeddingDim ?? (args.pooling === 'flatten' ? 256 : 0) }
          : {}),
      };
      const runFile = join(out, 'run.json');
      const hasCheckpoint = existsSync(join(out, 'checkpoint.json'));
      if (args.resume && !existsSync(runFile)) throw new UsageError(`--resume: expected a run directory with run.json in --out, received '${out}'`);
      if (!args.resume && hasCheckpoint) {
        throw new UsageError(`--out: '${out}' already holds a run; pass --resume to continue it or choose another --out`);
      }
      const data = loadDataset(args.dataset);
      const split = stratifiedSplit(data.labels);
      let trainIdx = split.train;
      if (args.limit !== undefined && args.limit < trainIdx.length) {
        trainIdx = new Rng(args.seed).shuffle(Int32Array.from(trainIdx)).subarray(0, args.limit).sort();
      }
      if (args.labelsPerClass !== undefined) trainIdx = labelledSubset(trainIdx, data.labels, args.labelsPerClass, args.seed);
      const train = subset(data, trainIdx);
      if (train.size < args.batchSize) throw new UsageError(`--batch-size: expected at most the ${train.size} training images, received ${args.batchSize}`);
      // kNN monitor on fixed subsets (5,000 train, 1,000 test) so that it takes seconds per epoch.
      const pick = (idx: Int32Array, n: number) => (idx.length <= n ? idx : new Rng(12345).shuffle(Int32Array.from(idx)).subarray(0, n).sort());
      const monitor = { train: subset(data, pick(trainIdx, 5000)), test: subset(data, pick(split.test, 1000)) };
      const method = buildMethod(config, data);
      if (args.init !== undefined && !hasCheckpoint) {
        const source = restoreMethod(args.init, data, '--init');
        const shapes = (m: typeof method) => m.backbone.getWeights().map((w) => `[${w.shape}]`).join(' ');
        if (shapes(source) !== shapes(method)) {
          source.dispose();
          throw new UsageError(`--init: the backbone of the run in '${args.init}' has other weights than this run's (${args.backbone}; check --pooling, --widths, --embedding-dim)`);
        }
        method.backbone.setWeights(source.backbone.getWeights());
        source.dispose();
      }
      let sampler: MPerClassSampler | undefined;
      if (supervised) {
        const classes = new Set(train.labels).size;
        let m = args.mPerClass;
        if (m === undefined) {
          let p = Math.min(classes, args.batchSize);
          while (args.batchSize % p !== 0) p--;
          m = args.batchSize / p;
        }
        try {
          sampler = new MPerClassSampler(train.labels, { m, batchSize: args.batchSize, seed: args.seed });
        } catch (e) {
          throw new UsageError(`--m-per-class: ${(e as Error).message.replace('MPerClassSampler: ', '')}`);
        }
        config.mPerClass = m;
      }
      if (args.resume) {
        // Every field of either run.json must agree (older runs: with the values they used).
        const saved = withLegacyDefaults(JSON.parse(readFileSync(runFile, 'utf8')) as RunConfig);
        for (const k of new Set([...Object.keys(saved), ...Object.keys(config)]) as Set<keyof RunConfig>) {
          if (JSON.stringify(saved[k]) !== JSON.stringify(config[k])) {
            method.dispose();
            throw new UsageError(`--resume: the run in '${out}' has ${k} = ${JSON.stringify(saved[k])}, received ${JSON.stringify(config[k])}`);
          }
        }
      }
      // Every argument is checked: only now does the run directory get written (a resumed run keeps its run.json).
      mkdirSync(out, { recursive: true });
      if (!args.resume) writeFileSync(runFile, JSON.stringify(config, null, 1));
      process.stderr.write(
        `contrastive train: ${args.method} on ${args.dataset} (${train.size} images), ${args.backbone} backbone ` +
          `(${method.backbone.countParams().toLocaleString('en-US')} parameters, head ${method.head.countParams().toLocaleString('en-US')}), ` +
          `${args.epochs} epoch${args.epochs === 1 ? '' : 's'} of batch ${args.batchSize}, seed ${args.seed} -> ${out}\n`,
      );
      const trainer = new Trainer({
        epochs: args.epochs, batchSize: args.batchSize, optimizer: args.optimizer, learningRate: args.lr, seed: args.seed,
        checkpointDir: out, resume: Boolean(args.resume), monitor, sampler,
        onEpochEnd: (l) => process.stderr.write(
          `epoch ${l.epoch}/${args.epochs}  loss ${l.loss.toFixed(4)}  kNN monitor ${(100 * (l.knnTop1 ?? 0)).toFixed(1)}%  ` +
            (l.collapseStd === undefined ? '' : `collapse std ${l.collapseStd.toFixed(4)} (1/sqrt(d) = ${(1 / Math.sqrt(method.head.outputs[0].shape.at(-1) as number)).toFixed(4)})  `) +
            `${l.imagesPerSecond.toFixed(0)} img/s  ${l.seconds.toFixed(0)} s\n`,
        ),
      });
      await trainer.fit(method, simclrViews({ size: [data.height, data.width], cropScale: [args.cropScale, 1] }), train);
      method.dispose();
      const rssMb = process.resourceUsage().maxRSS / 1024;
      process.stderr.write(
        `done: checkpoint in ${out} (peak RSS ${rssMb.toFixed(0)} MB); evaluate with: contrastive eval --checkpoint ${out} --dataset ${args.dataset}\n`,
      );
    });
}

