/**
 * The training loop: seeded batches of item indices -> the loader's batch (views, collated) ->
 * method.trainStep, the optimizer and its learning-rate schedule (linear warm-up, then cosine
 * decay: SimCLR, Chen et al. 2020, B.1), a checkpoint after every epoch and an exact resume. The
 * trainer never knows a loss or what an item is (the loader does); the method never writes a file.
 * Progress bars and monitors are callbacks (train/callbacks/).
 *
 * Reproducibility: epoch e's batch order comes from Rng(seed, e) (or the sampler) and step s's
 * views from Rng(seed, s), so a run resumed from a checkpoint sees exactly the batches and views
 * of an uninterrupted one (with seeded model initialisation, the same seed gives the same loss curve).
 */
import { addN, sum, square, tidy, train as optimizers, type Optimizer, type Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { disposeBatch } from '../data/batch.js';
import type { Loader } from '../data/loader.js';
import type { BatchSampler } from '../data/m-per-class-sampler.js';
import type { Method } from '../methods/method.js';
import { Encoder, type JsonValue, type Preprocessing } from '../models/encoder.js';
import { Rng } from '../util/random.js';
import type { TrainBeginInfo, TrainerCallback } from './callbacks/callback.js';
import type { Checkpoint, CheckpointStore, NamedTensor } from './checkpoint-store.js';
import type { EpochLog } from './epoch-log.js';
import { ResumableAdam, ResumableAdamW } from './adam.js';
import { LARS } from './lars.js';
import { NumericalError } from './numerical-error.js';
import { warmupCosineLr } from './schedules.js';

export type { EpochLog } from './epoch-log.js';
export type OptimizerName = 'adam' | 'adamw' | 'sgd' | 'lars';

export interface TrainerOptions {
  /** Epochs to train (a resumed run continues up to this many). */
  epochs: number;
  /** Items per batch (each gives one view per view transform). Default 256. */
  batchSize?: number;
  /** 'adam' (default), 'adamw' (decoupled weight decay: transformers), 'sgd' (momentum) or 'lars' (SimCLR's). */
  optimizer?: OptimizerName;
  /** Peak learning rate. Default: adam and adamw 1e-3, sgd 0.06 x batchSize / 256, lars 0.3 x batchSize / 256 (SimCLR). */
  learningRate?: number;
  /** Momentum of sgd and lars. Default 0.9. */
  momentum?: number;
  /** Weight decay of lars (default 1e-6) and adamw (default 0.01, Sentence-BERT's and BERT's). */
  weightDecay?: number;
  /** Epochs of linear warm-up before the cosine decay. Default: adam and adamw 0, sgd/lars min(10, epochs / 10). */
  warmupEpochs?: number;
  /**
   * Steps of linear warm-up instead (not with warmupEpochs): a share of one epoch, as
   * sentence-transformers' `warmup_steps` (its examples: 10% of the training steps; BERT, Devlin et
   * al. 2019: 10,000 of 1M). A post-LN transformer trained with Adam at 1e-3 without it can collapse
   * in its first steps. Must not exceed the run's steps (checked when fitting).
   */
  warmupSteps?: number;
  /** Seed of batch order and views. Default 0. */
  seed?: number;
  /** Where to write a checkpoint after every epoch, as a directory (Node) ... */
  checkpointDir?: string;
  /** ... or as a store (memoryStore(), your own). At most one of the two. */
  checkpointStore?: CheckpointStore;
  /** Continue from the last checkpoint when there is one. Default false. */
  resume?: boolean;
  /**
   * With resume: the checkpoint to continue from, when the caller has loaded it already (to check
   * it first): the store's is then not read again. Its tensors become the trainer's, disposed once
   * they are set.
   */
  resumeFrom?: Checkpoint<unknown>;
  /**
   * Batch order of each epoch (e.g. MPerClassSampler for label-based losses, built with the same
   * batchSize). Default: a seeded shuffle of the items, the last partial batch dropped.
   */
  sampler?: BatchSampler;
  /** Progress bars, monitors, loggers (train/callbacks/). */
  callbacks?: TrainerCallback[];
  /**
   * With checkpointDir: also save the method's encoder (its backbone, as `Encoder`, with the
   * loader's item spec) into `<checkpointDir>/encoder/` after every epoch, so that `loadEncoder`
   * and `contrastive embed` read the run as a unit. Its preprocessing and metadata can be given
   * (rows standardised before training: their mean and std). Default true; false: no encoder.
   */
  encoder?: boolean | { preprocessing?: Preprocessing; name?: string; metadata?: { [key: string]: JsonValue } };
  /**
   * Divergence bound: training stops (NumericalError) when the L2 norm of the trainable weights
   * exceeds this multiple of its value when the run started (checked after every step, with the
   * loss and the weights being finite). Default 1000; Infinity: never.
   */
  divergenceBound?: number;
  /**
   * Collapse warning: when a method records the collapse measure (std of the L2-normalised
   * projections, about 1/sqrt(d) when spread, 0 when collapsed: SimSiam, Chen & He 2021, fig. 2)
   * and every step of an epoch stays under `collapseThreshold / sqrt(d)`, the epoch's log gets
   * `collapsed: true` and one warning line is given to `onWarning`. Default 0.1; 0: never.
   */
  collapseThreshold?: number;
  /** Where warnings go (one line each). Default console.warn. */
  onWarning?: (line: string) => void;
  /** Called after every epoch (after the checkpoint is written): a callback's onEpochEnd in short. */
  onEpochEnd?: (log: EpochLog) => unknown;
}

interface State {
  epoch: number;
  step: number;
  history: EpochLog[];
  /** Norm of the trainable weights before the first step (the divergence bound's reference). */
  initialWeightNorm?: number;
  options: { optimizer: OptimizerName; batchSize: number; seed: number; learningRate: number };
}

type Resolved = Required<Omit<TrainerOptions, 'checkpointDir' | 'checkpointStore' | 'resumeFrom' | 'onEpochEnd' | 'sampler' | 'callbacks' | 'encoder' | 'onWarning' | 'warmupSteps'>> &
  Pick<TrainerOptions, 'checkpointDir' | 'checkpointStore' | 'resumeFrom' | 'onEpochEnd' | 'sampler' | 'encoder' | 'warmupSteps'> & { callbacks: TrainerCallback[]; onWarning: (line: string) => void };

/** The L2 norm of `tensors` together (float32 sums: Infinity when it overflows, NaN when one holds NaN). */
function globalNorm(tensors: readonly Tensor[]): number {
  const floats = tensors.filter((t) => t.dtype === 'float32');
  if (!floats.length) return 0;
  const t = tidy(() => addN(floats.map((v) => sum(square(v)))));
  const v = t.dataSync()[0];
  t.dispose();
  return Math.sqrt(v);
}

const fmt = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : x.toPrecision(3));

