#!/usr/bin/env node
// Elementwise and reduction kernels, native vs tfjs cpu: median (and min) ms of one op call, output
// allocation included (both backends are synchronous: the call does the work). Uses the built
// package: `npm run build && node bench/elementwise.mjs`; CONTRASTIVE_THREADS=1 for one thread,
// ITERS=n for more samples. On a busy machine the medians are noisy (allocation page faults,
// preempted pool threads): compare the mins too.
import * as tf from '@tensorflow/tfjs-core';
import '../dist/backend/register.js';
const cases = [
  ['Add [512,512]+[512]', () => [tf.randomNormal([512, 512]), tf.randomNormal([512])], (a, b) => tf.add(a, b)],
  ['Mul [512,512]*[512]', () => [tf.randomNormal([512, 512]), tf.randomNormal([512])], (a, b) => tf.mul(a, b)],
  ['Add [512,512]+[512,512]', () => [tf.randomNormal([512, 512]), tf.randomNormal([512, 512])], (a, b) => tf.add(a, b)],
  ['Relu 1e6', () => [tf.randomNormal([1e6])], (x) => tf.relu(x)],
  ['Exp 1e6', () => [tf.randomNormal([1e6])], (x) => tf.exp(x)],
  ['Sigmoid 1e6', () => [tf.randomNormal([1e6])], (x) => tf.sigmoid(x)],
  ['Tanh 1e6', () => [tf.randomNormal([1e6])], (x) => tf.tanh(x)],
  ['Sum axis 0 of [1024,512]', () => [tf.randomNormal([1024, 512])], (x) => tf.sum(x, 0)],
  ['Sum last axis of [1024,1024]', () => [tf.randomNormal([1024, 1024])], (x) => tf.sum(x, 1)],
  ['Mean all of [1024,1024]', () => [tf.randomNormal([1024, 1024])], (x) => tf.mean(x)],
  ['Max last axis of [1024,1024]', () => [tf.randomNormal([1024, 1024])], (x) => tf.max(x, 1)],
  ['AddN 4 x 1e6', () => [0, 1, 2, 3].map(() => tf.randomNormal([1e6])), (...xs) => tf.addN(xs)],
];
const iters = Number(process.env.ITERS ?? 40);
function median(ts) { ts.sort((a, b) => a - b); return [ts[ts.length >> 1], ts[0]]; }
function time(backend, make, fn) {
  tf.setBackend(backend);
  const xs = make();
  for (let i = 0; i < 5; i++) tf.dispose(fn(...xs));
  const ts = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    const y = fn(...xs);
    ts.push(performance.now() - t0);
    tf.dispose(y);
  }
  tf.dispose(xs);
  return median(ts);
}
await tf.ready();
console.log(`native threads: ${process.env.CONTRASTIVE_THREADS ?? 'all cores'}; iterations: ${iters}`);
console.log('| op | cpu median (min) ms | native median (min) ms | speed-up of medians |\n|---|---|---|---|');
for (const [name, make, fn] of cases) {
  const [c, cmin] = time('cpu', make, fn), [n, nmin] = time('native', make, fn);
  console.log(`| ${name} | ${c.toFixed(3)} (${cmin.toFixed(3)}) | ${n.toFixed(3)} (${nmin.toFixed(3)}) | ${(c / n).toFixed(1)}x |`);
}
