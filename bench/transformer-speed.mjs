#!/usr/bin/env node
/**
 * The MiniLM-L6-sized encoder (hidden 384, 6 layers, 12 heads, intermediate 1536, vocab 30522,
 * post-LN, erf GELU, mean pooling, random weights), side by side in one run on the same weights:
 *
 * - ours: the `native` backend, the model loaded from the HF folder with loadHfBert;
 * - PyTorch eager (bench/transformer_torch.py `serve`, a child process driven rep by rep);
 * - onnxruntime-node (inference only) on the same weights exported to ONNX, when installed.
 *
 * Cases: (a) an MNRL training step, 32 (anchor, positive) pairs of 64 tokens, scale 20, dropout 0.1,
 * AdamW (lr 2e-5, weight decay 0.01, eps 1e-8; ours: the library's ResumableAdamW, the decoupled
 * decay applied first, as torch.optim.AdamW); (b) inference of 32 x 64 tokens (eval mode, no gradients). Inputs
 * are made before the timer; our times end when the values are on the CPU (dataSync). Repetitions
 * alternate between the contestants (the order reversed every other repetition, 50 ms pause
 * between cells) so machine noise hits all alike; medians and ratios are reported. Then one step of
 * ours runs with every kernel timed: the top 10 kernels' share of the step's wall time.
 *
 *   npm run build && node bench/transformer-speed.mjs [--threads 2] [--reps 5] [--warmup 1]
 *       [--model DIR] [--python /usr/bin/python3] [--no-torch] [--no-ort] [--ort PATH]
 *       [--no-profile] [--json PATH] [--adam-unfused]
 *
 * --model: the HF BERT folder (config.json, model.safetensors, model.onnx); default
 * bench/results/minilm-l6-random, written by `transformer_torch.py export` when missing.
 * onnxruntime-node is never a dependency: it is looked up in node_modules, then in --ort (default
 * /tmp/ort/node_modules/onnxruntime-node). Install it, outside package.json, with
 *   mkdir -p /tmp/ort && cd /tmp/ort && echo '{"private":true}' > package.json &&
 *   ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save onnxruntime-node@1.31.1
 * (the plain install's post-install script tries to download a CUDA build and fails offline;
 * the CPU binary ships inside the npm package). Also exported: measureTransformerSpeed(opt, log),
 * which `npm run bench` (bench/run.mjs, group `transformer`) calls. --adam-unfused: our AdamW runs
 * tfjs's elementwise kernels (`fused = false`) instead of one fused kernel per variable (to compare).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './timing.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, '..');
const DEFAULT_MODEL = join(root, 'bench', 'results', 'minilm-l6-random');
const DEFAULT_ORT = '/tmp/ort/node_modules/onnxruntime-node';
const B = 32, L = 64, SCALE = 20, LR = 2e-5, WEIGHT_DECAY = 0.01;

/** Model FLOPs (multiply-add = 2) of the matrix products of one forward of B x L tokens. */
function forwardFlops(c) {
  const n = B * L, h = c.hidden_size, i = c.intermediate_size, heads = c.num_attention_heads;
  const dense = 2 * n * h * h * 4 + 2 * 2 * n * h * i;
  const attention = 2 * 2 * B * heads * L * L * (h / heads);
  return c.num_hidden_layers * (dense + attention);
}

