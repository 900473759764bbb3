/**
 * The MiniLM-L6-sized transformer (hidden 384, 6 layers, 12 heads, intermediate 1536, vocab
 * 30522, random weights) on the native backend: an inference forward of 32 x 64 tokens, and an MNRL
 * training step on 32 (anchor, positive) pairs of 64 tokens with Adam; medians of `--reps` (5)
 * after one warm-up, with the kernels' share of one training step (tf.profile).
 *
 *   npm run build && node bench/transformer-step.mjs [--reps 5]
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadLibrary } from './library.mjs';

await loadLibrary();
const lib = await import(new URL('../dist/index.js', import.meta.url).href);
const REPS = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 5;
const B = 32, L = 64;
const backbone = lib.transformerEncoder(lib.transformerPreset('minilm-l6', { seed: 1 }));
const method = new lib.MNRL({ backbone });
const ids = () => tf.tensor2d(Int32Array.from({ length: B * L }, (_, i) => (i % L === 0 ? 101 : 1000 + ((i * 7919) % 29000))), [B, L], 'int32');
const view = () => ({ input_ids: ids(), attention_mask: tf.ones([B, L], 'int32') });
const opt = tf.train.adam(1e-4);
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
const fwd = [], step = [];
for (let r = 0; r <= REPS; r++) {
  const v = view();
  let t0 = performance.now();
  const e = method.embed(v);
  e.dataSync();
  const tf1 = performance.now() - t0;
  e.dispose();
  const batch = lib.makeBatch([view(), view()]);
  t0 = performance.now();
  method.trainStep(batch, opt);
  const ts = performance.now() - t0;
  tf.dispose([...Object.values(v), ...batch.views.flatMap((x) => Object.values(x))]);
  if (r > 0) { fwd.push(tf1); step.push(ts); }
}
console.log(`backend ${tf.getBackend()}, ${backbone.countParams().toLocaleString('en-US')} parameters, batch ${B} x ${L} tokens`);
console.log(`inference forward: median ${med(fwd).toFixed(0)} ms (${fwd.map((x) => x.toFixed(0)).join(' ')}) = ${(B / (med(fwd) / 1000)).toFixed(1)} sequences/s`);
console.log(`MNRL training step (32 pairs, Adam): median ${med(step).toFixed(0)} ms (${step.map((x) => x.toFixed(0)).join(' ')})`);
const v1 = view(), v2 = view();
const prof = await tf.profile(() => { method.trainStep({ size: B, views: [v1, v2] }, opt); });
const byKernel = new Map();
for (const k of prof.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + k.kernelTimeMs);
const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
console.log('kernel shares of one step: ' + [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([n, t]) => `${n} ${(100 * t / total).toFixed(1)}%`).join(', '));
