#!/usr/bin/env node
/**
 * The cases of the speed protocol (/BENCHMARKS.md), one function each, measured on one tfjs backend.
 *
 * Run by bench/run.mjs, one child process per (case, backend) so that every measurement starts from
 * a fresh tfjs engine and can be stopped at a time limit:
 *
 *   node bench/cases.mjs <case> --backend native|cpu [--threads N] [--warmup W] [--reps R] [--budget S]
 *
 * It prints JSON lines on stdout: {"sample_ms": x} after each timed repetition (so a run killed at
 * its time limit still reports what it measured), then {"result": {...}}.
 *
 * Cases (the timed region is exactly one call of the function returned by `setup`):
 *   sgemm        tf.matMul of two [1024, 1024] float32 matrices
 *   conv_fwd     tf.conv2d x [64, 32, 32, 64] (NHWC), w [3, 3, 64, 64], stride 1, 'same'
 *   conv_fwdbwd  the same conv2d forward, then the gradients with respect to x and w for dy = 1
 *   cnn_step     one SimCLR step on the small CNN, batch 256 (2 x 256 views of 28x28x1)
 *   mlp_step     one SimCLR step on the MLP, batch 512 (2 x 512 views of 784)
 * A SimCLR step = forward of both views (batch norm in training mode), NT-Xent (T = 0.5), backward,
 * SGD with momentum 0.9 (lr 0.1); the views are made before the timer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { pathToFileURL } from 'node:url';
import { loadLibrary } from './library.mjs';
import { MODELS } from './models.mjs';
import { repeat, summarize } from './timing.mjs';

/** SimCLR step settings shared with bench/torch_ref.py. */
export const STEP = Object.freeze({ temperature: 0.5, learningRate: 0.1, momentum: 0.9 });

/** Every case: a label for the table, what one call processes, and its setup. */
export const CASES = {
  sgemm: { label: 'sgemm 1024^3', setup: setupSgemm, flops: 2 * 1024 ** 3 },
  conv_fwd: { label: 'conv2d 3x3 b64 32x32 64->64 fwd', setup: (ctx) => setupConv(ctx, false), flops: convFlops() },
  conv_fwdbwd: { label: 'conv2d 3x3 b64 32x32 64->64 fwd+bwd', setup: (ctx) => setupConv(ctx, true), flops: 3 * convFlops() },
  cnn_step: { label: 'SimCLR step, small CNN, 256 images', setup: (ctx) => setupStep(ctx, 'cnn', 256), images: 256 },
  mlp_step: { label: 'SimCLR step, MLP, 512 images', setup: (ctx) => setupStep(ctx, 'mlp', 512), images: 512 },
};

/** Multiply-adds x 2 of the conv2d case's forward pass (each gradient costs the same again). */
function convFlops() {
  return 2 * 64 * 32 * 32 * 64 * 64 * 9;
}

/**
 * sgemm. tf.matMul on cpu/native runs the kernel before it returns (the engine calls the kernel
 * function synchronously and stores its output array), so the timed call needs no dataSync. The
 * setup checks that claim once: the output's values must already sit in the backend's storage and
 * one element must equal the dot product computed here.
 */
function setupSgemm() {
  const n = 1024;
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  const c = tf.matMul(a, b);
  const stored = tf.backend().data.get(c.dataId)?.values;
  if (!(stored instanceof Float32Array) || stored.length !== n * n) {
    throw new Error('sgemm: tf.matMul returned before its output was computed; time it with dataSync');
  }
  const [av, bv] = [a.dataSync(), b.dataSync()];
  const i = 517, j = 333;
  let dot = 0;
  for (let k = 0; k < n; k++) dot += av[i * n + k] * bv[k * n + j];
  if (Math.abs(stored[i * n + j] - dot) > 1e-3 * (1 + Math.abs(dot))) {
    throw new Error(`sgemm: wrong result at (${i}, ${j}): ${stored[i * n + j]} vs ${dot}`);
  }
  c.dispose();
  return {
    fn: () => tf.matMul(a, b).dispose(),
    dispose: () => tf.dispose([a, b]),
    notes: { synchronous_checked: true },
  };
}

