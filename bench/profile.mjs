#!/usr/bin/env node
/**
 * Where the time of a SimCLR step goes, kernel by kernel: the list to pick the next kernel to
 * optimise from.
 *
 *   node bench/profile.mjs [--backend native|cpu] [--model cnn|mlp|both] [--batch N] [--steps N]
 *                          [--warmup N] [--threads N] [--json PATH]
 *
 * Every kernel registered for the backend is replaced by a wrapper that times its kernelFunc
 * (tf.getKernelsForBackend, unregisterKernel, registerKernel), then `--steps` SimCLR steps (the
 * step of bench/cases.mjs: both views forward, NT-Xent, backward, SGD momentum) run after
 * `--warmup` untimed ones. The table lists each kernel's calls, total ms, ms per call and share of
 * the steps' wall time; the last row is the time outside kernels (engine, gradient tape, layers, JS).
 * Kernels that call other kernels directly (not through the engine) count as one: the time is the
 * outer kernel's. Defaults: native, both models, batch 256 (cnn) / 512 (mlp), 1 step, 1 warm-up.
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { setupStep } from './cases.mjs';
import { loadLibrary } from './library.mjs';

const DEFAULT_BATCH = { cnn: 256, mlp: 512 };

function parseArgs(argv) {
  const opt = { backend: 'native', model: 'both', batch: 0, steps: 1, warmup: 1, threads: 0, json: null };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in opt)) throw new Error(`profile: unknown option ${argv[i]} (see the comment at the top of bench/profile.mjs)`);
    opt[key] = ['backend', 'model', 'json'].includes(key) ? argv[i + 1] : Number(argv[i + 1]);
  }
  if (!['cnn', 'mlp', 'both'].includes(opt.model)) throw new Error(`profile: --model must be cnn, mlp or both, received ${opt.model}`);
  return opt;
}

/**
 * Replaces every kernel of `backend` by a timing wrapper; returns the statistics map (name ->
 * {calls, ms}) and a function that restores the original kernels.
 */
function instrumentKernels(backend) {
  const stats = new Map();
  const originals = tf.getKernelsForBackend(backend);
  for (const config of originals) {
    const { kernelName, kernelFunc } = config;
    const entry = { calls: 0, ms: 0 };
    stats.set(kernelName, entry);
    const timed = (args) => {
      const t = performance.now();
      const out = kernelFunc(args);
      entry.ms += performance.now() - t;
      entry.calls++;
      return out;
    };
    tf.unregisterKernel(kernelName, backend);
    tf.registerKernel({ ...config, kernelFunc: timed });
  }
  const restore = () => {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, backend);
      tf.registerKernel(config);
    }
  };
  return { stats, restore };
}

function profileModel(lib, model, opt) {
  const batch = opt.batch || DEFAULT_BATCH[model];
  const { fn, dispose } = setupStep(lib, model, batch);
  for (let i = 0; i < opt.warmup; i++) fn();
  const { stats, restore } = instrumentKernels(opt.backend);
  const t = performance.now();
  for (let i = 0; i < opt.steps; i++) fn();
  const wallMs = performance.now() - t;
  restore();
  dispose();

  const rows = [...stats.entries()]
    .filter(([, s]) => s.calls > 0)
    .map(([name, s]) => ({ kernel: name, calls: s.calls / opt.steps, ms: s.ms / opt.steps }))
    .sort((a, b) => b.ms - a.ms);
  const stepMs = wallMs / opt.steps;
  const inKernels = rows.reduce((a, r) => a + r.ms, 0);
  rows.push({ kernel: '(outside kernels: engine, tape, layers, JS)', calls: 0, ms: stepMs - inKernels });

  console.log(`\n${model} step on ${opt.backend}, batch ${batch} (2 x ${batch} views), ${lib.nativeBackendInfo().threads} native threads: ` +
    `${stepMs.toFixed(1)} ms per step, mean of ${opt.steps} after ${opt.warmup} warm-up`);
  const w = Math.max(...rows.map((r) => r.kernel.length));
  console.log(`${'kernel'.padEnd(w)}  calls/step  ms/step   ms/call   share`);
  for (const r of rows) {
    const perCall = r.calls ? (r.ms / r.calls).toFixed(3).padStart(9) : ''.padStart(9);
    console.log(`${r.kernel.padEnd(w)}  ${String(r.calls || '').padStart(10)}  ${r.ms.toFixed(1).padStart(7)}  ${perCall}  ${((100 * r.ms) / stepMs).toFixed(1).padStart(5)}%`);
  }
  return { model, backend: opt.backend, batch, steps: opt.steps, warmup: opt.warmup, step_ms: stepMs, kernels: rows };
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const lib = await loadLibrary();
  if (opt.threads) lib.setNativeThreads(opt.threads);
  await tf.setBackend(opt.backend);
  if (tf.getBackend() !== opt.backend) throw new Error(`backend ${opt.backend} is not available`);
  const models = opt.model === 'both' ? ['cnn', 'mlp'] : [opt.model];
  const results = models.map((m) => profileModel(lib, m, opt));
  if (opt.json) {
    writeFileSync(opt.json, `${JSON.stringify({ date: new Date().toISOString(), threads: lib.nativeBackendInfo().threads, results }, null, 2)}\n`);
    console.log(`\nJSON: ${opt.json}`);
  }
}

main().catch((e) => {
  console.error(`profile: ${e.message}`);
  process.exit(1);
});
