/**
 * The training loop: seeded batches of the data set -> views -> method.trainStep, the optimizer
 * and its learning-rate schedule (linear warm-up, then cosine decay: SimCLR, Chen et al. 2020,
 * B.1), a progress bar, a collapse monitor (every step) and a kNN monitor (every epoch), an atomic
 * checkpoint after every epoch and an exact resume. The trainer never knows a loss; the method never writes a file.
 *
 * Reproducibility: epoch e's batch order comes from Rng(seed, e) and step s's views from
 * Rng(seed, s), so a run resumed from a checkpoint sees exactly the batches and views of an
 * uninterrupted one (with seeded model initialisation, the same seed gives the same loss curve).
 */
import { tensor4d, train as optimizers, type Optimizer } from '@tensorflow/tfjs-core';
import cliProgress from 'cli-progress';
import type { MultiView } from '../augment/multi-view.js';
import type { ImageDataset } from '../data/image-dataset.js';
import type { BatchSampler } from '../data/m-per-class-sampler.js';
import { embedDataset } from '../embed/embed-dataset.js';
import { weightedKnnAccuracy } from '../eval/knn.js';
import type { Method } from '../methods/method.js';
import { Rng } from '../util/random.js';
import { loadCheckpoint, saveCheckpoint, type NamedTensor } from './checkpoint.js';
import { LARS } from './lars.js';
import { warmupCosineLr } from './schedules.js';

export type OptimizerName = 'adam' | 'sgd' | 'lars';

export interface TrainerOptions {
  /** Epochs to train (a resumed run continues up to this many). */
  epochs: number;
  /** Images per batch (each gives one view per transform). Default 256. */
  batchSize?: number;
  /** 'adam' (default), 'sgd' (momentum) or 'lars' (SimCLR's). */
  optimizer?: OptimizerName;
  /** Peak learning rate. Default: adam 1e-3, sgd 0.06 x batchSize / 256, lars 0.3 x batchSize / 256 (SimCLR). */
  learningRate?: number;
  /** Momentum of sgd and lars. Default 0.9. */
  momentum?: number;
  /** Weight decay (lars only). Default 1e-6. */
  weightDecay?: number;
  /** Epochs of linear warm-up before the cosine decay. Default: adam 0, sgd/lars min(10, epochs / 10). */
  warmupEpochs?: number;
  /** Seed of batch order and views. Default 0. */
  seed?: number;
  /** Where to write a checkpoint after every epoch (none when absent). */
  checkpointDir?: string;
  /** Continue from the checkpoint in checkpointDir when there is one. Default false. */
  resume?: boolean;
  /** kNN monitor after every epoch: weighted kNN (k=200, T=0.1) of `test` against `train`, embedded by the method. */
  monitor?: { train: ImageDataset; test: ImageDataset };
  /**
   * Batch order of each epoch (e.g. MPerClassSampler for label-based losses, built with the same
   * batchSize). Default: a seeded shuffle of the data set, the last partial batch dropped.
   */
  sampler?: BatchSampler;
  /** Progress bar on stderr. Default: when stderr is a terminal. */
  progress?: boolean;
  /** Called after every epoch (after the checkpoint is written). */
  onEpochEnd?: (log: EpochLog) => void;
}

export interface EpochLog {
  epoch: number;
  /** Mean training loss over the epoch's steps. */
  loss: number;
  /** Learning rate at the epoch's last step. */
  learningRate: number;
  seconds: number;
  imagesPerSecond: number;
  /** kNN monitor top-1 (fraction), when a monitor is set. */
  knnTop1?: number;
  /**
   * Collapse monitor: mean over the epoch's steps of the std of the L2-normalised projections
   * (eval/collapse.ts; 0 = collapsed, about 1/sqrt(d) = spread), when the method records it.
   */
  collapseStd?: number;
}

interface State {
  epoch: number;
  step: number;
  history: EpochLog[];
  options: { optimizer: OptimizerName; batchSize: number; seed: number; learningRate: number };
}

export class Trainer {
  readonly options: Required<Omit<TrainerOptions, 'checkpointDir' | 'monitor' | 'onEpochEnd' | 'sampler'>> &
    Pick<TrainerOptions, 'checkpointDir' | 'monitor' | 'onEpochEnd' | 'sampler'>;

