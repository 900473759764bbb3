import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { Trainer, type TrainerOptions } from '../../src/train/trainer.js';
import { SimCLR } from '../../src/methods/simclr.js';
import { cnnBackbone } from '../../src/models/backbones/cnn.js';
import { simclrHead } from '../../src/models/heads.js';
import { simclrViews } from '../../src/augment/presets/simclr.js';
import { loadFashionMnist } from '../../src/data/fashion-mnist.js';
import { subset } from '../../src/data/image-dataset.js';
import { MPerClassSampler } from '../../src/data/m-per-class-sampler.js';
import type { Method } from '../../src/methods/method.js';
import { imageLoader, imageSource } from '../../src/data/image-source.js';
import { viewRows } from '../../src/data/batch.js';
import { knnMonitor } from '../../src/train/callbacks/knn-monitor.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import type { CheckpointStore } from '../../src/train/checkpoint-store.js';

const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'contrastive-trainer-')); dirs.push(d); return d; };
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const full = loadFashionMnist();
const data = subset(full, Array.from({ length: 96 }, (_, i) => i * 709));
const monitor = { train: subset(full, Array.from({ length: 60 }, (_, i) => 5 + i * 1100)), test: subset(full, Array.from({ length: 20 }, (_, i) => 7 + i * 3400)) };
const method = () => new SimCLR({ backbone: cnnBackbone({ inputShape: [28, 28, 1], widths: [4, 8], pooling: 'global-average', seed: 1 }), head: simclrHead(8, 8, 8, 2, 2) });
const weights = (m: SimCLR) => m.getWeights().map((w) => Array.from(w.dataSync()));
const base: TrainerOptions = { epochs: 3, batchSize: 32, optimizer: 'lars', warmupEpochs: 1, seed: 5 };

