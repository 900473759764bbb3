#!/usr/bin/env node
/**
 * The AdamW update alone over the MiniLM-L6 variable set (the minilm-l6 preset's trainable weights,
 * ~22.6M in ~100 variables; lr 2e-5, weight decay 0.01, eps 1e-8 as bench/transformer-speed.mjs),
 * side by side in one run on the `native` backend:
 *
 * - tfjs: ResumableAdamW with `fused = false` (tfjs's AdamOptimizer: ~12 elementwise kernels per
 *   variable, after the decay's multiply);
 * - fused: one ContrastiveAdamUpdate kernel per variable, in place (the default once the buffers are
 *   the backend's own);
 * - fused-copy: the same kernel forced to write three new (pool-recycled) buffers per variable.
 *
 * Each contender has its own optimizer (its own moments) on the same variables and gradients; the
 * order of the contenders rotates every repetition; medians and ratios to tfjs are printed.
 * Alone, tfjs's ~12 temporaries per variable come back warm from the buffer pool each repetition,
 * so this understates its cost inside a training step, where the activations evict them (quiet
 * machine, 2 threads: 68 ms here against 1.3 s in bench/transformer-speed.mjs --adam-unfused's
 * profiled step; fused 15-18 ms here, 19-47 ms there).
 *
 *   npm run build && node bench/adam-speed.mjs [--threads 2] [--reps 7] [--warmup 2]
 */
import { loadLibrary } from './library.mjs';
import { median } from './timing.mjs';

function parseArgs(argv) {
  const opt = { threads: 2, reps: 7, warmup: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], key = a.replace(/^--/, '');
    if (!(key in opt)) throw new Error(`unknown option ${a} (usage: node bench/adam-speed.mjs [--threads 2] [--reps 7] [--warmup 2])`);
    const v = Number(argv[++i]);
    if (!Number.isInteger(v) || v < (key === 'warmup' ? 0 : 1)) throw new Error(`${a} expects an integer, received ${argv[i]}`);
    opt[key] = v;
  }
  return opt;
}


const opt = parseArgs(process.argv.slice(2));
process.env.CONTRASTIVE_THREADS = String(opt.threads);
const lib = await loadLibrary();
const tf = await import('@tensorflow/tfjs-core');
await tf.setBackend('native');
lib.setNativeThreads(opt.threads);

const model = lib.transformerEncoder(lib.transformerPreset('minilm-l6', { seed: 1 }));
const vars = Object.values(tf.engine().registeredVariables).filter((v) => v.trainable);
const params = vars.reduce((n, v) => n + v.size, 0);
const grads = Object.fromEntries(vars.map((v, i) => [v.name, tf.randomNormal(v.shape, 0, 1e-3, 'float32', i + 1)]));
console.log(`${vars.length} variables, ${params.toLocaleString('en-US')} weights (${(params / 1e6).toFixed(1)}M), threads ${opt.threads}`);

// fused-copy: the kernel's `overwrite` attribute turned off, for this contender only.
const engine = tf.engine();
const runKernel = engine.runKernel.bind(engine);
let forceCopy = false;
engine.runKernel = (name, inputs, attrs) => runKernel(name, inputs, forceCopy && name === 'ContrastiveAdamUpdate' ? { ...attrs, overwrite: false } : attrs);

const make = (fused) => {
  const o = new lib.ResumableAdamW(2e-5, 0.01, 0.9, 0.999, 1e-8);
  o.fused = fused;
  return o;
};
const contenders = [
  { name: 'tfjs', opt: make(false), copy: false, ms: [] },
  { name: 'fused', opt: make(true), copy: false, ms: [] },
  { name: 'fused-copy', opt: make(true), copy: true, ms: [] },
];

for (let r = 0; r < opt.warmup + opt.reps; r++) {
  const order = contenders.map((_, i) => contenders[(i + r) % contenders.length]);
  for (const c of order) {
    forceCopy = c.copy;
    const before = tf.memory().numTensors;
    const t = performance.now();
    c.opt.applyGradients(grads);
    const ms = performance.now() - t;
    forceCopy = false;
    if (r > 0 && tf.memory().numTensors !== before) throw new Error(`${c.name} leaked ${tf.memory().numTensors - before} tensors`);
    if (r >= opt.warmup) c.ms.push(ms);
    await new Promise((res) => setTimeout(res, 30));
  }
}

const base = median(contenders[0].ms);
for (const c of contenders) {
  const m = median(c.ms);
  console.log(`${c.name.padEnd(11)} median ${m.toFixed(1).padStart(7)} ms  (min ${Math.min(...c.ms).toFixed(1)}, max ${Math.max(...c.ms).toFixed(1)}, ${c.ms.length} reps)  tfjs / this = ${(base / m).toFixed(2)}x`);
}
for (const c of contenders) c.opt.dispose();
tf.dispose(Object.values(grads));
model.dispose?.();