export class Trainer {
  readonly options: Resolved;

  constructor(options: TrainerOptions) {
    const { epochs, batchSize = 256, optimizer = 'adam', momentum = 0.9, seed = 0, resume = false, callbacks = [] } = options ?? ({} as TrainerOptions);
    const fail = (name: string, v: unknown, want: string) => {
      throw new Error(`Trainer: ${name} must be ${want}, received ${JSON.stringify(v)}`);
    };
    if (!Number.isInteger(epochs) || epochs < 1) fail('epochs', epochs, 'an integer >= 1');
    if (!Number.isInteger(batchSize) || batchSize < 2) fail('batchSize', batchSize, 'an integer >= 2');
    if (!['adam', 'adamw', 'sgd', 'lars'].includes(optimizer)) fail('optimizer', optimizer, "'adam', 'adamw', 'sgd' or 'lars'");
    const adam = optimizer === 'adam' || optimizer === 'adamw';
    const learningRate = options.learningRate ?? (adam ? 1e-3 : (optimizer === 'sgd' ? 0.06 : 0.3) * (batchSize / 256));
    if (!(learningRate > 0) || !Number.isFinite(learningRate)) fail('learningRate', learningRate, 'a finite number > 0');
    if (!(momentum >= 0 && momentum < 1)) fail('momentum', momentum, 'in [0, 1)');
    const weightDecay = options.weightDecay ?? (optimizer === 'lars' ? 1e-6 : optimizer === 'adamw' ? 0.01 : 0);
    if (weightDecay !== 0 && optimizer !== 'lars' && optimizer !== 'adamw') fail('weightDecay', weightDecay, "0 unless optimizer is 'lars' or 'adamw'");
    if (!(weightDecay >= 0)) fail('weightDecay', weightDecay, '>= 0');
    const warmupEpochs = options.warmupEpochs ?? (adam ? 0 : Math.min(10, Math.floor(epochs / 10)));
    if (!Number.isInteger(warmupEpochs) || warmupEpochs < 0 || warmupEpochs > epochs) fail('warmupEpochs', warmupEpochs, `an integer in [0, epochs = ${epochs}]`);
    const { warmupSteps } = options;
    if (warmupSteps !== undefined) {
      if (!Number.isInteger(warmupSteps) || warmupSteps < 0) fail('warmupSteps', warmupSteps, 'an integer >= 0');
      if (options.warmupEpochs !== undefined) fail('warmupSteps', warmupSteps, 'absent when warmupEpochs is set');
    }
    if (!Number.isInteger(seed)) fail('seed', seed, 'an integer');
    if (options.checkpointDir !== undefined && options.checkpointStore !== undefined) fail('checkpointStore', 'a store', 'absent when checkpointDir is set');
    if (options.checkpointDir !== undefined && (typeof options.checkpointDir !== 'string' || options.checkpointDir === '')) fail('checkpointDir', options.checkpointDir, 'a non-empty path');
    if (resume && !options.checkpointDir && !options.checkpointStore) fail('checkpointDir', options.checkpointDir, 'set when resume is true (or checkpointStore)');
    const { resumeFrom } = options;
    if (resumeFrom !== undefined && (!resume || typeof resumeFrom !== 'object' || resumeFrom === null || !Array.isArray(resumeFrom.tensors))) {
      fail('resumeFrom', resume ? typeof resumeFrom : 'a checkpoint', resume ? 'a checkpoint ({state, tensors})' : 'absent unless resume is true');
    }
    if (!Array.isArray(callbacks) || callbacks.some((c) => typeof c !== 'object' || c === null)) fail('callbacks', callbacks, 'an array of callback objects');
    const { divergenceBound = 1000, collapseThreshold = 0.1, onWarning = (line: string) => console.warn(line) } = options;
    if (!(divergenceBound > 1)) fail('divergenceBound', divergenceBound, 'a number > 1 (Infinity: never)');
    if (!(collapseThreshold >= 0 && collapseThreshold < 1)) fail('collapseThreshold', collapseThreshold, 'in [0, 1) (0: never)');
    if (typeof onWarning !== 'function') fail('onWarning', onWarning, 'a function');
    this.options = {
      epochs, batchSize, optimizer, learningRate, momentum, weightDecay, warmupEpochs, warmupSteps, seed, resume, callbacks,
      checkpointDir: options.checkpointDir, checkpointStore: options.checkpointStore, resumeFrom, onEpochEnd: options.onEpochEnd, sampler: options.sampler,
      encoder: options.encoder ?? true, divergenceBound, collapseThreshold, onWarning,
    };
  }