function parseArgs(argv) {
  const opt = { threads: 2, reps: 5, warmup: 1, model: DEFAULT_MODEL, python: '/usr/bin/python3', torch: true, ort: true, ortPath: DEFAULT_ORT, profile: true, json: null, adamFused: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} expects a value`);
      return argv[++i];
    };
    if (a === '--threads' || a === '--reps' || a === '--warmup') {
      const v = Number(next());
      if (!Number.isInteger(v) || v < (a === '--warmup' ? 0 : 1)) throw new Error(`${a} expects an integer >= ${a === '--warmup' ? 0 : 1}, received ${argv[i]}`);
      opt[a.slice(2)] = v;
    } else if (a === '--model') opt.model = resolve(next());
    else if (a === '--python') opt.python = next();
    else if (a === '--ort') opt.ortPath = resolve(next());
    else if (a === '--json') opt.json = resolve(next());
    else if (a === '--no-torch') opt.torch = false;
    else if (a === '--no-ort') opt.ort = false;
    else if (a === '--no-profile') opt.profile = false;
    else if (a === '--adam-unfused') opt.adamFused = false;
    else if (a === '--help' || a === '-h') {
      console.log('usage: node bench/transformer-speed.mjs [--threads 2] [--reps 5] [--warmup 1] [--model DIR] [--python PATH] [--no-torch] [--no-ort] [--ort PATH] [--no-profile] [--json PATH] [--adam-unfused]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return opt;
}

const stats = (xs) => (xs.length ? { median_ms: median(xs), min_ms: Math.min(...xs), max_ms: Math.max(...xs), reps: xs.length, samples_ms: xs.map((x) => Math.round(x * 10) / 10) } : null);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const threadEnv = (n) => ({ CONTRASTIVE_THREADS: String(n), OMP_NUM_THREADS: String(n), OPENBLAS_NUM_THREADS: String(n), MKL_NUM_THREADS: String(n) });

/** The PyTorch side: `transformer_torch.py serve`, one command a line, one JSON answer a line. */
class TorchServer {
  constructor(python, model, threads) {
    this.child = spawn(python, [join(benchDir, 'transformer_torch.py'), 'serve', '--model', model, '--threads', String(threads)], {
      cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...threadEnv(threads) },
    });
    this.waiting = [];
    this.stderr = '';
    let buffered = '';
    this.child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        let msg;
        try {
          msg = JSON.parse(line);
        } catch {
          continue;
        }
        this.waiting.shift()?.resolve(msg);
      }
    });
    this.child.stderr.on('data', (c) => (this.stderr += c));
    const fail = (why) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(why));
    };
    this.child.on('error', (e) => fail(e.code === 'ENOENT' ? `${python} not found` : e.message));
    this.child.on('close', (code) => fail(`PyTorch exited (${code}): ${this.stderr.trim().split('\n').slice(-2).join(' | ')}`));
    this.ready = this.next();
  }

  next() {
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  async run(cmd) {
    const answer = this.next();
    this.child.stdin.write(`${cmd}\n`);
    const msg = await answer;
    if (msg.error) throw new Error(msg.error);
    return msg;
  }

  close() {
    if (this.child.exitCode === null) this.child.stdin.end('quit\n');
  }
}

/** onnxruntime-node from node_modules or `path`, or why not. */
async function loadOrt(path) {
  const tries = [];
  try {
    return { ort: await import('onnxruntime-node'), from: 'node_modules' };
  } catch (e) {
    tries.push(`node_modules: ${e.code ?? e.message}`);
  }
  if (existsSync(path)) {
    try {
      return { ort: createRequire(join(path, 'package.json'))(path), from: path };
    } catch (e) {
      tries.push(`${path}: ${e.message.split('\n')[0]}`);
    }
  } else tries.push(`${path}: absent`);
  return { ort: null, reason: `onnxruntime-node not installed (${tries.join('; ')}); see the comment at the top of bench/transformer-speed.mjs` };
}

/** Replaces every kernel of `backend` by a timing wrapper (as bench/profile.mjs). */
function instrumentKernels(tf, backend) {
  const stats = new Map();
  const originals = tf.getKernelsForBackend(backend);
  for (const config of originals) {
    const entry = { calls: 0, ms: 0 };
    stats.set(config.kernelName, entry);
    const { kernelFunc } = config;
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const t = performance.now();
        const out = kernelFunc(args);
        entry.ms += performance.now() - t;
        entry.calls++;
        return out;
      },
    });
  }
  return {
    stats,
    restore() {
      for (const config of originals) {
        tf.unregisterKernel(config.kernelName, backend);
        tf.registerKernel(config);
      }
    },
  };
}

/** Writes the random-weight model folder with PyTorch when it is missing; returns null or why not. */
function ensureModel(opt, log) {
  const files = ['config.json', 'model.safetensors', 'model.onnx'];
  if (files.every((f) => existsSync(join(opt.model, f)))) return null;
  if (!opt.torch) return `${opt.model} lacks ${files.filter((f) => !existsSync(join(opt.model, f))).join(', ')} and --no-torch forbids writing it`;
  log(`writing the random-weight model to ${opt.model} (transformer_torch.py export) ...`);
  const r = spawnSync(opt.python, [join(benchDir, 'transformer_torch.py'), 'export', opt.model], { cwd: root, encoding: 'utf8', env: { ...process.env, ...threadEnv(opt.threads) } });
  if (r.status !== 0) return `transformer_torch.py export failed: ${(r.error?.message ?? r.stderr ?? '').trim().split('\n').slice(-2).join(' | ')}`;
  return null;
}

export async function runTransformerSpeed(opt, log = (m) => console.error(`[transformer] ${m}`)) {
  process.env.CONTRASTIVE_THREADS = String(opt.threads);
  const { loadLibrary, loadAddon } = await import('./library.mjs');
  const { describeMachine, FLOPS_PER_CYCLE } = await import('./machine.mjs');
  const lib = await loadLibrary();
  const { addon, addonLoadError } = await loadAddon();
  if (!addon) throw new Error(`the native addon did not load (${addonLoadError}); run \`npm run build:addon\``);
  const tf = await import('@tensorflow/tfjs-core');
  await tf.setBackend('native');
  lib.setNativeThreads(opt.threads);
  const info = lib.nativeBackendInfo();
  const machine = describeMachine();
  const used = Math.min(opt.threads, machine.cores);
  const peak = { measured_gflops: addon?.peakGflops(1.0) ?? null, nominal_gflops: machine.mhz ? used * (machine.mhz / 1000) * FLOPS_PER_CYCLE : null };

  // ---- the model: the same weights on every side
  let torchReason = opt.torch ? null : '--no-torch';
  const modelProblem = ensureModel(opt, log);
  let model, config, weightsFrom;
  if (modelProblem) {
    log(`no shared model: ${modelProblem}; ours runs the minilm-l6 preset with its own random weights`);
    torchReason ??= modelProblem;
    model = lib.transformerEncoder(lib.transformerPreset('minilm-l6', { seed: 1 }));
    config = { hidden_size: 384, intermediate_size: 1536, num_attention_heads: 12, num_hidden_layers: 6 };
    weightsFrom = 'the minilm-l6 preset, seed 1 (no shared folder)';
  } else {
    config = JSON.parse(readFileSync(join(opt.model, 'config.json'), 'utf8'));
    model = lib.loadHfBert(opt.model, { pooling: 'mean', tokenizer: false, seed: 1 }).model;
    weightsFrom = opt.model;
  }
  const params = model.countParams();
  const method = new lib.MNRL({ backbone: model, scale: SCALE });

  // Token ids as transformer_torch.py's token_ids(shift): [CLS] then 1000 + ((i + shift) * 7919) % 29000.
  const ids = (shift) => Int32Array.from({ length: B * L }, (_, i) => (i % L === 0 ? 101 : 1000 + (((i + shift) * 7919) % 29000)));
  const view = (shift) => ({ input_ids: tf.tensor2d(ids(shift), [B, L], 'int32'), attention_mask: tf.ones([B, L], 'int32') });
  const anchor = view(0), positive = view(17);
  const batch = { size: B, views: [anchor, positive] };

  // AdamW: the library's (the decoupled decay w <- w (1 - lr wd) first, then Adam: torch.optim.AdamW's order;
  // only weights of rank >= 2 decay, as BERT's recipe), timed around its update.
  class TimedAdamW extends lib.ResumableAdamW {
    applyGradients(grads) {
      const t = performance.now();
      super.applyGradients(grads);
      this.lastMs = performance.now() - t;
    }
  }
  const optimizer = new TimedAdamW(LR, WEIGHT_DECAY, 0.9, 0.999, 1e-8);
  optimizer.fused = opt.adamFused !== false;

  let lastOurs = null;
  const ours = {
    step: () => {
      const t = performance.now();
      const loss = method.trainStep(batch, optimizer);
      return { ms: performance.now() - t, value: loss };
    },
    infer: () => {
      const t = performance.now();
      const e = method.embed(anchor);
      const values = e.dataSync();
      const ms = performance.now() - t;
      lastOurs = values.slice();
      e.dispose();
      return { ms, value: values[0] };
    },
  };

  // ---- PyTorch
  let torch = null, torchInfo = null;
  if (!torchReason) {
    log('starting PyTorch (transformer_torch.py serve) ...');
    torch = new TorchServer(opt.python, opt.model, opt.threads);
    try {
      torchInfo = (await torch.ready).ready;
      if (!torchInfo) throw new Error('no ready line');
      log(`PyTorch ${torchInfo.torch}, ${torchInfo.threads} threads, torch.mm 1024^3 ${torchInfo.mm_gflops.toFixed(0)} GFLOP/s${torchInfo.mm_gflops < 100 ? ' (WARNING: below 100: a loaded machine or netlib BLAS)' : ''}, ${torchInfo.params.toLocaleString('en-US')} parameters (ours ${params.toLocaleString('en-US')})`);
    } catch (e) {
      torchReason = e.message;
      torch.close();
      torch = null;
    }
  }

  // ---- onnxruntime-node
  let ortReason = opt.ort ? null : '--no-ort';
  let session = null, ortFrom = null, ortVersion = null, lastOrt = null, feeds = null;
  if (!ortReason && modelProblem) ortReason = `no model.onnx (${modelProblem})`;
  if (!ortReason) {
    const loaded = await loadOrt(opt.ortPath);
    if (!loaded.ort) ortReason = loaded.reason;
    else {
      const ort = loaded.ort.default ?? loaded.ort;
      ortFrom = loaded.from;
      ortVersion = ort.env?.versions?.node ?? null;
      try {
        session = await ort.InferenceSession.create(join(opt.model, 'model.onnx'), { intraOpNumThreads: opt.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
        const i64 = (a) => BigInt64Array.from(a, (x) => BigInt(x));
        feeds = { input_ids: new ort.Tensor('int64', i64(ids(0)), [B, L]), attention_mask: new ort.Tensor('int64', new BigInt64Array(B * L).fill(1n), [B, L]) };
        log(`onnxruntime-node ${ortVersion} from ${ortFrom}, ${opt.threads} intra-op threads, graph optimisation 'all'`);
      } catch (e) {
        ortReason = `onnxruntime-node failed: ${e.message.split('\n')[0]}`;
        session = null;
      }
    }
  }
  const ortInfer = async () => {
    const t = performance.now();
    const out = await session.run(feeds);
    const ms = performance.now() - t;
    lastOrt = out.sentence_embedding.data;
    return { ms, value: lastOrt[0] };
  };

  // Same weights, same inputs: the inference outputs agree before any step changes the weights?
  const agreement = {};
  {
    const first = ours.infer();
    if (session) {
      const o = await ortInfer();
      agreement.ours_vs_ort_max_abs = lastOurs.reduce((m, v, i) => Math.max(m, Math.abs(v - lastOrt[i])), 0);
      agreement.ort_ms_first = o.ms;
    }
    if (torch) {
      const head = (await torch.run('infer')).value;
      agreement.ours_vs_torch_max_abs_row0_head = head.reduce((m, v, i) => Math.max(m, Math.abs(v - lastOurs[i])), 0);
    }
    agreement.ours_ms_first = first.ms;
    log(`same weights check (before any step): ours vs ORT max abs ${agreement.ours_vs_ort_max_abs?.toExponential(2) ?? 'n/a'} over [${B}, ${config.hidden_size}], ours vs PyTorch ${agreement.ours_vs_torch_max_abs_row0_head?.toExponential(2) ?? 'n/a'} over row 0's first 8 values`);
  }

  // ---- the cells, alternated
  const cells = [
    { key: 'ours_step', run: async () => ours.step() },
    ...(torch ? [{ key: 'torch_step', run: () => torch.run('step') }] : []),
    { key: 'ours_infer', run: async () => ours.infer() },
    ...(torch ? [{ key: 'torch_infer', run: () => torch.run('infer') }] : []),
    ...(session ? [{ key: 'ort_infer', run: ortInfer }] : []),
  ];
  const samples = Object.fromEntries(cells.map((c) => [c.key, []]));
  const values = Object.fromEntries(cells.map((c) => [c.key, []]));
  for (let r = -opt.warmup; r < opt.reps; r++) {
    const order = (r + opt.warmup) % 2 ? cells.slice().reverse() : cells;
    const line = [];
    for (const c of order) {
      await sleep(50);
      const { ms, value } = await c.run();
      values[c.key].push(value);
      if (r >= 0) samples[c.key].push(ms);
      line.push(`${c.key} ${ms.toFixed(0)}`);
    }
    log(`${r < 0 ? 'warm-up' : `rep ${r + 1}/${opt.reps}`}: ${line.join(', ')} ms`);
  }
  torch?.close();


  // ---- the profile of one step of ours
  let profile = null;
  if (opt.profile) {
    const { stats: ks, restore } = instrumentKernels(tf, 'native');
    const t = performance.now();
    method.trainStep(batch, optimizer);
    const wall = performance.now() - t;
    const optimizerMs = optimizer.lastMs;
    restore();
    const rows = [...ks].filter(([, s]) => s.calls).map(([kernel, s]) => ({ kernel, calls: s.calls, ms: s.ms, pct: (100 * s.ms) / wall })).sort((a, b) => b.ms - a.ms);
    const inKernels = rows.reduce((a, r) => a + r.ms, 0);
    const matmulMs = rows.filter((r) => /MatMul/.test(r.kernel)).reduce((a, r) => a + r.ms, 0);
    profile = { step_ms: wall, optimizer_ms: optimizerMs, kernels: rows, outside_kernels_ms: wall - inKernels, matmul_ms: matmulMs, matmul_gflops: (6 * forwardFlops(config)) / (matmulMs / 1000) / 1e9 };
  }
  tf.dispose([...Object.values(anchor), ...Object.values(positive)]);
  method.dispose?.();

  // ---- results
  const fwd = forwardFlops(config);
  const st = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stats(v)]));
  const ratio = (ref, me) => (st[ref] && st[me] ? st[ref].median_ms / st[me].median_ms : null);
  return {
    shapes: { batch: B, tokens: L, pairs: B },
    model: { weights: weightsFrom, params, config: { hidden: config.hidden_size, layers: config.num_hidden_layers, heads: config.num_attention_heads, intermediate: config.intermediate_size } },
    threads: opt.threads,
    native: info,
    peak,
    flops: { forward_gflop: fwd / 1e9, step_gflop: (6 * fwd) / 1e9, note: 'matrix products only; step = 2 views x (forward + 2 x backward)' },
    pytorch: torch || torchInfo ? { status: 'ok', ...torchInfo } : { status: 'skipped', reason: torchReason },
    ort: session ? { status: 'ok', version: ortVersion, from: ortFrom } : { status: 'skipped', reason: ortReason },
    step: { ours: st.ours_step, pytorch: st.torch_step ?? null, pytorch_over_ours: ratio('torch_step', 'ours_step'), ours_gflops: st.ours_step ? (6 * fwd) / (st.ours_step.median_ms / 1000) / 1e9 : null },
    infer: {
      ours: st.ours_infer, pytorch: st.torch_infer ?? null, ort: st.ort_infer ?? null,
      pytorch_over_ours: ratio('torch_infer', 'ours_infer'), ort_over_ours: ratio('ort_infer', 'ours_infer'),
      ours_sequences_per_s: st.ours_infer ? B / (st.ours_infer.median_ms / 1000) : null,
      ours_gflops: st.ours_infer ? fwd / (st.ours_infer.median_ms / 1000) / 1e9 : null,
    },
    losses: { ours: values.ours_step, pytorch: values.torch_step ?? [] },
    agreement,
    profile,
    options: { reps: opt.reps, warmup: opt.warmup },
  };
}

