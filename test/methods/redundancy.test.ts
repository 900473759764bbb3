/**
 * Barlow Twins, VICReg and NNCLR: each learns on a fixed batch of Fashion-MNIST views (its loss
 * falls), leaks no tensor per step, keeps the collapse monitor, computes exactly its loss function
 * on its projections, and validates its options. NNCLR: the support set receives the first view's
 * normalised projections after each step, wrapping around, and a resumed run restores it exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { BarlowTwins } from '../../src/methods/barlow-twins.js';
import { VICReg } from '../../src/methods/vicreg.js';
import { NNCLR } from '../../src/methods/nnclr.js';
import type { EncoderMethod } from '../../src/methods/encoder-method.js';
import { cnnBackbone } from '../../src/models/backbones/cnn.js';
import { barlowTwinsHead, nnclrPredictionHead, nnclrProjectionHead, vicregHead } from '../../src/models/heads.js';
import { simclrViews } from '../../src/augment/presets/simclr.js';
import { loadFashionMnist } from '../../src/data/fashion-mnist.js';
import { subset } from '../../src/data/image-dataset.js';
import { barlowTwinsLoss } from '../../src/losses/barlow-twins.js';
import { vicregLoss } from '../../src/losses/vicreg.js';
import { nnclrLoss } from '../../src/losses/nnclr.js';
import { normalizeRows } from '../../src/distances/cosine.js';
import { Trainer, type TrainerOptions } from '../../src/train/trainer.js';
import { makeBatch } from '../../src/data/batch.js';
import { imageLoader } from '../../src/data/image-source.js';

const backbone = (seed: number, widths = [8, 16]) => cnnBackbone({ inputShape: [28, 28, 1], widths, pooling: 'global-average', seed });
const nnclr = (seed: number, supportSize = 64) => new NNCLR({
  backbone: backbone(seed), head: nnclrProjectionHead(16, 32, 16, seed + 1), predictor: nnclrPredictionHead(16, 32, 16, seed + 2), supportSize, seed,
});

function views(n = 32, seed = 3): tf.Tensor4D[] {
  const data = loadFashionMnist();
  const vb = simclrViews().apply(data, Array.from({ length: n }, (_, i) => i * 2111), seed);
  return vb.views.map((v) => tf.tensor4d(v, [vb.n, 28, 28, 1]));
}

const rounded = (t: tf.Tensor) => Array.from(t.dataSync(), (v) => Math.round(v * 1e5) / 1e5);

describe('Barlow Twins, VICReg, NNCLR', () => {
  const cases: [string, () => EncoderMethod, (m: EncoderMethod, z1: tf.Tensor2D, z2: tf.Tensor2D) => tf.Scalar][] = [
    ['BarlowTwins', () => new BarlowTwins({ backbone: backbone(1), head: barlowTwinsHead(16, 32, 32, 2) }), (_, z1, z2) => barlowTwinsLoss(z1, z2)],
    ['VICReg', () => new VICReg({ backbone: backbone(1), head: vicregHead(16, 32, 32, 3, 2) }), (_, z1, z2) => vicregLoss(z1, z2)],
    ['NNCLR', () => nnclr(1), (m, z1, z2) => {
      const { predictor, support } = m as NNCLR;
      const [p1, p2] = [z1, z2].map((z) => predictor.apply(z, { training: true }) as tf.Tensor2D);
      return nnclrLoss(z1, z2, p1, p2, support.rows);
    }],
  ];
  for (const [name, make, lossOf] of cases) {
    it(`${name} learns: its loss of a fixed batch falls; no tensors leak per step; collapse monitor; embed gives [N, D]`, () => {
      tf.setBackend('native');
      const vs = views();
      const method = make();
      // Its loss is its loss function of the two views' training-mode projections.
      const [got, want] = tf.tidy(() => {
        const z = vs.map((v) => method.project(v, true));
        return [method.loss(makeBatch(vs)).dataSync()[0], lossOf(method, z[0], z[1]).dataSync()[0]];
      });
      expect(got).toBeCloseTo(want, 5);
      const opt = tf.train.adam(3e-3);
      const losses = [method.trainStep(makeBatch(vs), opt)]; // creates the optimizer's slots
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) losses.push(method.trainStep(makeBatch(vs), opt));
      expect(tf.memory().numTensors).toBe(tensors);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.8);
      expect(method.collapseStd()).toBeGreaterThan(0);
      const e = method.embed(vs[0]);
      expect(e.shape).toEqual([32, 16]);
      tf.dispose([e, ...vs]);
      method.dispose();
      opt.dispose();
    });
  }

  it('validate their options and views, naming the class, the argument and the received value', () => {
    const b = backbone(0, [4]);
    const h = vicregHead(4, 4, 4);
    expect(() => new BarlowTwins({ backbone: b, head: h, lambda: -1 })).toThrow('BarlowTwins: lambda must be a finite number >= 0, received -1');
    for (const name of ['invarianceWeight', 'varianceWeight', 'covarianceWeight'] as const) {
      expect(() => new VICReg({ backbone: b, head: h, [name]: Number.NaN })).toThrow(`VICReg: ${name} must be a finite number >= 0, received NaN`);
    }
    const p = nnclrPredictionHead(4, 8, 4);
    expect(() => new NNCLR({ backbone: b, head: h, predictor: p, temperature: 0 })).toThrow('NNCLR: temperature must be a finite number > 0, received 0');
    expect(() => new NNCLR({ backbone: b, head: h, predictor: p, supportSize: 2.5 })).toThrow('NNCLR: supportSize must be an integer >= 1, received 2.5');
    expect(() => new NNCLR({ backbone: b, head: h, predictor: p, seed: 0.5 })).toThrow('NNCLR: seed must be an integer, received 0.5');
    expect(() => new NNCLR({ backbone: b, head: h, predictor: nnclrPredictionHead(4, 8, 3) })).toThrow("NNCLR: predictor must map the head's [N, 4] to [N, 4], received [N, 4] -> [N, 3]");
    expect(() => new NNCLR({ backbone: b, head: h, predictor: undefined as never })).toThrow('NNCLR: predictor is required');
    const x = tf.zeros([3, 28, 28, 1]);
    for (const m of [new BarlowTwins({ backbone: b, head: h }), new VICReg({ backbone: b, head: h }), new NNCLR({ backbone: b, head: h, predictor: p, supportSize: 2 })]) {
      const caller = m.constructor.name;
      expect(() => m.loss(makeBatch([x]))).toThrow(`${caller}: expects 2 views, received 1`);
      if (m instanceof NNCLR) expect(() => m.loss(makeBatch([x, x]))).toThrow('NNCLR: the batch size must be at most supportSize = 2, received 3');
    }
    tf.dispose(x);
    for (const m of [b, h, p]) m.dispose();
  });

  it('NNCLR enqueues the first view\'s normalised projections after each step, first in first out, wrapping around', () => {
    tf.setBackend('native');
    const vs = views(32, 5);
    const method = nnclr(4, 48);
    const opt = tf.train.sgd(0.01);
    const projected = () => tf.tidy(() => rounded(normalizeRows(method.project(vs[0], true)))); // the step's z1, before the update
    const initial = rounded(method.support.rows);
    const first = projected();
    method.trainStep(makeBatch(vs), opt);
    expect(method.support.position).toBe(32);
    expect(rounded(method.support.rows)).toEqual([...first, ...initial.slice(32 * 16)]);
    const second = projected();
    method.trainStep(makeBatch(vs), opt);
    expect(method.support.position).toBe(16); // 64 mod 48
    // rows 0-15: the second batch's rows 16-31 (wrapped); 16-31: the first batch's rows 16-31; 32-47: the second's 0-15.
    expect(rounded(method.support.rows)).toEqual([...second.slice(16 * 16), ...first.slice(16 * 16), ...second.slice(0, 16 * 16)]);
    expect(second).not.toEqual(first);
    tf.dispose(vs);
    method.dispose();
    opt.dispose();
  });
});

describe('NNCLR with the Trainer', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const full = loadFashionMnist();
  const data = subset(full, Array.from({ length: 96 }, (_, i) => i * 709));
  const make = () => new NNCLR({
    backbone: cnnBackbone({ inputShape: [28, 28, 1], widths: [4, 8], pooling: 'global-average', seed: 1 }),
    head: nnclrProjectionHead(8, 8, 8, 2), predictor: nnclrPredictionHead(8, 8, 8, 3), supportSize: 64, seed: 4,
  });
  const weights = (m: NNCLR) => m.getWeights().map((w) => Array.from(w.dataSync()));
  const base: TrainerOptions = { epochs: 3, batchSize: 32, optimizer: 'lars', warmupEpochs: 1, seed: 5 };

  it('resumes exactly, support set included: 1 epoch + resume to 3 equals 3 epochs straight', async () => {
    const a = make();
    const straight = await new Trainer(base).fit(a, imageLoader(data, simclrViews()));
    const dir = mkdtempSync(join(tmpdir(), 'contrastive-nnclr-'));
    dirs.push(dir);
    const b = make();
    await new Trainer({ ...base, checkpointDir: dir, onEpochEnd: (l) => { if (l.epoch === 1) throw new Error('stop'); } })
      .fit(b, imageLoader(data, simclrViews())).catch((e: Error) => expect(e.message).toBe('stop'));
    b.dispose();
    expect(existsSync(join(dir, 'weights-1.bin'))).toBe(true);
    const c = make(); // fresh weights and support set, restored from the checkpoint
    const resumed = await new Trainer({ ...base, checkpointDir: dir, resume: true }).fit(c, imageLoader(data, simclrViews()));
    expect(resumed.map((h) => h.loss)).toEqual(straight.map((h) => h.loss));
    expect(Array.from(c.support.rows.dataSync())).toEqual(Array.from(a.support.rows.dataSync()));
    expect(c.support.position).toBe(a.support.position);
    expect(a.support.position).toBe((9 * 32) % 64);
    expect(weights(c)).toEqual(weights(a));
    for (const h of straight) expect(h.collapseStd).toBeGreaterThan(0);
    a.dispose(); c.dispose();
  });
});
