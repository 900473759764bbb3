import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { SimCLR } from '../../src/methods/simclr.js';
import { cnnBackbone } from '../../src/models/backbones/cnn.js';
import { simclrHead } from '../../src/models/heads.js';
import { simclrViews } from '../../src/augment/presets/simclr.js';
import { loadFashionMnist } from '../../src/data/fashion-mnist.js';
import { makeBatch } from '../../src/data/batch.js';

describe('SimCLR', () => {
  it('learns: the NT-Xent loss of a fixed batch falls; no tensors leak per step; embed gives [N, D]', () => {
    tf.setBackend('native');
    const data = loadFashionMnist();
    const idx = Array.from({ length: 32 }, (_, i) => i * 2111);
    const vb = simclrViews().apply(data, idx, 3);
    const views = vb.views.map((v) => tf.tensor4d(v, [vb.n, 28, 28, 1]));
    const method = new SimCLR({ backbone: cnnBackbone({ inputShape: [28, 28, 1], widths: [8, 16], pooling: 'global-average', seed: 1 }), head: simclrHead(16, 32, 16, 2, 2) });
    const opt = tf.train.adam(3e-3);
    const losses: number[] = [];
    losses.push(method.trainStep(makeBatch(views), opt)); // creates the optimizer's slots
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 40; i++) losses.push(method.trainStep(makeBatch(views), opt));
    expect(tf.memory().numTensors).toBe(tensors);
    expect(losses.every(Number.isFinite)).toBe(true);
    // log(2N - 1) = 4.13 for N = 32 is the loss of a random embedding; it must fall well below.
    expect(losses[0]).toBeGreaterThan(2.5);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] - 1);
    const e = method.embed(views[0]);
    expect(e.shape).toEqual([32, 16]);
    tf.dispose([e, ...views]);
    method.dispose();
    opt.dispose();
  });

  it('is reproducible: same seeds, same loss curve', () => {
    tf.setBackend('native');
    const data = loadFashionMnist();
    const run = () => {
      const vb = simclrViews().apply(data, [5, 900, 4000, 12000, 30000, 50000, 61000, 69000], 11);
      const views = vb.views.map((v) => tf.tensor4d(v, [vb.n, 28, 28, 1]));
      const method = new SimCLR({ backbone: cnnBackbone({ inputShape: [28, 28, 1], widths: [8, 16], pooling: 'global-average', seed: 3 }), head: simclrHead(16, 16, 8, 2, 4) });
      const opt = tf.train.adam(1e-3);
      const losses = Array.from({ length: 5 }, () => method.trainStep(makeBatch(views), opt));
      tf.dispose(views);
      method.dispose();
      opt.dispose();
      return losses;
    };
    const a = run();
    expect(run()).toEqual(a);
  });

  it('validates its options', () => {
    const b = cnnBackbone({ inputShape: [28, 28, 1], widths: [4], pooling: 'global-average' });
    const h = simclrHead(4, 4, 4);
    expect(() => new SimCLR({ backbone: b, head: h, temperature: 0 })).toThrow(/temperature must be a finite number > 0, received 0/);
    const m = new SimCLR({ backbone: b, head: h });
    expect(() => m.loss(makeBatch([tf.zeros([2, 28, 28, 1])]))).toThrow(/expects 2 views, received 1/);
    m.dispose();
  });
});