const fmt = (c) => (c ? `${c.median_ms.toFixed(0)} ms [${c.min_ms.toFixed(0)}-${c.max_ms.toFixed(0)}]` : '');
const x = (r) => (r == null ? '' : `${r.toFixed(2)}x`);

/** The report as text lines. */
export function formatTransformerSpeed(res) {
  const out = [];
  const skip = (s) => (s.status === 'ok' ? '' : `skipped: ${s.reason}`);
  out.push(`MiniLM-L6-sized encoder (${res.model.params.toLocaleString('en-US')} parameters, weights ${res.model.weights}), ${res.threads} threads, median [min-max] of ${res.options.reps} alternated repetitions after ${res.options.warmup} warm-up`);
  const rows = [
    ['case', 'ours (native)', 'PyTorch eager', 'onnxruntime-node', 'PyTorch/ours', 'ORT/ours'],
    [`MNRL step, ${res.shapes.pairs} pairs x ${res.shapes.tokens} tokens, AdamW`, fmt(res.step.ours), fmt(res.step.pytorch) || skip(res.pytorch), 'n/a (inference only)', x(res.step.pytorch_over_ours), ''],
    [`inference, ${res.shapes.batch} x ${res.shapes.tokens} tokens`, fmt(res.infer.ours), fmt(res.infer.pytorch) || skip(res.pytorch), fmt(res.infer.ort) || skip(res.ort), x(res.infer.pytorch_over_ours), x(res.infer.ort_over_ours)],
  ];
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
  out.push(line(rows[0]), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...rows.slice(1).map(line));
  out.push('PyTorch/ours, ORT/ours: their median time / ours (> 1: ours is faster).');
  const peak = res.peak.nominal_gflops ? ` (nominal peak of ${res.threads} cores ${res.peak.nominal_gflops.toFixed(0)}, measured FMA peak ${res.peak.measured_gflops?.toFixed(0)} GFLOP/s)` : '';
  if (res.step.ours) out.push(`ours: step ${res.step.ours_gflops.toFixed(0)} GFLOP/s of matrix products over the whole step (${res.flops.step_gflop.toFixed(0)} GFLOP), inference ${res.infer.ours_gflops.toFixed(0)} GFLOP/s, ${res.infer.ours_sequences_per_s.toFixed(1)} sequences/s${peak}`);
  const ag = res.agreement;
  if (ag.ours_vs_ort_max_abs != null || ag.ours_vs_torch_max_abs_row0_head != null) {
    out.push(`same weights check, inference before any step: max abs difference of the mean-pooled embeddings, ours vs ORT ${ag.ours_vs_ort_max_abs?.toExponential(2) ?? 'n/a'} (all ${res.shapes.batch} x ${res.model.config.hidden}), ours vs PyTorch ${ag.ours_vs_torch_max_abs_row0_head?.toExponential(2) ?? 'n/a'} (row 0, first 8)`);
  }
  if (res.losses.pytorch.length) out.push(`losses: ours ${res.losses.ours.map((v) => v.toFixed(3)).join(' ')}; PyTorch ${res.losses.pytorch.map((v) => v.toFixed(3)).join(' ')}`);
  if (res.profile) {
    const p = res.profile;
    out.push(`profile of one step of ours (${p.step_ms.toFixed(0)} ms, every kernel timed): top 10 kernels, % of the step's wall time`);
    for (const r of p.kernels.slice(0, 10)) out.push(`  ${r.kernel.padEnd(24)} ${r.ms.toFixed(0).padStart(6)} ms ${r.pct.toFixed(1).padStart(5)}%  ${String(r.calls).padStart(5)} calls`);
    out.push(`  ${'(outside kernels)'.padEnd(24)} ${p.outside_kernels_ms.toFixed(0).padStart(6)} ms ${((100 * p.outside_kernels_ms) / p.step_ms).toFixed(1).padStart(5)}%`);
    out.push(`  of which the AdamW update (decay + Adam over all ${res.model.params.toLocaleString('en-US')} parameters): ${p.optimizer_ms.toFixed(0)} ms = ${((100 * p.optimizer_ms) / p.step_ms).toFixed(1)}% of the step`);
    out.push(`  matrix-product kernels: ${p.matmul_ms.toFixed(0)} ms = ${p.matmul_gflops.toFixed(0)} GFLOP/s on the model's ${res.flops.step_gflop.toFixed(0)} GFLOP`);
  }
  return out;
}