/** conv2d forward, or forward and both gradients (Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter). */
function setupConv(_ctx, backward) {
  const x = tf.randomUniform([64, 32, 32, 64], -1, 1, 'float32', 3); // [B, H, W, Cin]
  const w = tf.randomUniform([3, 3, 64, 64], -0.1, 0.1, 'float32', 4); // [kh, kw, Cin, Cout]
  const dy = tf.ones([64, 32, 32, 64]); // [B, H, W, Cout]
  const conv = (xi, wi) => tf.conv2d(xi, wi, 1, 'same');
  const gradients = tf.grads(conv);
  return {
    fn: backward ? () => tf.dispose(gradients([x, w], dy)) : () => conv(x, w).dispose(),
    dispose: () => tf.dispose([x, w, dy]),
    notes: { layout: 'NHWC' },
  };
}

/**
 * One SimCLR training step on `modelName` ('cnn' or 'mlp') with `batch` images; `lib` is the
 * package (for ntXentLoss). Also used by bench/profile.mjs.
 */
export function setupStep({ ntXentLoss }, modelName, batch) {
  const { build, inputShape } = MODELS[modelName];
  const model = build();
  // Two views of `batch` images, uniform in [0, 1) (the pixel values do not change the speed).
  const view1 = tf.randomUniform([batch, ...inputShape], 0, 1, 'float32', 5);
  const view2 = tf.randomUniform([batch, ...inputShape], 0, 1, 'float32', 6);
  const optimizer = tf.train.momentum(STEP.learningRate, STEP.momentum);
  const step = () => {
    const loss = optimizer.minimize(() => {
      const z1 = model.apply(view1, { training: true }); // [B, 64]
      const z2 = model.apply(view2, { training: true }); // [B, 64]
      return ntXentLoss(z1, z2, { temperature: STEP.temperature });
    }, true);
    if (!Number.isFinite(loss.dataSync()[0])) throw new Error(`${modelName} step: the loss is not finite`);
    loss.dispose();
  };
  return {
    fn: step,
    dispose: () => {
      tf.dispose([view1, view2]);
      optimizer.dispose();
      model.dispose();
    },
    notes: { params: trainableParams(model), batch, views: 2 * batch },
  };
}

/** Number of trainable parameters (what torch's sum(p.numel() for p in model.parameters()) counts). */
function trainableParams(model) {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * Measures one case on one backend in this process.
 * @returns the summary of timing.mjs plus GFLOP/s or images/s, the backend and thread count
 */
export async function measureCase(caseId, { backend, threads, warmup, reps, budgetS, onSample }) {
  const spec = CASES[caseId];
  if (!spec) throw new Error(`unknown case ${caseId}; known: ${Object.keys(CASES).join(', ')}`);
  const lib = await loadLibrary();
  if (threads) lib.setNativeThreads(threads);
  await tf.setBackend(backend);
  if (tf.getBackend() !== backend) throw new Error(`backend ${backend} is not available`);
  const { fn, dispose, notes } = spec.setup(lib);
  // Live tensors after each timed call: constant unless the case leaks (the first calls may create
  // state, e.g. the optimizer's momentum accumulators).
  const tensors = [];
  const { samples, warmup: warmed } = repeat(fn, {
    warmup,
    reps,
    budgetS,
    onSample: (ms) => {
      tensors.push(tf.memory().numTensors);
      onSample?.(ms);
    },
  });
  const leaked = tensors[tensors.length - 1] - tensors[0];
  dispose();
  const stats = summarize(samples);
  const s = stats.median_ms / 1000;
  return {
    case: caseId,
    backend,
    threads: backend === 'native' ? lib.nativeBackendInfo().threads : 1,
    warmup: warmed,
    ...stats,
    ...(spec.flops ? { gflops: spec.flops / s / 1e9 } : {}),
    ...(spec.images ? { images_per_s: spec.images / s } : {}),
    leaked_tensors_per_call: samples.length > 1 ? leaked / (samples.length - 1) : null,
    max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    notes,
  };
}

/** Command-line entry (see the file comment). */
async function main(argv) {
  const [caseId, ...rest] = argv;
  const opt = { backend: 'native', threads: 0, warmup: 2, reps: 5, budget: 60 };
  for (let i = 0; i < rest.length; i += 2) {
    const key = rest[i].replace(/^--/, '');
    if (!(key in opt)) throw new Error(`cases.mjs: unknown option ${rest[i]}`);
    opt[key] = key === 'backend' ? rest[i + 1] : Number(rest[i + 1]);
  }
  const emit = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const result = await measureCase(caseId, {
    backend: opt.backend,
    threads: opt.threads,
    warmup: opt.warmup,
    reps: opt.reps,
    budgetS: opt.budget,
    onSample: (ms) => emit({ sample_ms: ms }),
  });
  emit({ result });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((e) => {
    process.stdout.write(`${JSON.stringify({ error: e.message })}\n`);
    process.exit(1);
  });
}
