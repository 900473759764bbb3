#!/usr/bin/env node
/**
 * `npm run bench`: the speed report of /BENCHMARKS.md. Our `native` backend, tfjs's `cpu` backend and
 * PyTorch (bench/torch_ref.py) measured back to back in one run, case by case, with the same
 * models, batch sizes, thread count and timed region; prints a table and writes
 * bench/results/latest.json plus a timestamped copy.
 *
 *   npm run bench -- [--threads N] [--reps N] [--warmup N] [--cases sgemm,conv,cnn,mlp,train,transformer]
 *                    [--budget S] [--limit S] [--cpu-slow] [--cpu-limit S] [--no-torch] [--python PATH]
 *
 * Every (case, backend) runs in its own child process (bench/cases.mjs or bench/torch_ref.py): a
 * fresh engine each time, and a hard time limit that stops a call that would run for an hour.
 * Rule per cell: warm-up calls, then timed repetitions; the median is quoted, min and max kept.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { CASES } from './cases.mjs';
import { loadAddon, loadLibrary } from './library.mjs';
import { describeMachine, FLOPS_PER_CYCLE } from './machine.mjs';
import { summarize } from './timing.mjs';
import { transformerBenchCases } from './transformer-speed.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, '..');

const USAGE = `usage: npm run bench -- [options]
  --threads N      threads for native and PyTorch (default: the native pool size, i.e.
                   CONTRASTIVE_THREADS or the number of cores)
  --reps N         timed repetitions of native and PyTorch cells (default per case: 5 to 20)
  --warmup N       warm-up calls before them (default 2)
  --cases LIST     comma-separated groups: sgemm, conv, cnn, mlp, train, transformer (default all)
  --budget S       stop repeating a cell once it used S seconds (default 60; at least one repetition)
  --limit S        kill a native or PyTorch cell after S seconds (default 600)
  --cpu-slow       also run the cpu cells that take minutes (conv2d fwd+bwd, small-CNN step)
  --cpu-limit S    kill those after S seconds (default 1800)
  --no-torch       skip the PyTorch column
  --python PATH    the Python with torch (default /usr/bin/python3)
  --help`;

/** Case groups of --cases and the cells they hold. */
const GROUPS = { sgemm: ['sgemm'], conv: ['conv_fwd', 'conv_fwdbwd'], cnn: ['cnn_step'], mlp: ['mlp_step'], train: ['train_epoch'], transformer: ['transformer'] };

/** Repetitions per case for native and PyTorch (the fast columns). */
const REPS = { sgemm: 20, conv_fwd: 10, conv_fwdbwd: 5, cnn_step: 5, mlp_step: 10 };

/**
 * The cpu backend's plan: it is 100-1000x slower, so each cell runs once or twice without warm-up,
 * and the cells that take minutes only with --cpu-slow. Times measured on a 2-core Zen 4.
 */
const CPU_PLAN = {
  sgemm: { warmup: 0, reps: 1 }, //     ~4 s
  conv_fwd: { warmup: 0, reps: 1 }, //  ~8 s
  conv_fwdbwd: { warmup: 0, reps: 1, slow: 'takes > 5 min' },
  cnn_step: { warmup: 0, reps: 1, slow: 'takes > 5 min' },
  mlp_step: { warmup: 0, reps: 2 }, //  ~11 s each
};

/** PyTorch memory layouts tried for the convolution cases; the faster one is the reference. */
const TORCH_LAYOUTS = { conv_fwd: ['channels_last', 'contiguous'], conv_fwdbwd: ['channels_last', 'contiguous'], cnn_step: ['channels_last', 'contiguous'] };

function parseArgs(argv) {
  const opt = { threads: 0, reps: 0, warmup: 2, cases: Object.keys(GROUPS), budget: 60, limit: 600, cpuSlow: false, cpuLimit: 1800, torch: true, python: '/usr/bin/python3' };
  const numeric = { '--threads': 'threads', '--reps': 'reps', '--warmup': 'warmup', '--budget': 'budget', '--limit': 'limit', '--cpu-limit': 'cpuLimit' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a in numeric) {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`${a} expects a number >= 0, received ${argv[i]}`);
      opt[numeric[a]] = v;
    } else if (a === '--cases') {
      opt.cases = String(argv[++i]).split(',').filter(Boolean);
      const unknown = opt.cases.filter((c) => !(c in GROUPS));
      if (unknown.length) throw new Error(`--cases: unknown ${unknown.join(', ')}; known: ${Object.keys(GROUPS).join(', ')}`);
    } else if (a === '--cpu-slow') opt.cpuSlow = true;
    else if (a === '--no-torch') opt.torch = false;
    else if (a === '--python') opt.python = argv[++i];
    else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  return opt;
}

