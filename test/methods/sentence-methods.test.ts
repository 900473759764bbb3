/**
 * SimCSE and MNRL: their loss is the stated loss of the encoder's embeddings (dropout off), dropout
 * makes SimCSE's two identical views differ in training only, training lowers the loss, and views
 * are checked. A small MLP with dropout on vectors stands in for a text encoder: the methods do
 * not know what an item is.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { makeBatch } from '../../src/data/batch.js';
import { infoNceLoss } from '../../src/losses/infonce.js';
import { mnrlLoss } from '../../src/losses/mnrl.js';
import * as lossModule from '../../src/losses/cosent.js';
import { MNRL } from '../../src/methods/mnrl.js';
import { SimCSE } from '../../src/methods/simcse.js';
import { Rng } from '../../src/util/random.js';

function encoder(dropout: number, seed = 1): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 16, activation: 'relu', inputShape: [6], kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
      tfl.layers.dropout({ rate: dropout }),
      tfl.layers.dense({ units: 8, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

const rng = new Rng(5);
const x = () => tf.tensor2d(Array.from({ length: 8 * 6 }, () => rng.next() * 2 - 1), [8, 6]);

describe('SimCSE', () => {
  it('is InfoNCE at T = 0.05 of the two views\' embeddings (dropout 0: exactly)', () => {
    const m = new SimCSE({ backbone: encoder(0) });
    const [a, b] = [x(), x()];
    const got = m.loss(makeBatch([a, b])).dataSync()[0];
    const want = tf.tidy(() => infoNceLoss(m.backbone.apply(a) as tf.Tensor, m.backbone.apply(b) as tf.Tensor, undefined, { temperature: 0.05 }).dataSync()[0]);
    expect(got).toBeCloseTo(want, 5);
    expect(m.projectionDim).toBe(8);
    tf.dispose([a, b]);
    m.dispose();
  });

  it('supervised (3 views: premise, entailment, contradiction) is MNRL with hard negatives at scale 1/T', () => {
    const m = new SimCSE({ backbone: encoder(0), temperature: 0.1 });
    const [a, p, n] = [x(), x(), x()];
    const got = m.loss(makeBatch([a, p, n])).dataSync()[0];
    const want = tf.tidy(() => mnrlLoss(m.backbone.apply(a) as tf.Tensor, m.backbone.apply(p) as tf.Tensor, m.backbone.apply(n) as tf.Tensor, { scale: 10 }).dataSync()[0]);
    expect(got).toBeCloseTo(want, 5);
    tf.dispose([a, p, n]);
    m.dispose();
  });

  it('dropout makes identical views differ in training, not when embedding; training lowers the loss', () => {
    const m = new SimCSE({ backbone: encoder(0.3) });
    const a = x();
    const [z1, z2] = tf.tidy(() => [m.project(a, true), m.project(a, true)].map((t) => Array.from(t.dataSync())));
    expect(z1).not.toEqual(z2);
    expect(Array.from(m.embed(a).dataSync())).toEqual(Array.from(m.embed(a).dataSync()));
    const opt = tf.train.adam(0.01);
    const losses: number[] = [];
    for (let s = 0; s < 40; s++) {
      const batch = makeBatch([a, a]);
      losses.push(m.trainStep(batch, opt));
    }
    expect(losses.slice(-5).reduce((p, q) => p + q) / 5).toBeLessThan(losses.slice(0, 5).reduce((p, q) => p + q) / 5);
    expect(() => m.loss(makeBatch([a]))).toThrow('SimCSE: expects 2 views (the same texts twice) or 3 (premise, entailment, contradiction), received 1');
    expect(() => new SimCSE({ backbone: encoder(0), temperature: 0 })).toThrow(/SimCSE: temperature/);
    a.dispose();
    opt.dispose();
    m.dispose();
  });
});

describe('MNRL', () => {
  it('is mnrlLoss of the anchors\', positives\' and hard negatives\' embeddings (2 or 3 views, symmetric)', () => {
    for (const symmetric of [false, true]) {
      const m = new MNRL({ backbone: encoder(0), symmetric, scale: 10 });
      const [a, p, n] = [x(), x(), x()];
      const f = (...t: tf.Tensor[]) => t.map((v) => m.backbone.apply(v) as tf.Tensor);
      const got2 = m.loss(makeBatch([a, p])).dataSync()[0];
      const got3 = m.loss(makeBatch([a, p, n])).dataSync()[0];
      const [want2, want3] = tf.tidy(() => {
        const [ea, ep, en] = f(a, p, n);
        return [mnrlLoss(ea, ep, undefined, { scale: 10, symmetric }).dataSync()[0], mnrlLoss(ea, ep, en, { scale: 10, symmetric }).dataSync()[0]];
      });
      expect(got2).toBeCloseTo(want2, 5);
      expect(got3).toBeCloseTo(want3, 5);
      tf.dispose([a, p, n]);
      m.dispose();
    }
    const m = new MNRL({ backbone: encoder(0) });
    const a = x();
    expect(() => m.loss(makeBatch([a]))).toThrow('MNRL: expects 2 views (anchor, positive) or 3 (with a hard negative), received 1');
    expect(() => new MNRL({ backbone: encoder(0), scale: -1 })).toThrow('MNRL: scale must be a finite number > 0, received -1');
    a.dispose();
    m.dispose();
  });
});

describe('CoSENT', () => {
  it('is coSentLoss of the two sentences\' embeddings with the scores of the batch\'s items', async () => {
    const { CoSENT } = await import('../../src/methods/cosent.js');
    const scores = [0.5, 4, 2, 3, 1, 0, 5, 2.5, 9, 9];
    const m = new CoSENT({ backbone: encoder(0), scores });
    const [a, b] = [x(), x()];
    const indices = Int32Array.from([3, 1, 0, 7, 2, 5, 6, 4]);
    const got = m.loss(makeBatch([a, b], undefined, indices)).dataSync()[0];
    const want = tf.tidy(() => {
      const { coSentLoss } = lossModule;
      return coSentLoss(m.backbone.apply(a) as tf.Tensor, m.backbone.apply(b) as tf.Tensor, Array.from(indices, (i) => scores[i])).dataSync()[0];
    });
    expect(got).toBeCloseTo(want, 5);
    expect(() => m.loss(makeBatch([a, b]))).toThrow("CoSENT: the batch must carry its items' positions (indices) to look up their scores");
    expect(() => new CoSENT({ backbone: encoder(0), scores: [1, NaN] })).toThrow('CoSENT: scores must be finite numbers, received NaN at 1');
    tf.dispose([a, b]);
    m.dispose();
  });
});