/**
 * For bench/run.mjs: runs this script in its own process (a fresh engine), its report on stderr;
 * resolves with the result object (or {status:'error'}).
 */
export function measureTransformerSpeed({ threads, reps, warmup, python, torch = true, limitS = 1800 }, log = console.error) {
  const dir = mkdtempSync(join(tmpdir(), 'contrastive-transformer-'));
  const json = join(dir, 'result.json');
  const args = [fileURLToPath(import.meta.url), '--threads', String(threads), '--json', json];
  if (reps) args.push('--reps', String(reps));
  if (warmup != null) args.push('--warmup', String(warmup));
  if (python) args.push('--python', python);
  if (!torch) args.push('--no-torch');
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...threadEnv(threads) } });
    const timer = setTimeout(() => child.kill('SIGKILL'), limitS * 1000);
    let err = '';
    child.stdout.on('data', (c) => process.stderr.write(c));
    child.stderr.on('data', (c) => {
      err += c;
      process.stderr.write(c);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      let res = null;
      try {
        res = JSON.parse(readFileSync(json, 'utf8'));
      } catch {}
      rmSync(dir, { recursive: true, force: true });
      if (res) done({ status: 'ok', ...res });
      else {
        const why = err.trim().split('\n').slice(-2).join(' | ') || `exit code ${code}`;
        log(`transformer: failed: ${why}`);
        done({ status: 'error', error: why });
      }
    });
  });
}