  private makeOptimizer(): { opt: Optimizer; setLr: (lr: number) => void; dispose: () => void } {
    const { optimizer, learningRate, momentum, weightDecay } = this.options;
    if (optimizer === 'sgd') {
      const opt = optimizers.momentum(learningRate, momentum);
      // tfjs's MomentumOptimizer.dispose skips its base class's learning-rate scalar (one tensor per run).
      return { opt, setLr: (lr) => opt.setLearningRate(lr), dispose: () => { opt.dispose(); (opt as unknown as { c?: Tensor }).c?.dispose(); } };
    }
    const opt = optimizer === 'lars' ? new LARS({ learningRate, momentum, weightDecay }) : optimizer === 'adamw' ? new ResumableAdamW(learningRate, weightDecay) : new ResumableAdam(learningRate);
    return { opt, setLr: (lr) => { (opt as unknown as { learningRate: number }).learningRate = lr; }, dispose: () => opt.dispose() };
  }

  private async store(): Promise<CheckpointStore | undefined> {
    const { checkpointDir, checkpointStore } = this.options;
    if (checkpointStore) return checkpointStore;
    if (checkpointDir === undefined) return undefined;
    // Node only, and out of a bundler's sight (a computed specifier): the loop itself needs no file system.
    const module = './checkpoint.js';
    const { directoryStore } = (await import(/* @vite-ignore */ module)) as typeof import('./checkpoint.js');
    return directoryStore(checkpointDir);
  }

