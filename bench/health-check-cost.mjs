/**
 * What the trainer's per-step numerical-health check costs: the L2 norm of the trainable weights
 * (one fused reduction, read back) beside a training step of the default run (SimCLR, the flatten
 * CNN, batch 256), medians of 7 in one process.   node bench/health-check-cost.mjs
 */
import * as tf from '@tensorflow/tfjs-core';
import '../dist/backend/register.js';
import { buildRunMethod } from '../dist/train/run.js';
import { imageLoader } from '../dist/data/image-source.js';
import { loadFashionMnist } from '../dist/data/fashion-mnist.js';
import { subset } from '../dist/data/image-dataset.js';
import { simclrViews } from '../dist/augment/presets/simclr.js';
import { disposeBatch } from '../dist/data/batch.js';
const m = buildRunMethod({ dataset: 'fashion-mnist', input: { kind: 'image', height: 28, width: 28, channels: 1 }, method: 'simclr', backbone: 'cnn', seed: 0, pooling: 'flatten', widths: [32, 64, 128], embeddingDim: 256, temperature: 0.2, cropScale: 0.8 });
const data = subset(loadFashionMnist(), Array.from({ length: 256 }, (_, i) => i));
const loader = imageLoader(data, simclrViews());
const opt = tf.train.adam(1e-3);
const vars = m.trainableVariables();
const norm = () => { const t = tf.tidy(() => tf.addN(vars.map((v) => tf.sum(tf.square(v))))); const x = t.dataSync()[0]; t.dispose(); return x; };
const step = [], nrm = [];
for (let r = 0; r < 7; r++) {
  const b = loader.batch(Int32Array.from({ length: 256 }, (_, i) => i), r, { labels: false });
  let t0 = performance.now(); m.trainStep(b, opt); step.push(performance.now() - t0); disposeBatch(b);
  t0 = performance.now(); for (let k = 0; k < 10; k++) norm(); nrm.push((performance.now() - t0) / 10);
}
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
console.log(`backend ${tf.getBackend()}, ${vars.reduce((s, v) => s + v.size, 0)} trainable weights: train step (batch 256) median ${med(step).toFixed(1)} ms, weight-norm check median ${med(nrm).toFixed(2)} ms (${(100 * med(nrm) / med(step)).toFixed(2)}% of a step)`);