  constructor(options: TrainerOptions) {
    const { epochs, batchSize = 256, optimizer = 'adam', momentum = 0.9, seed = 0, resume = false } = options;
    const fail = (name: string, v: unknown, want: string) => {
      throw new Error(`Trainer: ${name} must be ${want}, received ${JSON.stringify(v)}`);
    };
    if (!Number.isInteger(epochs) || epochs < 1) fail('epochs', epochs, 'an integer >= 1');
    if (!Number.isInteger(batchSize) || batchSize < 2) fail('batchSize', batchSize, 'an integer >= 2');
    if (!['adam', 'sgd', 'lars'].includes(optimizer)) fail('optimizer', optimizer, "'adam', 'sgd' or 'lars'");
    const learningRate = options.learningRate ?? (optimizer === 'adam' ? 1e-3 : (optimizer === 'sgd' ? 0.06 : 0.3) * (batchSize / 256));
    if (!(learningRate > 0) || !Number.isFinite(learningRate)) fail('learningRate', learningRate, 'a finite number > 0');
    if (!(momentum >= 0 && momentum < 1)) fail('momentum', momentum, 'in [0, 1)');
    const weightDecay = options.weightDecay ?? (optimizer === 'lars' ? 1e-6 : 0);
    if (weightDecay !== 0 && optimizer !== 'lars') fail('weightDecay', weightDecay, "0 unless optimizer is 'lars'");
    if (!(weightDecay >= 0)) fail('weightDecay', weightDecay, '>= 0');
    const warmupEpochs = options.warmupEpochs ?? (optimizer === 'adam' ? 0 : Math.min(10, Math.floor(epochs / 10)));
    if (!Number.isInteger(warmupEpochs) || warmupEpochs < 0 || warmupEpochs > epochs) fail('warmupEpochs', warmupEpochs, `an integer in [0, epochs = ${epochs}]`);
    if (!Number.isInteger(seed)) fail('seed', seed, 'an integer');
    if (resume && !options.checkpointDir) fail('checkpointDir', options.checkpointDir, 'set when resume is true');
    this.options = {
      epochs, batchSize, optimizer, learningRate, momentum, weightDecay, warmupEpochs, seed, resume,
      progress: options.progress ?? Boolean(process.stderr.isTTY),
      checkpointDir: options.checkpointDir, monitor: options.monitor, onEpochEnd: options.onEpochEnd, sampler: options.sampler,
    };
  }

  private makeOptimizer(): { opt: Optimizer; setLr: (lr: number) => void } {
    const { optimizer, learningRate, momentum, weightDecay } = this.options;
    if (optimizer === 'sgd') {
      const opt = optimizers.momentum(learningRate, momentum);
      return { opt, setLr: (lr) => opt.setLearningRate(lr) };
    }
    const opt = optimizer === 'lars' ? new LARS({ learningRate, momentum, weightDecay }) : optimizers.adam(learningRate);
    return { opt, setLr: (lr) => { (opt as unknown as { learningRate: number }).learningRate = lr; } };
  }

