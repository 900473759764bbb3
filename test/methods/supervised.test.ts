/**
 * The supervised methods (SupCon, Triplet, Siamese): each learns on a fixed labelled batch of
 * Fashion-MNIST (its loss falls), leaks no tensor per step, computes exactly its loss function on
 * the stacked projections, and validates its options and labels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { SupCon } from '../../src/methods/supcon.js';
import { Triplet } from '../../src/methods/triplet.js';
import { Siamese, batchPairs } from '../../src/methods/siamese.js';
import type { EncoderMethod } from '../../src/methods/encoder-method.js';
import { cnnBackbone } from '../../src/models/backbones/cnn.js';
import { simclrHead } from '../../src/models/heads.js';
import { simclrViews } from '../../src/augment/presets/simclr.js';
import { loadFashionMnist } from '../../src/data/fashion-mnist.js';
import { MPerClassSampler } from '../../src/data/m-per-class-sampler.js';
import { supConLoss } from '../../src/losses/supcon.js';
import { batchHardTripletLoss } from '../../src/losses/batch-triplet.js';
import { contrastiveLoss } from '../../src/losses/contrastive.js';
import { normalizeRows } from '../../src/distances/cosine.js';
import { DistanceWeightedMiner } from '../../src/miners/distance-weighted.js';
import { HardNegativePairMiner } from '../../src/miners/hard-negative-pair.js';
import { makeBatch } from '../../src/data/batch.js';

const parts = (seed: number) => ({
  backbone: cnnBackbone({ inputShape: [28, 28, 1], widths: [8, 16], pooling: 'global-average', seed }),
  head: simclrHead(16, 32, 16, 2, seed + 1),
});

function batch() {
  const data = loadFashionMnist();
  const idx = new MPerClassSampler(data.labels, { m: 4, batchSize: 32, seed: 1 }).epochOrder(0).subarray(0, 32);
  const vb = simclrViews().apply(data, idx, 3);
  const views = vb.views.map((v) => tf.tensor4d(v, [vb.n, 28, 28, 1]));
  return { views, labels: Int32Array.from(idx, (i) => data.labels[i]) };
}

describe('supervised methods', () => {
  const cases: [string, () => EncoderMethod][] = [
    ['SupCon', () => new SupCon({ ...parts(1) })],
    ['Triplet (batch hard)', () => new Triplet({ ...parts(2), mining: 'batch-hard' })],
    ['Triplet (semi-hard, the default)', () => new Triplet({ ...parts(3) })],
    ['Triplet (batch all)', () => new Triplet({ ...parts(4), mining: 'batch-all' })],
    ['Siamese', () => new Siamese({ ...parts(5) })],
    ['Triplet (DistanceWeightedMiner)', () => new Triplet({ ...parts(10), miner: new DistanceWeightedMiner({ seed: 1 }) })],
    ['Siamese (HardNegativePairMiner)', () => new Siamese({ ...parts(11), miner: new HardNegativePairMiner() })],
  ];
  for (const [name, make] of cases) {
    it(`${name}: the loss of a fixed labelled batch falls; no tensors leak per step`, () => {
      const { views, labels } = batch();
      const method = make();
      expect(method.usesLabels).toBe(true);
      const opt = tf.train.adam(3e-3);
      const losses = [method.trainStep(makeBatch(views, labels), opt)];
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 15; i++) losses.push(method.trainStep(makeBatch(views, labels), opt));
      expect(tf.memory().numTensors).toBe(tensors);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[losses.length - 1]).toBeLessThan(0.8 * losses[0]);
      tf.dispose(views);
      method.dispose();
      opt.dispose();
    });
  }

  it('each method computes its loss function on the stacked (normalised) projections', () => {
    const { views, labels } = batch();
    const both = Int32Array.from([...labels, ...labels]);
    const value = (t: tf.Scalar) => { const v = t.dataSync()[0]; t.dispose(); return v; };
    const stacked = (m: EncoderMethod) => tf.concat(views.map((v) => m.project(v, true)), 0) as tf.Tensor2D;
    // training-mode batch norm makes project() deterministic for a fixed batch (no running statistic is read)
    const s = new SupCon({ ...parts(6), temperature: 0.2 });
    expect(value(s.loss(makeBatch(views, labels)))).toBeCloseTo(value(tf.tidy(() => supConLoss(stacked(s), both, { temperature: 0.2 }))), 5);
    const t = new Triplet({ ...parts(7), margin: 0.3, mining: 'batch-hard' });
    expect(value(t.loss(makeBatch(views, labels)))).toBeCloseTo(value(tf.tidy(() => batchHardTripletLoss(normalizeRows(stacked(t)), both, { margin: 0.3 }))), 5);
    const p = new Siamese({ ...parts(8), margin: 0.7 });
    const pairs = batchPairs(both);
    const want = tf.tidy(() => {
      const z = normalizeRows(stacked(p));
      return contrastiveLoss(tf.gather(z, Array.from(pairs.anchors)), tf.gather(z, Array.from(pairs.others)), pairs.similar, { margin: 0.7 });
    });
    expect(value(p.loss(makeBatch(views, labels)))).toBeCloseTo(value(want), 5);
    [s, t, p].forEach((m) => m.dispose());
    tf.dispose(views);
  });

  it('batchPairs: the first similar row after each row, and a dissimilar one spread by the row index', () => {
    const pairs = batchPairs(Int32Array.from([0, 0, 1, 1, 2, 0]));
    const list = Array.from(pairs.anchors, (a, k) => [a, pairs.others[k], pairs.similar[k]]);
    expect(list).toEqual([
      [0, 1, 1], [0, 2, 0], [1, 5, 1], [1, 3, 0], [2, 3, 1], [2, 0, 0], [3, 2, 1], [3, 1, 0], [4, 3, 0], [5, 0, 1], [5, 4, 0],
    ]);
  });

  it('validates options and labels, naming them', () => {
    const { views, labels } = batch();
    const m = new SupCon({ ...parts(9) });
    expect(() => m.loss(makeBatch(views))).toThrow(/SupCon: needs the batch's labels \(a supervised method\), received none/);
    expect(() => m.loss({ size: 32, views, labels: labels.subarray(0, 5) })).toThrow(/SupCon: expects 32 labels \(one per item\), received 5/);
    expect(() => new SupCon({ ...parts(9), temperature: 0 })).toThrow(/SupCon: temperature must be a finite number > 0, received 0/);
    expect(() => new Triplet({ ...parts(9), mining: 'hard' as 'batch-hard' })).toThrow(/Triplet: mining must be 'batch-hard', 'semi-hard' or 'batch-all', received "hard"/);
    expect(() => new Triplet({ ...parts(9), margin: -1 })).toThrow(/Triplet: margin must be a finite number >= 0, received -1/);
    expect(() => new Siamese({ ...parts(9), margin: -2 })).toThrow(/Siamese: margin must be a finite number >= 0, received -2/);
    expect(() => new Triplet({ ...parts(9), miner: {} as never })).toThrow(/Triplet: miner must be a TripletMiner \(an object with mine\), received \[object Object\]/);
    expect(() => new Siamese({ ...parts(9), miner: 3 as never })).toThrow(/Siamese: miner must be a PairMiner \(an object with mine\), received 3/);
    m.dispose();
    tf.dispose(views);
  });
});
