/**
 * The momentum/predictor methods (MoCo v2, MoCo v3, BYOL, SimSiam): each learns on a fixed batch of
 * Fashion-MNIST (its loss falls), leaks no tensor per step, records the collapse measure; the
 * targets move only by EMA (target = m target + (1 - m) online after a step, never by gradient);
 * MoCo's queue takes the batch's keys first in, first out; the momentum schedules; a Trainer
 * checkpoint + resume restores targets and queue exactly; option validation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { BYOL, MoCo, MoCoV3, SimSiam } from '../../src/index.js';
import type { EncoderMethod } from '../../src/methods/encoder-method.js';
import type { MomentumMethod } from '../../src/methods/momentum-method.js';
import { cnnBackbone } from '../../src/models/backbones/cnn.js';
import { byolPredictor, byolProjector, mocoV2Head, mocoV3Predictor, mocoV3Projector, simsiamPredictor, simsiamProjector } from '../../src/models/heads.js';
import { normalizeRows } from '../../src/distances/cosine.js';
import { simclrViews } from '../../src/augment/presets/simclr.js';
import { loadFashionMnist } from '../../src/data/fashion-mnist.js';
import { subset } from '../../src/data/image-dataset.js';
import { Trainer, type TrainerOptions } from '../../src/train/trainer.js';
import { makeBatch } from '../../src/data/batch.js';
import { imageLoader } from '../../src/data/image-source.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const cnn = (seed: number) => cnnBackbone({ inputShape: [28, 28, 1], widths: [4, 8], pooling: 'global-average', seed });
/** Online and target parts: the target built like the online one (its weights are overwritten). */
const pair = <M>(build: (seed: number) => M, seed: number) => [build(seed), build(seed + 100)] as const;

type Options = Record<string, unknown>;
const builders: Record<string, (o?: Options) => EncoderMethod> = {
  MoCo: (o = {}) => {
    const [backbone, targetBackbone] = pair(cnn, 1), [head, targetHead] = pair((s) => mocoV2Head(8, 16, 8, s), 2);
    return new MoCo({ backbone, head, targetBackbone, targetHead, queueSize: 256, ...o });
  },
  MoCoV3: (o = {}) => {
    const [backbone, targetBackbone] = pair(cnn, 1), [head, targetHead] = pair((s) => mocoV3Projector(8, 16, 8, 2, s), 2);
    return new MoCoV3({ backbone, head, targetBackbone, targetHead, predictor: mocoV3Predictor(8, 16, 8, 3), ...o });
  },
  BYOL: (o = {}) => {
    const [backbone, targetBackbone] = pair(cnn, 1), [head, targetHead] = pair((s) => byolProjector(8, 16, 8, s), 2);
    return new BYOL({ backbone, head, targetBackbone, targetHead, predictor: byolPredictor(8, 16, 8, 3), ...o });
  },
  SimSiam: (o = {}) => new SimSiam({ backbone: cnn(1), head: simsiamProjector(8, 16, 8, 2), predictor: simsiamPredictor(8, 4, 8, 3), ...o }),
};

const data = loadFashionMnist();
function views(n: number, seed: number): tf.Tensor4D[] {
  const vb = simclrViews().apply(data, Array.from({ length: n }, (_, i) => (i * 2111 + seed * 17) % data.size), seed);
  return vb.views.map((v) => tf.tensor4d(v, [vb.n, 28, 28, 1]));
}
const values = (ts: tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));

describe('momentum methods learn', () => {
  for (const name of Object.keys(builders)) {
    it(`${name}: the loss of a fixed batch falls; no tensors leak per step; collapse measure and embed`, () => {
      tf.setBackend('native');
      const v = views(32, 3);
      const method = builders[name](name === 'MoCo' ? { queueSize: 64, temperature: 0.1 } : {});
      // MoCo: the same batch every step would fill the queue with copies of its own keys (their
      // negatives become positives); a fixed queue keeps the objective stationary.
      const queue = method instanceof MoCo ? method.queue.getWeights().map((t) => tf.clone(t)) : [];
      const opt = tf.train.adam(3e-3);
      const step = () => {
        if (method instanceof MoCo) method.queue.setWeights(queue);
        return method.trainStep(makeBatch(v), opt);
      };
      const losses = [step()]; // creates the optimizer's slots
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) losses.push(step());
      expect(tf.memory().numTensors).toBe(tensors);
      expect(losses.every(Number.isFinite)).toBe(true);
      const first = losses.slice(0, 3).reduce((a, b) => a + b) / 3, last = losses.slice(-3).reduce((a, b) => a + b) / 3;
      expect(last, `${name} losses ${losses.map((l) => l.toFixed(3))}`).toBeLessThan(first - 0.1 * Math.abs(first) - 0.05);
      const std = method.collapseStd();
      expect(std).toBeGreaterThan(0);
      expect(std).toBeLessThanOrEqual(1);
      const e = method.embed(v[0]);
      expect(e.shape).toEqual([32, 8]);
      tf.dispose([e, ...v, ...queue]);
      method.dispose();
      opt.dispose();
    });
  }
});