  /** Trains `method` on `data` with views from `views`; returns the history of every epoch. */
  async fit(method: Method, views: MultiView, data: ImageDataset): Promise<EpochLog[]> {
    const o = this.options;
    const stepsPerEpoch = Math.floor(data.size / o.batchSize); // the last partial batch is dropped
    if (stepsPerEpoch < 1) throw new Error(`Trainer: the data set has ${data.size} images, fewer than one batch of ${o.batchSize}`);
    if (o.sampler?.batchSize !== undefined && o.sampler.batchSize !== o.batchSize) {
      throw new Error(`Trainer: the sampler makes batches of ${o.sampler.batchSize}, the trainer's batchSize is ${o.batchSize}`);
    }
    const totalSteps = o.epochs * stepsPerEpoch, warmupSteps = o.warmupEpochs * stepsPerEpoch;
    const { opt, setLr } = this.makeOptimizer();
    const key = { optimizer: o.optimizer, batchSize: o.batchSize, seed: o.seed, learningRate: o.learningRate };
    let state: State = { epoch: 0, step: 0, history: [], options: key };

    if (o.resume && o.checkpointDir) {
      const ck = loadCheckpoint<State>(o.checkpointDir);
      if (ck) {
        for (const k of Object.keys(key) as (keyof typeof key)[]) {
          if (ck.state.options[k] !== key[k]) {
            throw new Error(`Trainer: cannot resume: the checkpoint was made with ${k} = ${ck.state.options[k]}, this run has ${key[k]}`);
          }
        }
        const nw = method.getWeights().length;
        method.setWeights(ck.tensors.slice(0, nw).map((t) => t.tensor));
        await opt.setWeights(ck.tensors.slice(nw));
        ck.tensors.forEach((t) => t.tensor.dispose()); // the model and optimizer hold their own references
        state = ck.state;
      }
    }

    const bar = o.progress
      ? new cliProgress.SingleBar(
          { format: 'epoch {epoch}/{epochs} |{bar}| {value}/{total} steps | loss {loss} | std {std} | {ips} img/s | ETA {eta_formatted}{knn}', stream: process.stderr, hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : null;
    try {
      for (let epoch = state.epoch; epoch < o.epochs; epoch++) {
        const order = o.sampler
          ? o.sampler.epochOrder(epoch)
          : new Rng(o.seed * 1000003 + epoch).shuffle(Int32Array.from({ length: data.size }, (_, i) => i));
        if (order.length < stepsPerEpoch * o.batchSize || order.some((i) => !(i >= 0 && i < data.size))) {
          throw new Error(`Trainer: the sampler's order for epoch ${epoch} must hold ${stepsPerEpoch * o.batchSize} indices in [0, ${data.size}), received ${order.length}`);
        }
        const t0 = performance.now();
        let lossSum = 0, stdSum = 0, stdSteps = 0, lr = o.learningRate;
        const lastKnn = state.history.at(-1)?.knnTop1;
        const knn = lastKnn === undefined ? '' : ` | kNN ${(100 * lastKnn).toFixed(2)}% (epoch ${epoch})`;
        bar?.start(stepsPerEpoch, 0, { epoch: epoch + 1, epochs: o.epochs, loss: '-', std: '-', ips: '-', knn });
        for (let s = 0; s < stepsPerEpoch; s++) {
          const step = epoch * stepsPerEpoch + s;
          lr = warmupCosineLr(step, totalSteps, warmupSteps, o.learningRate);
          setLr(lr);
          const batch = order.subarray(s * o.batchSize, (s + 1) * o.batchSize);
          const vb = views.apply(data, batch, o.seed * 7919 + step);
          const ts = vb.views.map((v) => tensor4d(v, [vb.n, vb.height, vb.width, vb.channels]));
          const labels = method.usesLabels ? Int32Array.from(batch, (i) => data.labels[i]) : undefined;
          method.setProgress?.(step, totalSteps);
          const loss = method.trainStep(ts, opt, labels);
          ts.forEach((t) => t.dispose());
          if (!Number.isFinite(loss)) throw new Error(`Trainer: the loss became ${loss} at epoch ${epoch + 1}, step ${s + 1}`);
          lossSum += loss;
          const std = method.collapseStd?.();
          if (std !== undefined) {
            stdSum += std;
            stdSteps++;
          }
          const ips = ((s + 1) * o.batchSize) / ((performance.now() - t0) / 1000);
          bar?.update(s + 1, { loss: (lossSum / (s + 1)).toFixed(4), std: stdSteps ? (stdSum / stdSteps).toFixed(4) : '-', ips: ips.toFixed(0) });
        }
        bar?.stop();
        const seconds = (performance.now() - t0) / 1000;
        const log: EpochLog = {
          epoch: epoch + 1, loss: lossSum / stepsPerEpoch, learningRate: lr, seconds,
          imagesPerSecond: (stepsPerEpoch * o.batchSize) / seconds,
          ...(stdSteps ? { collapseStd: stdSum / stdSteps } : {}),
        };
        if (o.monitor) {
          const encode = (x: Parameters<Method['embed']>[0]) => method.embed(x);
          log.knnTop1 = weightedKnnAccuracy(
            embedDataset(o.monitor.train, encode), o.monitor.train.labels, embedDataset(o.monitor.test, encode), o.monitor.test.labels,
          );
        }
        state = { ...state, epoch: epoch + 1, step: (epoch + 1) * stepsPerEpoch, history: [...state.history, log] };
        if (o.checkpointDir) {
          const weights: NamedTensor[] = method.getWeights().map((t, i) => ({ name: `method/${i}`, tensor: t }));
          const optimizerWeights = await opt.getWeights(); // [iterations scalar (new), ...slot variables]
          saveCheckpoint(o.checkpointDir, epoch + 1, state, [...weights, ...optimizerWeights]);
          optimizerWeights.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose());
        }
        o.onEpochEnd?.(log);
      }
    } finally {
      bar?.stop();
      opt.dispose();
    }
    return state.history;
  }
}
