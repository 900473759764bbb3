#!/usr/bin/env node
/**
 * Does a training step slow the next inference? The MiniLM-L6-sized encoder (bench/transformer-speed.mjs's
 * random weights and inputs, 32 x 64 tokens, 2 threads): `embed` timed before any step, right after
 * each of 5 MNRL + AdamW steps, once more after it, and repeated after the steps; medians.
 * (transformer-speed.mjs times inference between training steps and PyTorch's runs, and reads
 * slower than transformer-infer-profile.mjs, which alternates with onnxruntime-node only.)
 *
 *   npm run build && node bench/infer-after-step.mjs
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.env.CONTRASTIVE_THREADS = '2';
const lib = await import(join(root, 'dist/node.js'));
await tf.setBackend('native');
lib.setNativeThreads(2);
const model = lib.loadHfBert(join(root, 'bench/results/minilm-l6-random'), { pooling: 'mean', tokenizer: false, seed: 1 }).model;
const method = new lib.MNRL({ backbone: model, scale: 20 });
const B = 32, L = 64;
const ids = (s) => Int32Array.from({ length: B * L }, (_, i) => (i % L === 0 ? 101 : 1000 + (((i + s) * 7919) % 29000)));
const view = (s) => ({ input_ids: tf.tensor2d(ids(s), [B, L], 'int32'), attention_mask: tf.ones([B, L], 'int32') });
const a = view(0), p = view(17);
const opt = new lib.ResumableAdamW(2e-5, 0.01, 0.9, 0.999, 1e-8);
const infer = () => { const t = performance.now(); const e = method.embed(a); e.dataSync(); e.dispose(); return performance.now() - t; };
const med = (xs) => xs.slice().sort((x, y) => x - y)[xs.length >> 1];
for (let i = 0; i < 3; i++) infer();
const before = []; for (let i = 0; i < 7; i++) before.push(infer());
console.log('before any step: median', med(before).toFixed(1), before.map((x) => x.toFixed(0)).join(' '), 'gradientDepth', tf.engine().state.gradientDepth);
const afterStep = [], afterSecond = [];
for (let r = 0; r < 5; r++) {
  method.trainStep({ size: B, views: [a, p] }, opt);
  afterStep.push(infer());
  afterSecond.push(infer());
}
console.log('right after a step: median', med(afterStep).toFixed(1), afterStep.map((x) => x.toFixed(0)).join(' '));
console.log('second infer after it: median', med(afterSecond).toFixed(1), afterSecond.map((x) => x.toFixed(0)).join(' '), 'gradientDepth', tf.engine().state.gradientDepth);
const steady = []; for (let i = 0; i < 7; i++) steady.push(infer());
console.log('after steps, repeated: median', med(steady).toFixed(1));