describe('momentum targets', () => {
  for (const name of ['MoCo', 'MoCoV3', 'BYOL']) {
    it(`${name}: the target starts as the online copy and moves only by EMA: target = m target + (1 - m) online`, () => {
      tf.setBackend('native');
      const v = views(16, 5);
      const method = builders[name]({ momentum: 0.9, momentumSchedule: 'constant' }) as MomentumMethod;
      const online = [method.backbone, method.head], target = [method.targetBackbone, method.targetHead];
      const trainable = online.flatMap((m) => m.weights.map((w) => w.trainable));
      const read = (ms: (typeof online)[number][]) => values(ms.flatMap((m) => m.getWeights()));
      expect(read(target)).toEqual(read(online)); // copied at construction (running statistics too)
      const opt = tf.train.sgd(0.5);
      for (let s = 0; s < 2; s++) {
        const t0 = read(target), o0 = read(online);
        method.trainStep(makeBatch(v), opt);
        const t1 = read(target), o1 = read(online);
        expect(o1.some((w, i) => trainable[i] && w.some((x, j) => x !== o0[i][j]))).toBe(true); // the step moved the online network
        t1.forEach((w, i) => {
          if (!trainable[i]) return; // running statistics: the target's own forward passes
          w.forEach((x, j) => expect(x).toBeCloseTo(0.9 * t0[i][j] + 0.1 * o1[i][j], 5));
        });
      }
      expect(method.trainableVariables()).toHaveLength(online.concat(method instanceof MoCo ? [] : [(method as MoCoV3).predictor]).flatMap((m) => m.trainableWeights).length);
      tf.dispose(v);
      method.dispose();
      opt.dispose();
    });
  }

  it('the momentum schedules: cosine m_base -> 1 over the run, constant stays', () => {
    const byol = builders.BYOL() as MomentumMethod, moco = builders.MoCo() as MomentumMethod;
    expect(byol.currentMomentum).toBe(0.99);
    for (const [step, want] of [[0, 0.99], [50, 0.995], [100, 1], [120, 1]]) {
      byol.setProgress(step, 100);
      expect(byol.currentMomentum).toBeCloseTo(want, 12);
    }
    byol.setProgress(25, 100); // tau = 1 - (1 - tau_base)(cos(pi k / K) + 1) / 2
    expect(byol.currentMomentum).toBeCloseTo(1 - 0.01 * (Math.cos(Math.PI / 4) + 1) / 2, 12);
    moco.setProgress(50, 100);
    expect(moco.currentMomentum).toBe(0.999);
    byol.dispose();
    moco.dispose();
  });
});

describe('MoCo queue', () => {
  it('enqueues the batch\'s normalised keys after each step, first in first out, wrapping; the loss uses the queue before the step', () => {
    tf.setBackend('native');
    const method = builders.MoCo({ queueSize: 40, momentum: 0.5 }) as MoCo;
    const opt = tf.train.sgd(0.1);
    const v1 = views(16, 1), v2 = views(16, 2), v3 = views(16, 3);
    const rows = () => method.queue.rows.arraySync() as number[][];
    const init = rows();
    method.trainStep(makeBatch(v1), opt);
    expect(method.queue.position).toBe(16);
    expect(rows().slice(16)).toEqual(init.slice(16));
    method.trainStep(makeBatch(v2), opt);
    expect(method.queue.position).toBe(32);
    const before = rows();
    // The keys of step 3: the key encoder on view 2, in training mode, before the step's EMA update.
    const keys = tf.tidy(() => normalizeRows(method.targetHead.apply(method.targetBackbone.apply(v3[1], { training: true }), { training: true }) as tf.Tensor2D)).arraySync() as number[][];
    method.trainStep(makeBatch(v3), opt);
    expect(method.queue.position).toBe(8); // 48 mod 40
    const after = rows();
    const close = (a: number[][], b: number[][]) => a.forEach((r, i) => r.forEach((x, j) => expect(x).toBeCloseTo(b[i][j], 5)));
    close(after.slice(32, 40), keys.slice(0, 8)); // the oldest rows (initial keys 32..39) went first,
    close(after.slice(0, 8), keys.slice(8, 16)); // then the wrap: step 1's oldest keys
    expect(after.slice(8, 32)).toEqual(before.slice(8, 32));
    for (const r of after) expect(Math.hypot(...r)).toBeCloseTo(1, 5);
    // symmetric: both key batches go in
    const sym = builders.MoCo({ queueSize: 40, symmetric: true }) as MoCo;
    sym.trainStep(makeBatch(v1), opt);
    expect(sym.queue.position).toBe(32);
    expect(() => sym.loss(makeBatch(views(24, 4)))).toThrow('MoCo: queueSize (40) must hold a batch of keys, received 48 keys');
    tf.dispose([...v1, ...v2, ...v3]);
    [method, sym].forEach((m) => m.dispose());
    opt.dispose();
  });
});