/**
 * bench/run.mjs's group `transformer`: two rows of its table (cells shaped like its other cases:
 * native, pytorch, cpu = not run), the ORT figure in the inference row's label, the whole result
 * under `detail`.
 */
export async function transformerBenchCases(opt, torchOk, log) {
  log('transformer: ours, PyTorch and onnxruntime-node alternated (bench/transformer-speed.mjs) ...');
  const res = await measureTransformerSpeed({ threads: opt.threads, reps: opt.reps || undefined, python: opt.python, torch: torchOk, limitS: opt.limit * 3 }, log);
  if (res.status !== 'ok') {
    const failed = { status: 'error', error: res.error };
    return { transformer_step: { label: 'MiniLM-L6 MNRL step (failed)', native: failed, pytorch: failed, cpu: { status: 'skipped', reason: 'not run' } } };
  }
  const cell = (c, why) => (c ? { status: 'ok', ...c } : { status: 'skipped', reason: why });
  const cpu = { status: 'skipped', reason: 'not run (tfjs cpu: hours)' };
  const torchWhy = res.pytorch.reason ?? 'not run';
  const ort = res.infer.ort ? `onnxruntime-node ${res.infer.ort.median_ms.toFixed(0)} ms, ORT/native ${res.infer.ort_over_ours.toFixed(2)}x` : `onnxruntime-node ${res.ort.reason}`;
  return {
    transformer_step: {
      label: `MiniLM-L6 MNRL step, ${res.shapes.pairs} pairs x ${res.shapes.tokens} tokens, AdamW`,
      native: cell(res.step.ours, 'failed'), pytorch: cell(res.step.pytorch, torchWhy), cpu,
      pytorch_over_native: res.step.pytorch_over_ours, cpu_over_native: null, detail: res,
    },
    transformer_infer: {
      label: `MiniLM-L6 inference ${res.shapes.batch} x ${res.shapes.tokens} tokens (${ort})`,
      native: cell(res.infer.ours, 'failed'), pytorch: cell(res.infer.pytorch, torchWhy), cpu,
      pytorch_over_native: res.infer.pytorch_over_ours, cpu_over_native: null,
    },
  };
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const res = await runTransformerSpeed(opt);
  for (const l of formatTransformerSpeed(res)) console.log(l);
  if (opt.json) writeFileSync(opt.json, `${JSON.stringify({ date: new Date().toISOString(), command: `node bench/transformer-speed.mjs ${process.argv.slice(2).join(' ')}`.trim(), ...res }, null, 2)}\n`);
  process.exit(0);
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  main().catch((e) => {
    console.error(`transformer-speed: ${e.stack ?? e.message}`);
    process.exit(1);
  });
}