describe('Trainer', () => {
  it('trains, logs every epoch, monitors kNN, checkpoints atomically, leaks nothing per epoch', async () => {
    const dir = tmp();
    const m = method();
    const counts: number[] = [];
    const history = await new Trainer({ ...base, checkpointDir: dir, callbacks: [knnMonitor({ train: imageSource(monitor.train), test: imageSource(monitor.test) })], onEpochEnd: () => counts.push(tf.memory().numTensors) }).fit(m, imageLoader(data, simclrViews()));
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    for (const h of history) {
      expect(Number.isFinite(h.loss)).toBe(true);
      expect(h.itemsPerSecond).toBeGreaterThan(0);
      expect(h.knnTop1).toBeGreaterThanOrEqual(0);
      expect(h.knnTop1).toBeLessThanOrEqual(1);
      expect(h.collapseStd).toBeGreaterThan(0); // the collapse monitor: std of the normalised projections,
      expect(h.collapseStd).toBeLessThanOrEqual(1 / Math.sqrt(2) + 1e-6); // at most 1/sqrt(d) per dim for d = 2 outputs (unbiased: ~)
    }
    expect(counts[2]).toBe(counts[1]);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'encoder', 'weights-3.bin']);
    expect(readdirSync(join(dir, 'encoder')).sort()).toEqual(['encoder.json', 'weights.bin']); // the saved encoder, for loadEncoder and contrastive embed
    m.dispose();
  });

  it('resumes exactly: 1 epoch + resume to 3 equals 3 epochs straight', async () => {
    const a = method();
    const straight = await new Trainer(base).fit(a, imageLoader(data, simclrViews()));
    const dir = tmp();
    const b = method();
    await new Trainer({ ...base, epochs: 3, checkpointDir: dir, onEpochEnd: (l) => { if (l.epoch === 1) throw new Error('stop'); } })
      .fit(b, imageLoader(data, simclrViews())).catch((e: Error) => expect(e.message).toBe('stop'));
    b.dispose();
    expect(existsSync(join(dir, 'weights-1.bin'))).toBe(true);
    const c = method(); // fresh weights, restored from the checkpoint
    const resumed = await new Trainer({ ...base, checkpointDir: dir, resume: true }).fit(c, imageLoader(data, simclrViews()));
    expect(resumed.map((h) => h.loss)).toEqual(straight.map((h) => h.loss));
    expect(weights(c)).toEqual(weights(a));
    a.dispose(); c.dispose();
  });

  it('takes batches from a sampler and passes their labels to a method that uses labels', async () => {
    const seen: Int32Array[] = [];
    const w = tf.variable(tf.zeros([1]));
    const stub: Method = {
      name: 'stub', usesLabels: true,
      trainableVariables: () => [w], embed: (x) => tf.zeros([viewRows(x), 2]), getWeights: () => [w], setWeights: () => {}, dispose: () => w.dispose(),
      loss: () => tf.sum(tf.square(w)) as tf.Scalar,
      trainStep: (batch) => { seen.push(batch.labels!); expect(batch.size).toBe(batch.labels!.length); return 0; },
    };
    const sampler = new MPerClassSampler(data.labels, { m: 4, batchSize: 16, seed: 2 });
    await new Trainer({ epochs: 2, batchSize: 16, seed: 1, sampler }).fit(stub, imageLoader(data, simclrViews()));
    expect(seen).toHaveLength(2 * Math.floor(96 / 16));
    const order = sampler.epochOrder(1);
    expect(Array.from(seen[6])).toEqual(Array.from(order.subarray(0, 16), (i) => data.labels[i]));
    for (const labels of seen) {
      const counts = new Map<number, number>();
      labels.forEach((c) => counts.set(c, (counts.get(c) ?? 0) + 1));
      expect([...counts.values()].every((n) => n === 4)).toBe(true);
    }
    await expect(new Trainer({ epochs: 1, batchSize: 32, sampler }).fit(stub, imageLoader(data, simclrViews())))
      .rejects.toThrow(/the sampler makes batches of 16, the trainer's batchSize is 32/);
    stub.dispose();
  });

  it('resumeFrom: continues from a checkpoint the caller loaded (and checked), without reading the store again', async () => {
    const dir = tmp();
    const a = method();
    await new Trainer({ ...base, epochs: 1, checkpointDir: dir }).fit(a, imageLoader(data, simclrViews()));
    const ck = loadCheckpoint(dir)!;
    let loads = 0;
    const saved: (string | number)[] = [];
    const store: CheckpointStore = { load: () => { loads++; return null; }, save: (tag) => { saved.push(tag); } };
    expect(() => new Trainer({ ...base, checkpointStore: store, resumeFrom: ck })).toThrow(/resumeFrom must be absent unless resume is true/);
    const b = method();
    const history = await new Trainer({ ...base, epochs: 2, checkpointStore: store, resume: true, resumeFrom: ck }).fit(b, imageLoader(data, simclrViews()));
    expect(loads).toBe(0);
    expect(history.map((h) => h.epoch)).toEqual([1, 2]); // epoch 1 from the checkpoint, epoch 2 trained
    expect(saved.length).toBe(1);
    expect(ck.tensors.every((t) => t.tensor.isDisposed)).toBe(true); // the trainer's once set
    a.dispose(); b.dispose();
  });

  it('warmupSteps: linear warm-up over that many steps, then the cosine decay (warmupCosineLr), steps counted across epochs', async () => {
    const lrs: number[] = [];
    const w = tf.variable(tf.zeros([1]));
    const stub: Method = {
      name: 'stub', trainableVariables: () => [w], embed: (x) => tf.zeros([viewRows(x), 2]), getWeights: () => [w], setWeights: () => {}, dispose: () => w.dispose(),
      loss: () => tf.sum(tf.square(w)) as tf.Scalar,
      trainStep: (_batch, optimizer) => { lrs.push((optimizer as unknown as { learningRate: number }).learningRate); return 0; },
    };
    // 96 items, batches of 32: 3 steps per epoch, 2 epochs = 6 steps, warm-up over 4 (more than one epoch).
    await new Trainer({ epochs: 2, batchSize: 32, learningRate: 0.01, warmupSteps: 4, seed: 1 }).fit(stub, imageLoader(data, simclrViews()));
    const expected = [0.0025, 0.005, 0.0075, 0.01, 0.01, 0.005]; // (s + 1) / 4 x lr, then lr (cos 0 + 1) / 2, lr (cos(pi / 2) + 1) / 2
    expect(lrs).toHaveLength(6);
    lrs.forEach((lr, i) => expect(lr).toBeCloseTo(expected[i], 12));
    await expect(new Trainer({ epochs: 1, batchSize: 32, warmupSteps: 4 }).fit(stub, imageLoader(data, simclrViews())))
      .rejects.toThrow(/warmupSteps must be at most the run's 3 steps \(1 epochs of 3\), received 4/);
    expect(() => new Trainer({ epochs: 1, warmupSteps: 1.5 })).toThrow(/warmupSteps must be an integer >= 0, received 1.5/);
    expect(() => new Trainer({ epochs: 2, warmupSteps: 1, warmupEpochs: 1 })).toThrow(/warmupSteps must be absent when warmupEpochs is set, received 1/);
    stub.dispose();
  });

  it('refuses a resume with other settings, and bad options, naming them', async () => {
    expect(() => new Trainer({ epochs: 0 })).toThrow(/epochs must be an integer >= 1, received 0/);
    expect(() => new Trainer({ epochs: 1, optimizer: 'rmsprop' as never })).toThrow(/optimizer must be 'adam', 'adamw', 'sgd' or 'lars', received "rmsprop"/);
    expect(() => new Trainer({ epochs: 1, weightDecay: 0.1 })).toThrow(/weightDecay must be 0 unless optimizer is 'lars' or 'adamw', received 0.1/);
    expect(() => new Trainer({ epochs: 1, resume: true })).toThrow(/checkpointDir must be set when resume is true/);
    const dir = tmp();
    const m = method();
    await new Trainer({ ...base, epochs: 1, checkpointDir: dir }).fit(m, imageLoader(data, simclrViews()));
    await expect(new Trainer({ ...base, seed: 6, checkpointDir: dir, resume: true }).fit(m, imageLoader(data, simclrViews()))).rejects.toThrow(/cannot resume: the checkpoint was made with seed = 5, this run has 6/);
    await expect(new Trainer({ ...base, batchSize: 200 }).fit(m, imageLoader(data, simclrViews()))).rejects.toThrow(/96 items, fewer than one batch of 200/);
    m.dispose();
  });

  it('saves the encoder with the input the views feed it (views that resize), and checks it before the first step', async () => {
    const dir = tmp();
    const small = subset(full, Array.from({ length: 64 }, (_, i) => i * 1000));
    const m = new SimCLR({ backbone: cnnBackbone({ inputShape: [20, 20, 1], widths: [4], pooling: 'global-average', seed: 1 }), head: simclrHead(4, 4, 4, 2, 2) });
    await new Trainer({ epochs: 1, batchSize: 32, checkpointDir: dir }).fit(m, imageLoader(small, simclrViews({ size: [20, 20] })));
    m.dispose();
    const manifest = JSON.parse(readFileSync(join(dir, 'encoder', 'encoder.json'), 'utf8'));
    expect(manifest.input).toEqual({ kind: 'image', height: 20, width: 20, channels: 1 });
    expect(manifest.metadata.epoch).toBe(1);
  });
});
