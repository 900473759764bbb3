#!/usr/bin/env node
/**
 * Evaluation at scale: every chunked evaluation routine on 70,000 x 128 embeddings (all of
 * Fashion-MNIST), one child process per routine so each has its own wall time and peak RSS.
 *
 *   node bench/eval-scale.mjs [--checkpoint DIR] [--only name,name] [--rows N]
 *
 * The embeddings: the trained encoder of DIR (default runs/fashion-mnist-simclr-cnn, made by the
 * README's first command) on all 70,000 images, projected on their first 128 principal
 * components, cached in bench/results/eval-scale-<rows>x128.f32 (+ .json with the labels).
 * Routines (all leave-one-out over the 70,000 unless said):
 *   nearest-neighbors  exact 10-NN search, cosine
 *   weighted-knn       the kNN classifier of the protocol: 60,000-image bank, 10,000 queries
 *   retrieval          retrievalMetrics, k = 1, 10, 100, cosine (every metric, full ranking)
 *   silhouette         silhouetteScore, cosine, the 10 classes as clusters
 *   dunn               dunnIndex, Euclidean, the 10 classes
 *   kmeans             kMeans, k = 10, one run
 * Prints a table and writes bench/results/eval-scale.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './machine.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const ROUTINES = ['nearest-neighbors', 'weighted-knn', 'retrieval', 'silhouette', 'dunn', 'kmeans'];
const rows = Number(opt('--rows', 70000));
const cache = join(benchDir, 'results', `eval-scale-${rows}x128.f32`);

async function makeEmbeddings(checkpoint) {
  const lib = await import(join(root, 'dist', 'node.js'));
  const { readRun, restoreMethod } = lib;
  readRun(checkpoint);
  const data = lib.loadFashionMnist();
  const pick = lib.subset(data, Array.from({ length: rows }, (_, i) => Math.floor((i * data.size) / rows)));
  const method = restoreMethod(checkpoint);
  const emb = lib.embedDataset(pick, (x) => method.embed(x));
  method.dispose();
  const pca = lib.fitPca(emb, 128);
  const out = pca.transform(emb);
  const split = lib.stratifiedSplit(data.labels);
  const isTest = new Uint8Array(data.size);
  for (const i of split.test) isTest[i] = 1;
  mkdirSync(dirname(cache), { recursive: true });
  writeFileSync(cache, Buffer.from(out.values.buffer, out.values.byteOffset, out.values.byteLength));
  writeFileSync(`${cache}.json`, JSON.stringify({ rows, dim: 128, checkpoint, labels: Array.from(pick.labels), test: Array.from(pick.ids, (id) => isTest[id]) }));
}

/** One routine, in this process: prints one JSON line {routine, seconds, result}. */
async function child(name) {
  const lib = await import(join(root, 'dist', 'node.js'));
  // The CLI's progress bar on stderr (shown when it is a terminal).
  const { phaseProgress } = await import(join(root, 'dist', 'cli', 'progress.js'));
  const bar = phaseProgress(), onProgress = bar.phase(name);
  const meta = JSON.parse(readFileSync(`${cache}.json`, 'utf8'));
  const buf = readFileSync(cache);
  const values = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const x = { values, dim: meta.dim }, labels = meta.labels;
  const t0 = performance.now();
  let result;
  if (name === 'nearest-neighbors') {
    const nn = lib.nearestNeighbors(x, { k: 10, onProgress });
    let same = 0;
    for (let i = 0; i < meta.rows; i++) if (labels[nn.indices[i * 10]] === labels[i]) same++;
    result = { top1SameLabel: same / meta.rows };
  } else if (name === 'weighted-knn') {
    const pickRows = (want) => {
      const idx = meta.test.flatMap((t, i) => (t === want ? [i] : []));
      const v = new Float32Array(idx.length * meta.dim);
      idx.forEach((i, r) => v.set(values.subarray(i * meta.dim, (i + 1) * meta.dim), r * meta.dim));
      return { x: { values: v, dim: meta.dim }, labels: idx.map((i) => labels[i]) };
    };
    const train = pickRows(0), test = pickRows(1);
    result = { knnTop1: lib.weightedKnnAccuracy(train.x, train.labels, test.x, test.labels, { onProgress }), bank: train.labels.length, queries: test.labels.length };
  } else if (name === 'retrieval') {
    const m = lib.retrievalMetrics({ queries: x, queryLabels: labels, k: [1, 10, 100], onProgress });
    result = { mapAtR: m.mapAtR, meanAveragePrecision: m.meanAveragePrecision, precisionAt10: m.precisionAtK[10], queries: m.queries };
  } else if (name === 'silhouette') {
    result = { silhouette: lib.silhouetteScore(x, labels, { metric: 'cosine', onProgress }) };
  } else if (name === 'dunn') {
    result = { dunn: lib.dunnIndex(x, labels, { onProgress }) };
  } else if (name === 'kmeans') {
    const km = lib.kMeans(x, { k: 10, seed: 0 });
    result = { ari: lib.adjustedRandIndex(labels, km.labels), iterations: km.iterations };
  } else throw new Error(`unknown routine ${name}`);
  const seconds = (performance.now() - t0) / 1000;
  bar.stop();
  // VmHWM: this process's own peak RSS (getrusage's maxRSS can carry the parent's across fork + exec).
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);
  process.stdout.write(`${JSON.stringify({ routine: name, seconds, peakRssMb: hwm / 1024, result })}\n`);
}

if (args[0] === '--child') {
  await child(args[1]);
} else {
  if (!existsSync(cache)) {
    const checkpoint = opt('--checkpoint', join(root, 'runs', 'fashion-mnist-simclr-cnn'));
    process.stderr.write(`embedding ${rows} images with ${checkpoint}, PCA to 128 -> ${cache}\n`);
    await makeEmbeddings(checkpoint);
  }
  const only = opt('--only', ROUTINES.join(',')).split(',');
  const results = [];
  for (const name of only) {
    process.stderr.write(`${name} ...\n`);
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', name, '--rows', String(rows)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    // (stderr is inherited: the child's progress bar shows when this one runs in a terminal)
    if (r.status !== 0) throw new Error(`${name} failed with code ${r.status}`);
    const line = JSON.parse(r.stdout.trim().split('\n').at(-1));
    results.push(line);
    process.stderr.write(`  ${line.seconds.toFixed(1)} s, peak RSS ${line.peakRssMb.toFixed(0)} MB, ${JSON.stringify(line.result)}\n`);
  }
  const report = { date: new Date().toISOString(), machine: describeMachine(), rows, dim: 128, results };
  writeFileSync(join(benchDir, 'results', 'eval-scale.json'), JSON.stringify(report, null, 1));
  console.log(`routine             seconds   peak RSS (MB)`);
  for (const r of results) console.log(`${r.routine.padEnd(18)} ${r.seconds.toFixed(1).padStart(8)}   ${r.peakRssMb.toFixed(0).padStart(8)}`);
}