describe('momentum methods resume exactly with the Trainer', () => {
  const small = subset(data, Array.from({ length: 96 }, (_, i) => i * 709));
  const base: TrainerOptions = { epochs: 3, batchSize: 32, optimizer: 'lars', warmupEpochs: 1, seed: 5 };
  for (const name of Object.keys(builders)) {
    it(`${name}: 1 epoch + resume to 3 equals 3 epochs straight (targets, queue, position included)`, async () => {
      const a = builders[name]();
      const straight = await new Trainer(base).fit(a, imageLoader(small, simclrViews()));
      const dir = mkdtempSync(join(tmpdir(), 'contrastive-momentum-'));
      dirs.push(dir);
      const b = builders[name]();
      await new Trainer({ ...base, checkpointDir: dir, onEpochEnd: (l) => { if (l.epoch === 1) throw new Error('stop'); } })
        .fit(b, imageLoader(small, simclrViews())).catch((e: Error) => expect(e.message).toBe('stop'));
      b.dispose();
      const c = builders[name]();
      const resumed = await new Trainer({ ...base, checkpointDir: dir, resume: true }).fit(c, imageLoader(small, simclrViews()));
      expect(resumed.map((h) => h.loss)).toEqual(straight.map((h) => h.loss));
      expect(values(c.getWeights())).toEqual(values(a.getWeights()));
      if (a instanceof MoCo) expect((c as MoCo).queue.position).toBe(a.queue.position);
      expect(straight.every((h) => h.collapseStd! > 0)).toBe(true);
      a.dispose();
      c.dispose();
    });
  }
});

describe('momentum methods validate their options', () => {
  it('names the class, the argument, the expectation and the value', () => {
    const o = () => ({ backbone: cnn(1), head: mocoV2Head(8, 16, 8, 2), targetBackbone: cnn(1), targetHead: mocoV2Head(8, 16, 8, 2) });
    expect(() => new MoCo({ ...o(), momentum: 1.5 })).toThrow("MoCo: momentum must be a number in [0, 1], received 1.5");
    expect(() => new MoCo({ ...o(), momentumSchedule: 'linear' as never })).toThrow(`MoCo: momentumSchedule must be 'constant' or 'cosine', received "linear"`);
    expect(() => new MoCo({ ...o(), temperature: 0 })).toThrow('MoCo: temperature must be a finite number > 0, received 0');
    expect(() => new MoCo({ ...o(), queueSize: 0 })).toThrow('MoCo: queueSize must be an integer >= 1, received 0');
    expect(() => new MoCo({ ...o(), symmetric: 1 as never })).toThrow('MoCo: symmetric must be a boolean, received 1');
    expect(() => new MoCo({ ...o(), targetBackbone: undefined as never })).toThrow('MoCo: targetBackbone is required (built like backbone), received undefined');
    const same = o();
    expect(() => new MoCo({ ...same, targetHead: same.head })).toThrow('MoCo: targetHead must be a separate model, received the online one');
    expect(() => new MoCo({ ...o(), targetHead: mocoV2Head(8, 12, 8) })).toThrow(/MoCo: targetHead must have the online network's architecture \(weights 8x16,16,16x8,8\), received weights 8x12,12,12x8,8/);
    const p = { ...o(), head: byolProjector(8, 16, 8), targetHead: byolProjector(8, 16, 8) };
    expect(() => new BYOL({ ...p, predictor: undefined as never })).toThrow('BYOL: predictor is required (a LayersModel), received undefined');
    expect(() => new MoCoV3({ ...p, predictor: byolPredictor(8, 16, 8), temperature: -1 })).toThrow('MoCoV3: temperature must be a finite number > 0, received -1');
    expect(() => new SimSiam({ backbone: cnn(1), head: simsiamProjector(8, 16, 8), predictor: null as never })).toThrow('SimSiam: predictor is required (a LayersModel), received null');
    for (const name of Object.keys(builders)) {
      const m = builders[name]();
      expect(() => m.loss(makeBatch([tf.zeros([2, 28, 28, 1])]))).toThrow(`${name}: expects 2 views, received 1`);
      m.dispose();
    }
  });
});