/**
 * Environment of the measuring children: our pool size, and PyTorch's (torch.set_num_threads sets
 * OpenMP's count; OpenBLAS keeps its own unless told).
 */
function threadEnv(threads) {
  const n = String(threads);
  return { CONTRASTIVE_THREADS: n, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n };
}

/**
 * Runs one measuring child process; resolves with its result, or a status saying why there is none.
 * Samples arrive one JSON line each, so a child killed at the time limit still reports them.
 */
function runCell(command, args, limitS, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const samples = [];
    let result = null, check = null, error = null, stderr = '', buffered = '', killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, limitS * 1000);
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        let msg;
        try {
          msg = JSON.parse(line);
        } catch {
          continue; // not one of our lines (a library's own output)
        }
        if ('sample_ms' in msg) samples.push(msg.sample_ms);
        if (msg.result) result = msg.result;
        if (msg.check) check = msg.check;
        if (msg.error) error = msg.error;
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ status: 'error', error: e.code === 'ENOENT' ? `${command} not found` : e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (result) resolve({ status: 'ok', ...result });
      else if (check) resolve({ status: 'ok', ...check });
      else if (killed) resolve({ status: 'timeout', limit_s: limitS, samples_ms: samples });
      else resolve({ status: 'error', code, error: error ?? (stderr.trim().split('\n').slice(-3).join(' | ') || `exit code ${code}`) });
    });
  });
}

/** Measures one case on native, PyTorch (each layout it has) and cpu, in that order. */
async function measureCase(id, opt, torchOk, log) {
  const reps = String(opt.reps || REPS[id]);
  const common = ['--warmup', String(opt.warmup), '--reps', reps, '--budget', String(opt.budget), '--threads', String(opt.threads)];
  const cells = {};

  log(`${id}: native ...`);
  cells.native = await runCell(process.execPath, [join(benchDir, 'cases.mjs'), id, '--backend', 'native', ...common], opt.limit, threadEnv(opt.threads));
  log(`${id}: native ${brief(cells.native)}`);

  if (torchOk) {
    const tries = {};
    for (const layout of TORCH_LAYOUTS[id] ?? [null]) {
      const args = [join(benchDir, 'torch_ref.py'), id, ...common, ...(layout ? ['--layout', layout] : [])];
      tries[layout ?? 'default'] = await runCell(opt.python, args, opt.limit, threadEnv(opt.threads));
      log(`${id}: pytorch${layout ? ` (${layout})` : ''} ${brief(tries[layout ?? 'default'])}`);
    }
    const ok = Object.values(tries).filter((c) => c.status === 'ok');
    cells.pytorch = ok.length ? ok.reduce((a, b) => (b.median_ms < a.median_ms ? b : a)) : Object.values(tries)[0];
    if (Object.keys(tries).length > 1) cells.pytorch_layouts = tries;
  } else {
    cells.pytorch = { status: 'skipped', reason: opt.torch ? 'PyTorch unavailable' : '--no-torch' };
  }

  const [ours, theirs] = [cells.native.notes?.params, cells.pytorch.notes?.params];
  if (ours && theirs && ours !== theirs) log(`${id}: WARNING: the models differ, ${ours} trainable parameters in tfjs, ${theirs} in PyTorch`);

  const plan = CPU_PLAN[id];
  if (plan.slow && !opt.cpuSlow) {
    cells.cpu = { status: 'skipped', reason: `not run (${plan.slow}, pass --cpu-slow)` };
  } else {
    const args = [join(benchDir, 'cases.mjs'), id, '--backend', 'cpu', '--warmup', String(plan.warmup), '--reps', String(plan.reps), '--budget', '1e9'];
    log(`${id}: cpu ...`);
    cells.cpu = await runCell(process.execPath, args, plan.slow ? opt.cpuLimit : opt.limit);
    log(`${id}: cpu ${brief(cells.cpu)}`);
  }

  // A cell stopped at its time limit after some repetitions keeps what it measured.
  for (const key of ['native', 'pytorch', 'cpu']) cells[key] = keepPartial(id, key, cells[key]);

  const time = (c) => (c.status === 'ok' ? c.median_ms : null);
  const [n, p, c] = [time(cells.native), time(cells.pytorch), time(cells.cpu)];
  return {
    label: CASES[id].label,
    ...cells,
    // > 1: native is faster (the other takes longer).
    pytorch_over_native: n && p ? p / n : null,
    cpu_over_native: n && c ? c / n : null,
  };
}

