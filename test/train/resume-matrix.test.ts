/**
 * Resume is bit-exact for every method and every optimizer: a run stopped after epoch 1 and
 * resumed from its checkpoint gives the loss history and the weights of an uninterrupted run, bit
 * for bit, the first epoch after the resume included (Adam's bias-correction powers used to be
 * recomputed with pow() on resume: last-bit differences that grew to 1e-3; 5 steps per epoch are
 * chosen so that the stop falls where pow(0.999, 6) and five float32 products differ: with
 * tfjs's own Adam every adam case here fails). Tiny models and data,
 * checkpoints in memory (the file store is tested in trainer.test.ts and by the SIGKILL test).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { simclrViews } from '../../src/augment/presets/simclr.js';
import { loadFashionMnist } from '../../src/data/fashion-mnist.js';
import { subset } from '../../src/data/image-dataset.js';
import { imageLoader } from '../../src/data/image-source.js';
import { METHOD_NAMES, METHODS } from '../../src/methods/registry.js';
import { ResumableAdam } from '../../src/train/adam.js';
import { memoryStore } from '../../src/train/checkpoint-store.js';
import { buildRunMethod } from '../../src/train/run.js';
import { Trainer, type OptimizerName, type TrainerOptions } from '../../src/train/trainer.js';

const full = loadFashionMnist();
const data = subset(full, Array.from({ length: 80 }, (_, i) => i * 743));
const build = (method: (typeof METHOD_NAMES)[number]) => buildRunMethod({
  dataset: 'fashion-mnist', input: { kind: 'image', height: 28, width: 28, channels: 1 }, method, backbone: 'cnn', seed: 3,
  pooling: 'global-average', widths: [4, 8], embeddingDim: 0,
});
const values = (ts: tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));

describe('resume is bit-exact', () => {
  for (const optimizer of ['adam', 'sgd', 'lars', 'adamw'] as OptimizerName[]) {
    // The image methods here (adamw: one of them, its state is Adam's); the text methods' resume is tested on texts (test/train/text-training.test.ts, test/cli/text-cli.test.ts).
    for (const name of METHOD_NAMES.filter((m) => METHODS[m].items === 'any' && (optimizer !== 'adamw' || m === 'simclr'))) {
      it(`${name} with ${optimizer}: 1 epoch + resume to 3 equals 3 epochs straight`, async () => {
        const base: TrainerOptions = { epochs: 3, batchSize: 16, optimizer, seed: 7, onWarning: () => {} };
        const loader = () => imageLoader(data, simclrViews());
        const a = build(name);
        const straight = await new Trainer(base).fit(a, loader());
        const store = memoryStore();
        const b = build(name);
        await new Trainer({ ...base, checkpointStore: store, onEpochEnd: (l) => { if (l.epoch === 1) throw new Error('stop'); } })
          .fit(b, loader()).catch((e: Error) => expect(e.message).toBe('stop'));
        b.dispose();
        const before = tf.memory().numTensors;
        const c = build(name);
        const resumed = await new Trainer({ ...base, checkpointStore: store, resume: true }).fit(c, loader());
        expect(resumed.map((h) => h.loss)).toEqual(straight.map((h) => h.loss));
        expect(values(c.getWeights())).toEqual(values(a.getWeights()));
        c.dispose();
        expect(tf.memory().numTensors).toBe(before); // the resumed run leaves no tensor behind
        a.dispose();
        store.dispose();
      });
    }
  }

  it('Adam restores its bias-correction powers as training made them, also from a checkpoint without them', async () => {
    const v = tf.variable(tf.tensor1d([0.5, -1, 2]));
    const opt = new ResumableAdam(0.01);
    for (let i = 0; i < 37; i++) opt.minimize(() => tf.sum(tf.square(tf.mul(v, tf.scalar(1 + i / 10)))) as tf.Scalar);
    const saved = await opt.getWeights();
    const powers = (o: ResumableAdam) => [(o as unknown as { accBeta1: tf.Tensor }).accBeta1.dataSync()[0], (o as unknown as { accBeta2: tf.Tensor }).accBeta2.dataSync()[0]];
    const withPowers = new ResumableAdam(0.01);
    await withPowers.setWeights(saved);
    const without = new ResumableAdam(0.01);
    await without.setWeights(saved.filter((w) => !w.name.startsWith('adam/')));
    expect(powers(withPowers)).toEqual(powers(opt));
    expect(powers(without)).toEqual(powers(opt));
    // tfjs-core's own restore (pow) differs in the last bits: the cause of the old drift.
    const plain = tf.train.adam(0.01);
    await plain.setWeights(saved.filter((w) => !w.name.startsWith('adam/')));
    expect(powers(plain as unknown as ResumableAdam)).not.toEqual(powers(opt));
    [opt, withPowers, without, plain].forEach((o) => o.dispose());
    saved.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose());
    v.dispose();
  });
});