  /**
   * The encoder the run saves into <checkpointDir>/encoder (see the `encoder` option), built and
   * checked before the first step; null (with one warning) when the method's backbone cannot be
   * one (several inputs, or an input that differs from the items' spec in more than image size).
   */
  private encoderToSave(method: Method, loader: Loader): Encoder | null {
    const { checkpointDir, encoder } = this.options;
    const backbone = (method as { backbone?: LayersModel }).backbone;
    if (checkpointDir === undefined || encoder === false || !backbone) return null;
    const extra = typeof encoder === 'object' ? encoder : {};
    let input = loader.spec;
    const shape = backbone.inputs.length === 1 ? backbone.inputs[0].shape : null;
    if (input.kind === 'image' && shape?.length === 4 && typeof shape[1] === 'number' && typeof shape[2] === 'number' && typeof shape[3] === 'number') {
      input = { kind: 'image', height: shape[1], width: shape[2], channels: shape[3] }; // what the views feed it
    }
    try {
      // Not disposed: the Encoder only borrows the method's backbone to write it.
      return new Encoder({ model: backbone, input, ...extra, name: extra.name ?? method.name });
    } catch (e) {
      console.warn(`Trainer: the encoder is not saved with the checkpoints (${(e as Error).message})`);
      return null;
    }
  }