/** A cell killed at the time limit after n >= 1 repetitions becomes a result of those n. */
function keepPartial(id, backend, cell) {
  if (cell.status !== 'timeout' || cell.samples_ms.length === 0) return cell;
  const stats = summarize(cell.samples_ms);
  const s = stats.median_ms / 1000;
  const { flops, images } = CASES[id];
  return {
    status: 'ok',
    case: id,
    backend,
    stopped_at_limit_s: cell.limit_s,
    ...stats,
    ...(flops ? { gflops: flops / s / 1e9 } : {}),
    ...(images ? { images_per_s: images / s } : {}),
  };
}

// ------------------------------------------------------------------------------------------------
// Formatting

const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 1e4 ? 1 : 2)} s` : `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`);
const fmtNum = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

/** One line for the progress log. */
function brief(cell) {
  if (cell.status === 'ok') return `${fmtMs(cell.median_ms)} median of ${cell.reps} (warm-up ${cell.warmup})`;
  if (cell.status === 'timeout') return `killed at the ${cell.limit_s} s limit after ${cell.samples_ms.length} repetitions`;
  return `${cell.status}: ${cell.error ?? cell.reason}`;
}

/** A table cell: the median (GFLOP/s for sgemm, ms and images/s for steps) and [min-max]. */
function cellText(id, cell) {
  if (!cell) return '';
  if (cell.status === 'skipped') return cell.reason;
  if (cell.status === 'timeout') return `> ${cell.limit_s} s (stopped)`;
  if (cell.status !== 'ok') return 'error (see JSON)';
  const spread = (cell.reps > 1 ? ` [${fmtMs(cell.min_ms)}-${fmtMs(cell.max_ms)}]` : ' [1 rep]') + (cell.stopped_at_limit_s ? ' (stopped at the limit)' : '');
  const layout = cell.notes?.layout && cell.backend === 'pytorch' ? ` ${cell.notes.layout === 'contiguous' ? 'NCHW' : 'NHWC'}` : '';
  if (id === 'sgemm') return `${fmtNum(cell.gflops)} GFLOP/s (${fmtMs(cell.median_ms)})${spread}`;
  if (cell.images_per_s) return `${fmtMs(cell.median_ms)} ${fmtNum(cell.images_per_s)} img/s${spread}${layout}`;
  return `${fmtMs(cell.median_ms)}${spread}${layout}`;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const ratio = (r) => (r == null ? '' : r >= 10 ? `${r.toFixed(0)}x` : `${r.toFixed(2)}x`);

function printTable(rows) {
  const header = ['case', 'native', 'cpu', 'PyTorch', 'PyTorch/native', 'cpu/native'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

// ------------------------------------------------------------------------------------------------

/**
 * Case 5: one epoch of the default `contrastive train` (SimCLR, small CNN, batch 256, the full
 * 60,000-image Fashion-MNIST training split, augmentation and the per-epoch kNN monitor
 * included), run as a user runs it; images/s and wall time from its epoch line, peak RSS from its
 * final line (process.resourceUsage().maxRSS). PyTorch: one epoch of the same recipe
 * (bench/simclr_torch.py --epochs 1 --no-eval on the cpu, the split exported by
 * bench/export-split.mjs first), its images/s from its epoch line.
 */
async function measureTrainEpoch(opt, torchOk, log) {
  const label = 'train epoch, Fashion-MNIST (default `train`)';
  log('train_epoch: native ...');
  const out = mkdtempSync(join(tmpdir(), 'contrastive-bench-train-'));
  const t0 = performance.now();
  const res = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'index.js'), 'train', '--epochs', '1', '--out', out], {
    cwd: root, encoding: 'utf8', timeout: opt.limit * 1000, env: { ...process.env, CONTRASTIVE_THREADS: String(opt.threads) },
  });
  const wallS = (performance.now() - t0) / 1000;
  rmSync(out, { recursive: true, force: true });
  const epoch = /epoch 1\/1 .*? (\d+) (?:img|items)\/s {2}(\d+) s/.exec(res.stderr ?? '');
  const rss = /peak RSS (\d+) MB/.exec(res.stderr ?? '');
  if (res.status !== 0 || !epoch) {
    const reason = res.error ? String(res.error.message) : (res.stderr ?? '').trim().split('\n').slice(-2).join(' | ');
    log(`train_epoch: failed: ${reason}`);
    return { label, status: 'error', text: `error: ${reason}`, native: { status: 'error', error: reason } };
  }
  const native = {
    status: 'ok', images_per_s: Number(epoch[1]), epoch_s: Number(epoch[2]), wall_s: wallS, max_rss_mb: rss ? Number(rss[1]) : null,
    notes: 'one epoch of `contrastive train` (60,000 images, batch 256), augmentation and kNN monitor included',
  };
  const text = `${native.images_per_s} img/s, ${native.epoch_s} s/epoch, peak RSS ${native.max_rss_mb} MB`;
  log(`train_epoch: native ${text} (${wallS.toFixed(0)} s with start-up and monitor)`);
  let pytorch = { status: 'skipped', reason: torchOk ? '' : 'PyTorch unavailable or --no-torch' };
  if (torchOk) {
    log('train_epoch: PyTorch ...');
    const split = join(root, 'bench', 'results', 'fashion-mnist-split');
    spawnSync(process.execPath, [join(benchDir, 'export-split.mjs'), split], { cwd: root, encoding: 'utf8' });
    const t = spawnSync(opt.python, [join(benchDir, 'simclr_torch.py'), '--epochs', '1', '--no-eval', '--device', 'cpu', '--threads', String(opt.threads), '--data', split], {
      cwd: root, encoding: 'utf8', timeout: opt.limit * 1000, env: { ...process.env, ...threadEnv(opt.threads) },
    });
    const line = (t.stdout ?? '').split('\n').find((l) => l.startsWith('{"epoch"'));
    if (t.status === 0 && line) {
      const e = JSON.parse(line);
      pytorch = { status: 'ok', images_per_s: Math.round(e.images_per_s), epoch_s: Math.round(e.seconds) };
      log(`train_epoch: PyTorch ${pytorch.images_per_s} img/s, ${pytorch.epoch_s} s/epoch`);
    } else {
      pytorch = { status: 'error', error: (t.error?.message ?? t.stderr ?? '').trim().split('\n').slice(-1)[0] };
      log(`train_epoch: PyTorch failed: ${pytorch.error}`);
    }
  }
  const ratioTorch = pytorch.status === 'ok' ? native.images_per_s / pytorch.images_per_s : null;
  return { label, status: 'ok', text, native, pytorch, pytorch_over_native: ratioTorch };
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const started = new Date();
  const log = (msg) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

  const lib = await loadLibrary();
  await tf.ready();
  const { addon, addonLoadError } = await loadAddon();
  if (!addon) throw new Error(`the native addon did not load (${addonLoadError}); run \`npm run build:addon\``);
  if (opt.threads) lib.setNativeThreads(opt.threads);
  opt.threads = lib.nativeBackendInfo().threads;
  const machine = describeMachine();
  const info = lib.nativeBackendInfo();
  log(`${machine.model}, ${plural(machine.cores, 'core')} at ${machine.mhz} MHz (${machine.vector.join(' ')}); ${plural(opt.threads, 'thread')}; GEMM kernel ${info.gemmKernel}`);

  // Machine's fp32 peak: measured by the addon's FMA probe on the same threads, and nominal.
  // Both for the threads in use (the machine's whole nominal peak is in machine.nominal_peak_gflops).
  const used = Math.min(opt.threads, machine.cores);
  const peak = {
    threads: opt.threads,
    measured_gflops: addon.peakGflops(1.0),
    probe_isa: addon.peakIsa(),
    nominal_gflops: machine.mhz ? used * (machine.mhz / 1000) * FLOPS_PER_CYCLE : null,
    nominal_formula: machine.mhz ? `${plural(used, 'core')} x ${(machine.mhz / 1000).toFixed(2)} GHz x ${FLOPS_PER_CYCLE} flops/cycle` : null,
  };
  log(`fp32 peak on ${plural(opt.threads, 'thread')}: measured ${fmtNum(peak.measured_gflops)} GFLOP/s (${peak.probe_isa} FMA probe), ` +
    `nominal ${peak.nominal_gflops ? fmtNum(peak.nominal_gflops) : '?'} GFLOP/s (${peak.nominal_formula ?? 'clock unknown'})`);

  // PyTorch: present? OpenBLAS (not netlib)? torch.mm 1024^3 at 100+ GFLOP/s?
  let pytorch = { status: 'skipped', reason: '--no-torch' };
  if (opt.torch) {
    pytorch = await runCell(opt.python, [join(benchDir, 'torch_ref.py'), '--check', '--threads', String(opt.threads)], 120, threadEnv(opt.threads));
    if (pytorch.status === 'ok') {
      const blas = pytorch.blas.find((p) => /(openblas|mkl|blis)[^/]*$/.test(p)) ?? pytorch.blas[0] ?? 'none found';
      const verdict = pytorch.mm_ok
        ? 'OK (100+ expected)'
        : 'WARNING: below 100 GFLOP/s: a loaded machine, or the netlib reference BLAS (apt-get install libopenblas0-pthread)';
      log(`PyTorch ${pytorch.torch} (${opt.python}), BLAS ${blas}; torch.mm 1024^3 ${fmtNum(pytorch.mm_gflops)} GFLOP/s: ${verdict}`);
    } else {
      log(`PyTorch column skipped: ${pytorch.error} (install: apt-get install -y python3-torch libopenblas0-pthread)`);
    }
  }
  const torchOk = opt.torch && pytorch.status === 'ok';

  const ids = opt.cases.flatMap((g) => GROUPS[g]);
  const cases = {};
  for (const id of ids) {
    if (id === 'train_epoch') {
      cases.train_epoch = await measureTrainEpoch(opt, torchOk, log);
      continue;
    }
    if (id === 'transformer') {
      Object.assign(cases, await transformerBenchCases(opt, torchOk, log));
      continue;
    }
    cases[id] = await measureCase(id, opt, torchOk, log);
  }

  // Table.
  console.log(`\ncontrastive bench, ${started.toISOString()}: ${machine.model}, ${plural(machine.cores, 'core')}, ${plural(opt.threads, 'thread')} (native and PyTorch); median [min-max]`);
  const rows = Object.entries(cases).map(([id, c]) =>
    id === 'train_epoch'
      ? [c.label, c.text, 'not run (one small-CNN step takes > 5 min)',
        c.pytorch?.status === 'ok' ? `${c.pytorch.images_per_s} img/s, ${c.pytorch.epoch_s} s/epoch` : (c.pytorch?.error ?? 'not run'), ratio(c.pytorch_over_native), '']
      : [c.label, cellText(id, c.native), cellText(id, c.cpu), cellText(id, c.pytorch), ratio(c.pytorch_over_native), ratio(c.cpu_over_native)],
  );
  printTable(rows);
  console.log('PyTorch/native = PyTorch time / native time (> 1: native is faster); cpu/native = speed-up of native over tfjs cpu.');
  if (cases.sgemm) {
    for (const [name, cell] of [['native', cases.sgemm.native], ['PyTorch', cases.sgemm.pytorch]]) {
      if (cell.status !== 'ok') continue;
      const nominal = peak.nominal_gflops ? `, ${((100 * cell.gflops) / peak.nominal_gflops).toFixed(0)}% of the nominal ${fmtNum(peak.nominal_gflops)} (${peak.nominal_formula})` : '';
      console.log(`sgemm ${name}: ${fmtNum(cell.gflops)} GFLOP/s = ${((100 * cell.gflops) / peak.measured_gflops).toFixed(0)}% of the measured peak ${fmtNum(peak.measured_gflops)} GFLOP/s${nominal}`);
    }
  }
  if (torchOk && Object.values(cases).some((c) => c.pytorch_layouts)) {
    console.log('PyTorch convolution cases: the faster of channels_last (NHWC, as tfjs) and contiguous (NCHW); both are in the JSON.');
  }

  // JSON.
  const git = (args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout?.trim() || null;
  const report = {
    schema: 1,
    date: started.toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    git: { commit: git(['rev-parse', 'HEAD']), dirty: Boolean(git(['status', '--porcelain'])) },
    node: process.version,
    tfjs: tf.version_core,
    machine,
    threads: opt.threads,
    native: info,
    peak,
    pytorch,
    options: { reps: opt.reps || REPS, warmup: opt.warmup, budget_s: opt.budget, limit_s: opt.limit, cpu_plan: CPU_PLAN, cpu_slow: opt.cpuSlow, cpu_limit_s: opt.cpuLimit },
    cases,
  };
  const dir = join(benchDir, 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const text = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(join(dir, 'latest.json'), text);
  writeFileSync(join(dir, `bench-${stamp}.json`), text);
  console.log(`\nJSON: bench/results/latest.json and bench/results/bench-${stamp}.json`);
}

main().catch((e) => {
  console.error(`bench: ${e.message}`);
  process.exit(1);
});
