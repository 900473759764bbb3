#!/usr/bin/env node
/**
 * The supervised reference of the quality protocol (BENCHMARKS.md, "Quality"): the default
 * encoder of `contrastive train` (`cnnBackbone`, flatten + 256, seed 0) plus one Linear layer to
 * the 10 classes, trained with labels (softmax cross-entropy, Adam 1e-3 with cosine decay, batch
 * 256, no augmentation) on the 60,000 training images of the default split; then the same
 * evaluation as `contrastive eval`: weighted kNN (k 200, T 0.1, cosine; also of the representation
 * whitened as by `contrastive eval --whiten`) and a linear probe
 * (30 epochs) on the frozen 256-d representation of the 10,000 held-out images, and the trained
 * classifier's own test accuracy. What self-supervised training is measured against.
 *
 *   npm run build && node bench/supervised.mjs [--epochs 3] [--pooling flatten|global-average]
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadLibrary } from './library.mjs';

const args = process.argv.slice(2);
const opt = { epochs: 3, pooling: 'flatten', batch: 256 };
for (let i = 0; i < args.length; i += 2) {
  const key = args[i].replace(/^--/, '');
  if (!(key in opt)) throw new Error(`supervised: unknown option ${args[i]} (see the comment at the top)`);
  opt[key] = key === 'pooling' ? args[i + 1] : Number(args[i + 1]);
}

const lib = await loadLibrary();
const data = lib.loadFashionMnist();
const split = lib.stratifiedSplit(data.labels);
const train = lib.subset(data, split.train), test = lib.subset(data, split.test);
const backbone = lib.cnnBackbone({ inputShape: [28, 28, 1], pooling: opt.pooling, seed: 0 });
const dim = backbone.outputs[0].shape[1];
const classifier = tfl.layers.dense({ units: 10, inputShape: [dim] });
const adam = tf.train.adam(1e-3);
const rng = new lib.Rng(0);
const steps = Math.floor(train.size / opt.batch);
const pixels = new Float32Array(opt.batch * 784);
const labels = new Int32Array(opt.batch);
const t0 = performance.now();
let step = 0;
for (let epoch = 0; epoch < opt.epochs; epoch++) {
  const order = rng.shuffle(Int32Array.from({ length: train.size }, (_, i) => i));
  let lossSum = 0;
  for (let s = 0; s < steps; s++) {
    for (let b = 0; b < opt.batch; b++) {
      const j = order[s * opt.batch + b];
      for (let p = 0; p < 784; p++) pixels[b * 784 + p] = train.images[j * 784 + p] / 255;
      labels[b] = train.labels[j];
    }
    adam.learningRate = 1e-3 * lib.cosineSchedule(step, opt.epochs * steps, 1, 0);
    const loss = adam.minimize(() => {
      const x = tf.tensor4d(pixels, [opt.batch, 28, 28, 1]);
      const logits = classifier.apply(backbone.apply(x, { training: true }));
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(labels, 'int32'), 10), logits);
    }, true);
    lossSum += loss.dataSync()[0];
    loss.dispose();
    step++;
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`epoch ${epoch + 1}/${opt.epochs}  loss ${(lossSum / steps).toFixed(4)}  ${((epoch + 1) * steps * opt.batch / seconds).toFixed(0)} img/s`);
}
const encode = (x) => backbone.apply(x, { training: false });
const eTrain = lib.embedDataset(train, encode), eTest = lib.embedDataset(test, encode);
const knn = lib.weightedKnnAccuracy(eTrain, train.labels, eTest, test.labels);
// The same kNN on the representation whitened without labels (as `contrastive eval --whiten`).
const whitening = lib.fitWhitening(eTrain);
const whitenedKnn = lib.weightedKnnAccuracy(whitening.transform(eTrain), train.labels, whitening.transform(eTest), test.labels);
const probe = lib.trainLinearProbe(eTrain, train.labels, { epochs: 30 });
const probeTop1 = probe.accuracy(eTest, test.labels);
probe.dispose();
const logits = lib.embedDataset(test, (x) => classifier.apply(backbone.apply(x, { training: false })));
let hit = 0;
for (let i = 0; i < test.size; i++) {
  let best = 0;
  for (let c = 1; c < 10; c++) if (logits.values[i * 10 + c] > logits.values[i * 10 + best]) best = c;
  if (best === test.labels[i]) hit++;
}
console.log(JSON.stringify({
  encoder: `cnnBackbone ${opt.pooling}`, epochs: opt.epochs, knnTop1: knn, whitenedKnnTop1: whitenedKnn, linearProbeTop1: probeTop1, classifierTop1: hit / test.size, n: test.size,
  trainSeconds: Math.round((performance.now() - t0) / 1000),
}));
