#!/usr/bin/env node
/**
 * The inference forward of the MiniLM-L6-sized encoder (bench/transformer-speed.mjs's model and
 * inputs: 32 x 64 tokens, random weights from bench/results/minilm-l6-random), ours beside
 * onnxruntime-node, then ours kernel by kernel: where the forward's time goes.
 *
 *   npm run build && node bench/transformer-infer-profile.mjs [--reps 9] [--threads 2] [--no-profile] [--unfused]
 *
 * Repetitions alternate ours / ORT (the order rotated every repetition; with --unfused also ours
 * without the residual-add + LayerNorm and bias + GELU fusions); medians and ratios are printed.
 * The profile wraps every `native` kernel in a timer (as bench/profile.mjs) over 3 forwards and
 * lists each kernel's ms per forward, share of the wall time and calls. Needs onnxruntime-node as
 * transformer-speed.mjs does (/tmp/ort/node_modules/onnxruntime-node).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const reps = opt('--reps', 9), threads = opt('--threads', 2), profile = !args.includes('--no-profile'), unfused = args.includes('--unfused');
process.env.CONTRASTIVE_THREADS = String(threads);
const lib = await import(join(root, 'dist/node.js'));
await tf.setBackend('native');
lib.setNativeThreads(threads);
const modelDir = join(root, 'bench/results/minilm-l6-random');
const model = lib.loadHfBert(modelDir, { pooling: 'mean', tokenizer: false, seed: 1 }).model;
const method = new lib.MNRL({ backbone: model, scale: 20 });
const B = 32, L = 64;
const ids = Int32Array.from({ length: B * L }, (_, i) => (i % L === 0 ? 101 : 1000 + ((i * 7919) % 29000)));
const view = { input_ids: tf.tensor2d(ids, [B, L], 'int32'), attention_mask: tf.ones([B, L], 'int32') };
const ort = createRequire('/tmp/ort/node_modules/onnxruntime-node/package.json')('/tmp/ort/node_modules/onnxruntime-node');
const session = await ort.InferenceSession.create(join(modelDir, 'model.onnx'), { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
const feeds = { input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, (x) => BigInt(x)), [B, L]), attention_mask: new ort.Tensor('int64', new BigInt64Array(B * L).fill(1n), [B, L]) };
const ours = () => {
  const t = performance.now();
  const e = method.embed(view);
  const v = e.dataSync();
  const ms = performance.now() - t;
  e.dispose();
  return [ms, v];
};
const orti = async () => {
  const t = performance.now();
  const o = await session.run(feeds);
  return [performance.now() - t, o.sentence_embedding.data];
};
const [, v1] = ours();
const [, v2] = await orti();
let err = 0;
for (let i = 0; i < v1.length; i++) err = Math.max(err, Math.abs(v1[i] - v2[i]));
console.log(`max abs ours vs ORT ${err.toExponential(2)} over [${B}, 384]`);
// --unfused: a third contestant, ours without the inference fusions of the residual add +
// LayerNorm and of bias + GELU (their kernels unregistered for its forwards, so the ops take the
// Add + LayerNorm and GEMM + Gelu path), in the same rotation: ours-vs-ours on a shared machine.
const fusedKernels = ['ContrastiveAddLayerNorm', 'ContrastiveDenseGelu'].map((n) => tf.getKernel(n, 'native')).filter(Boolean);
const oursUnfused = () => {
  for (const c of fusedKernels) tf.unregisterKernel(c.kernelName, 'native');
  try {
    return ours();
  } finally {
    for (const c of fusedKernels) tf.registerKernel(c);
  }
};
const a = [], b = [], c = [];
const runs = [() => a.push(ours()[0]), async () => b.push((await orti())[0])];
if (unfused) runs.push(() => c.push(oursUnfused()[0]));
if (unfused) oursUnfused();
for (let r = 0; r < reps; r++) {
  await new Promise((s) => setTimeout(s, 30));
  for (let i = 0; i < runs.length; i++) await runs[(r + i) % runs.length]();
}
const med = (x) => x.slice().sort((p, q) => p - q)[x.length >> 1];
console.log(`ours ${med(a).toFixed(1)} ms, ORT ${med(b).toFixed(1)} ms, ORT/ours ${(med(b) / med(a)).toFixed(2)}x (medians of ${reps}; ours ${a.map((x) => x.toFixed(0))}; ORT ${b.map((x) => x.toFixed(0))})`);
if (unfused) console.log(`ours unfused ${med(c).toFixed(1)} ms, unfused/ours ${(med(c) / med(a)).toFixed(2)}x, ORT/unfused ${(med(b) / med(c)).toFixed(2)}x (${c.map((x) => x.toFixed(0))})`);
if (profile) {
  const stats = new Map();
  const originals = tf.getKernelsForBackend('native');
  for (const c of originals) {
    const e = { calls: 0, ms: 0 };
    stats.set(c.kernelName, e);
    const f = c.kernelFunc;
    tf.unregisterKernel(c.kernelName, 'native');
    tf.registerKernel({ ...c, kernelFunc: (x) => { const t = performance.now(); const o = f(x); e.ms += performance.now() - t; e.calls++; return o; } });
  }
  const N = 3;
  let wall = 0;
  for (let r = 0; r < N; r++) wall += ours()[0];
  for (const c of originals) {
    tf.unregisterKernel(c.kernelName, 'native');
    tf.registerKernel(c);
  }
  const rows = [...stats].filter(([, s]) => s.calls).sort((p, q) => q[1].ms - p[1].ms);
  console.log(`profile, ms per forward over ${N} forwards (every kernel timed):`);
  for (const [k, s] of rows.slice(0, 12)) console.log(`  ${k.padEnd(26)} ${(s.ms / N).toFixed(1).padStart(7)} ms ${((100 * s.ms) / wall).toFixed(1).padStart(5)}% ${String(s.calls / N).padStart(4)} calls`);
  const inKernels = rows.reduce((t, [, s]) => t + s.ms, 0);
  console.log(`  ${'(outside kernels)'.padEnd(26)} ${((wall - inKernels) / N).toFixed(1).padStart(7)} ms ${((100 * (wall - inKernels)) / wall).toFixed(1).padStart(5)}%; wall ${(wall / N).toFixed(1)} ms`);
}
tf.dispose(Object.values(view));
process.exit(0);