  /** Trains `method` on the loader's batches; returns the history of every epoch (a resumed run's included). */
  async fit(method: Method, loader: Loader): Promise<EpochLog[]> {
    const o = this.options;
    if (!loader || typeof loader.batch !== 'function') throw new Error(`Trainer: loader must be a Loader (e.g. a DataLoader), received ${String(loader)}`);
    const stepsPerEpoch = Math.floor(loader.size / o.batchSize); // the last partial batch is dropped
    if (stepsPerEpoch < 1) throw new Error(`Trainer: the data has ${loader.size} items, fewer than one batch of ${o.batchSize}`);
    if (o.sampler?.batchSize !== undefined && o.sampler.batchSize !== o.batchSize) {
      throw new Error(`Trainer: the sampler makes batches of ${o.sampler.batchSize}, the trainer's batchSize is ${o.batchSize}`);
    }
    if (method.usesLabels) {
      const missing = loader.labels ? loader.labels.indexOf(-1) : 0;
      if (!loader.labels || !loader.labels.some((l) => l >= 0)) throw new Error(`Trainer: the method '${method.name}' trains with labels, but the data has none`);
      if (missing >= 0) throw new Error(`Trainer: the method '${method.name}' trains with labels, but item ${missing} of the data has none (-1): train on the labelled items only`);
    }
    const totalSteps = o.epochs * stepsPerEpoch, warmupSteps = o.warmupSteps ?? o.warmupEpochs * stepsPerEpoch;
    if (warmupSteps > totalSteps) throw new Error(`Trainer: warmupSteps must be at most the run's ${totalSteps} steps (${o.epochs} epochs of ${stepsPerEpoch}), received ${warmupSteps}`);
    const store = await this.store();
    const encoder = store ? this.encoderToSave(method, loader) : null;
    const encoderDir = `${(this.options.checkpointDir ?? '').replace(/[/\\]+$/, '')}/encoder`;
    const { opt, setLr, dispose: disposeOptimizer } = this.makeOptimizer();
    const key = { optimizer: o.optimizer, batchSize: o.batchSize, seed: o.seed, learningRate: o.learningRate };
    let state: State = { epoch: 0, step: 0, history: [], options: key };
    const callbacks = [...o.callbacks, ...(o.onEpochEnd ? [{ onEpochEnd: o.onEpochEnd }] : [])];
    let history: EpochLog[] = [];
    let failure: unknown;
    try {
      if (o.resume && store) {
        const ck = (o.resumeFrom as Checkpoint<State> | undefined) ?? (await store.load<State>());
        if (ck) {
          try {
            for (const k of Object.keys(key) as (keyof typeof key)[]) {
              if (ck.state.options[k] !== key[k]) {
                throw new Error(`Trainer: cannot resume: the checkpoint was made with ${k} = ${ck.state.options[k]}, this run has ${key[k]}`);
              }
            }
            const nw = method.getWeights().length;
            method.setWeights(ck.tensors.slice(0, nw).map((t) => t.tensor));
            await opt.setWeights(ck.tensors.slice(nw));
          } finally {
            ck.tensors.forEach((t) => t.tensor.dispose()); // the model and optimizer hold their own references
          }
          // Histories of versions before items/s was named so.
          const history = ck.state.history.map((h) => ({ ...h, itemsPerSecond: h.itemsPerSecond ?? (h as { imagesPerSecond?: number }).imagesPerSecond ?? NaN }));
          state = { ...ck.state, history };
        }
      }
      const trainable = method.trainableVariables();
      if (state.initialWeightNorm === undefined) state = { ...state, initialWeightNorm: globalNorm(trainable) };
      const bound = o.divergenceBound * (state.initialWeightNorm || 1);
      const projectionDim = (method as { projectionDim?: number }).projectionDim;
      const collapseBelow = projectionDim ? o.collapseThreshold / Math.sqrt(projectionDim) : 0;
      const info: TrainBeginInfo = {
        epochs: o.epochs, startEpoch: state.epoch + 1, stepsPerEpoch, batchSize: o.batchSize, items: loader.size, ...(state.history.length ? { last: state.history.at(-1) } : {}),
      };
      for (const c of callbacks) await c.onTrainBegin?.(info);
      for (let epoch = state.epoch; epoch < o.epochs; epoch++) {
        const order = o.sampler
          ? o.sampler.epochOrder(epoch)
          : new Rng(o.seed * 1000003 + epoch).shuffle(Int32Array.from({ length: loader.size }, (_, i) => i));
        // A sampler may give fewer whole batches than the data holds (NoDuplicatesSampler defers
        // items it cannot place): the epoch has those steps; step numbers and the learning-rate
        // schedule stay those of full epochs.
        const steps = Math.min(stepsPerEpoch, Math.floor(order.length / o.batchSize));
        if (steps < 1 || order.some((i) => !(i >= 0 && i < loader.size))) {
          throw new Error(`Trainer: the sampler's order for epoch ${epoch} must hold at least one batch of ${o.batchSize} indices in [0, ${loader.size}), received ${order.length}`);
        }
        for (const c of callbacks) await c.onEpochBegin?.(epoch + 1, info);
        const t0 = performance.now();
        let lossSum = 0, stdSum = 0, stdSteps = 0, stdMax = 0, lr = o.learningRate;
        const where = (s: number) => `at epoch ${epoch + 1}, step ${s + 1} of ${steps}`;
        const kept = epoch > 0 ? `; the checkpoint of epoch ${epoch} is kept` : '';
        for (let s = 0; s < steps; s++) {
          const step = epoch * stepsPerEpoch + s;
          lr = warmupCosineLr(step, totalSteps, warmupSteps, o.learningRate);
          setLr(lr);
          const indices = order.subarray(s * o.batchSize, (s + 1) * o.batchSize);
          const batch = loader.batch(indices, o.seed * 7919 + step, { labels: Boolean(method.usesLabels) });
          method.setProgress?.(step, totalSteps);
          let loss: number;
          try {
            loss = method.trainStep(batch, opt);
          } finally {
            disposeBatch(batch);
          }
          if (!Number.isFinite(loss)) {
            throw new NumericalError(`Trainer: the loss became ${loss} ${where(s)}: the run diverged (peak learning rate ${o.learningRate}; try a lower one)${kept}`, epoch + 1, s + 1);
          }
          const norm = globalNorm(trainable);
          if (!Number.isFinite(norm)) {
            throw new NumericalError(`Trainer: the weights became ${Number.isNaN(norm) ? 'NaN' : 'infinite'} ${where(s)}: the run diverged (peak learning rate ${o.learningRate}; try a lower one)${kept}`, epoch + 1, s + 1);
          }
          if (norm > bound) {
            throw new NumericalError(
              `Trainer: the weights' norm grew to ${fmt(norm)}, past ${o.divergenceBound} times its initial ${fmt(state.initialWeightNorm!)} (the divergence bound), ${where(s)}: the run diverges (peak learning rate ${o.learningRate}; try a lower one)${kept}`,
              epoch + 1, s + 1,
            );
          }
          lossSum += loss;
          const std = method.collapseStd?.();
          if (std !== undefined) {
            stdSum += std;
            stdSteps++;
            stdMax = Math.max(stdMax, std);
          }
          const itemsPerSecond = ((s + 1) * o.batchSize) / ((performance.now() - t0) / 1000);
          for (const c of callbacks) {
            await c.onStepEnd?.({ epoch: epoch + 1, step: s + 1, stepsPerEpoch: steps, loss: lossSum / (s + 1), ...(stdSteps ? { collapseStd: stdSum / stdSteps } : {}), itemsPerSecond });
          }
        }
        const seconds = (performance.now() - t0) / 1000;
        const log: EpochLog = {
          epoch: epoch + 1, loss: lossSum / steps, learningRate: lr, seconds,
          itemsPerSecond: (steps * o.batchSize) / seconds,
          ...(stdSteps ? { collapseStd: stdSum / stdSteps } : {}),
          ...(stdSteps === steps && stdMax < collapseBelow ? { collapsed: true } : {}),
        };
        if (log.collapsed) {
          o.onWarning(
            `warning: epoch ${epoch + 1}: the embeddings collapsed: the collapse monitor (std of the normalised projections) stayed under ${fmt(collapseBelow)} ` +
              `(${o.collapseThreshold}/sqrt(d), d = ${projectionDim}) for the whole epoch, at most ${fmt(stdMax)}; spread embeddings have about 1/sqrt(d) = ${fmt(1 / Math.sqrt(projectionDim!))}`,
          );
        }
        for (const c of callbacks) await c.onEpochEvaluate?.(log, method);
        state = { ...state, epoch: epoch + 1, step: (epoch + 1) * stepsPerEpoch, history: [...state.history, log] };
        const all = method.getWeights();
        if (!Number.isFinite(globalNorm(all))) {
          throw new NumericalError(`Trainer: a weight (a batch-norm statistic or a method's state) became NaN or infinite at epoch ${epoch + 1}, step ${steps} of ${steps}: the run diverged${kept}`, epoch + 1, steps);
        }
        if (store) {
          // The encoder first, the checkpoint last (the commit): a checkpoint of epoch N always has
          // the encoder of epoch N written before it (restoreEncoder compares their epochs).
          if (encoder) {
            encoder.metadata.epoch = epoch + 1;
            await encoder.save(encoderDir);
          }
          const weights: NamedTensor[] = method.getWeights().map((t, i) => ({ name: `method/${i}`, tensor: t }));
          const optimizerWeights = await opt.getWeights(); // [iterations scalar (new), ...slot variables]
          try {
            await store.save(epoch + 1, state, [...weights, ...optimizerWeights]);
          } finally {
            optimizerWeights.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose());
          }
        }
        for (const c of callbacks) await c.onEpochEnd?.(log);
      }
      history = state.history;
    } catch (e) {
      failure = e;
      throw e;
    } finally {
      disposeOptimizer();
      store?.close?.();
      for (const c of callbacks) {
        try {
          c.onTrainEnd?.(state.history, failure);
        } catch (e) {
          if (failure === undefined) throw e; // else the training's own error is the one to see
        }
      }
    }
    return history;
  }
}
