#!/usr/bin/env node
/**
 * The fused inference attention alone (ContrastiveFusedAttention on `native`) on the MiniLM-L6
 * shapes (batch 32, 64 tokens, 12 heads of width 32, hidden 384, the last quarter of the keys of
 * odd batch elements masked), its two native paths alternated in one process:
 *
 * - generic: the GEMM-based loop of native/src/attention_fused.cc (setFusedAttentionPath('generic'));
 * - short: the AVX-512 short-sequence kernel native/src/attention_short_avx512.cc (the default
 *   where it applies; the same as generic on machines without AVX-512).
 *
 * Per thread count, the two alternate every repetition (the order flips each time); each sample
 * is the mean of --calls back-to-back calls. Prints medians, GFLOP/s (4 B heads L^2 D flops), the
 * speed ratio short / generic (> 1: the short kernel is faster) both as the ratio of the medians
 * and as the median of each repetition's ratio (steadier on a shared machine, whose load drifts),
 * and the largest difference of the two outputs.
 *
 *   npm run build && node bench/attention-speed.mjs [--threads 1,2] [--reps 31] [--calls 5] [--batch 32] [--seq 64] [--heads 12] [--head-dim 32]
 */
import { loadLibrary } from './library.mjs';
import { median } from './timing.mjs';

function parseArgs(argv) {
  const opt = { threads: [1, 2], reps: 31, calls: 5, batch: 32, seq: 64, heads: 12, 'head-dim': 32 };
  const usage = 'usage: node bench/attention-speed.mjs [--threads 1,2] [--reps 31] [--calls 5] [--batch 32] [--seq 64] [--heads 12] [--head-dim 32]';
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in opt)) throw new Error(`unknown option ${argv[i]} (${usage})`);
    const raw = argv[++i];
    if (key === 'threads') {
      opt.threads = String(raw).split(',').map(Number);
      if (!opt.threads.every((n) => Number.isInteger(n) && n >= 1)) throw new Error(`--threads expects integers >= 1 separated by commas, received ${raw}`);
      continue;
    }
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${key} expects an integer >= 1, received ${raw}`);
    opt[key] = v;
  }
  return opt;
}


const opt = parseArgs(process.argv.slice(2));
const lib = await loadLibrary();
const tf = await import('@tensorflow/tfjs-core');
const { setFusedAttentionPath } = await import(new URL('../dist/backend/kernels/FusedAttention.js', import.meta.url).href);
const { attentionContext } = await import(new URL('../dist/ops/fused-attention.js', import.meta.url).href);
await tf.setBackend('native');

const { batch: B, seq: L, heads: G } = opt, D = opt['head-dim'], H = G * D, scale = 1 / Math.sqrt(D);
const q = tf.randomNormal([B, L, H], 0, 1, 'float32', 1), k = tf.randomNormal([B, L, H], 0, 1, 'float32', 2);
const v = tf.randomNormal([B, L, H], 0, 1, 'float32', 3);
const m = new Float32Array(B * L);
for (let b = 1; b < B; b += 2) for (let j = L - (L >> 2); j < L; j++) m[b * L + j] = lib.MASK_VALUE ?? -3.4028234663852886e38;
const bias = tf.tensor(m, [B, 1, 1, L]);
const flops = 4 * B * G * L * L * D;

const run = (path) => {
  setFusedAttentionPath(path);
  const t0 = performance.now();
  for (let c = 0; c < opt.calls; c++) tf.dispose(attentionContext(q, k, v, bias, G, scale));
  return (performance.now() - t0) / opt.calls;
};

const outs = ['generic', 'auto'].map((p) => { setFusedAttentionPath(p); return tf.tidy(() => attentionContext(q, k, v, bias, G, scale).dataSync()); });
let maxDiff = 0;
for (let i = 0; i < outs[0].length; i++) maxDiff = Math.max(maxDiff, Math.abs(outs[0][i] - outs[1][i]));
console.log(`attention B ${B} L ${L} heads ${G} D ${D} (${(flops / 1e6).toFixed(1)} MFLOP a call), ${opt.reps} reps of ${opt.calls} calls, max |short - generic| ${maxDiff.toExponential(2)}`);

for (const threads of opt.threads) {
  lib.setNativeThreads(threads);
  for (let w = 0; w < 3; w++) { run('generic'); run('auto'); }
  const times = { generic: [], auto: [] }, ratios = [];
  for (let r = 0; r < opt.reps; r++) {
    const order = r % 2 ? ['auto', 'generic'] : ['generic', 'auto'];
    for (const p of order) times[p].push(run(p));
    ratios.push(times.generic[r] / times.auto[r]);
  }
  const g = median(times.generic), s = median(times.auto);
  const gf = (ms) => (flops / ms / 1e6).toFixed(1);
  console.log(`threads ${threads}: generic ${g.toFixed(3)} ms (${gf(g)} GFLOP/s), short ${s.toFixed(3)} ms (${gf(s)} GFLOP/s), ` +
    `short/generic speed ${(g / s).toFixed(2)}x (ratio of medians), ${median(ratios).toFixed(2)}x (median of the paired ratios)`);
}
setFusedAttentionPath('auto');
tf.dispose([q, k, v, bias]);
