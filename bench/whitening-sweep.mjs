#!/usr/bin/env node
/**
 * What whitening does to each figure (BENCHMARKS.md, "Whitened kNN"): the encoder of a run (or raw
 * pixels with --pixels) on the default split, its rows as given and whitened with exponents 0
 * (centred and rotated), 0.125, 0.25, 0.375 and 0.5 (full whitening, as `eval --whiten`),
 * Ledoit-Wolf shrinkage, fitted on the 60,000 training rows without labels. For each: weighted kNN
 * top-1 (k 200, T 0.1, cosine; the 60,000 labelled training rows as the bank), and leave-one-out
 * retrieval among the 10,000 held-out rows (precision@10, MAP@R, mAP). Then the kNN with other
 * neighbourhood sizes k and temperatures T, as given and whitened (the protocol is k 200, T 0.1;
 * this shows how much of whitening's gain is the size of the neighbourhood that decides).
 *
 *   npm run build && node bench/whitening-sweep.mjs --checkpoint runs/fashion-mnist-simclr-cnn
 *   node bench/whitening-sweep.mjs --pixels
 */
import { loadLibrary } from './library.mjs';

const lib = await loadLibrary();
const { restoreMethod, loadFashionMnist } = lib;
const args = process.argv.slice(2);
const checkpoint = args[args.indexOf('--checkpoint') + 1];
const pixelsOnly = args.includes('--pixels');
if (!pixelsOnly && !args.includes('--checkpoint')) throw new Error('usage: node bench/whitening-sweep.mjs --checkpoint DIR | --pixels');
const data = loadFashionMnist();
const split = lib.stratifiedSplit(data.labels);
const train = lib.subset(data, split.train), test = lib.subset(data, split.test);
let a, b;
if (pixelsOnly) {
  const px = (d) => ({ values: Float32Array.from(d.images, (v) => v / 255), dim: d.height * d.width * d.channels });
  [a, b] = [px(train), px(test)];
} else {
  const method = restoreMethod(checkpoint);
  const encode = (x) => method.embed(x);
  [a, b] = [lib.embedDataset(train, encode), lib.embedDataset(test, encode)];
  method.dispose();
}
const pct = (v) => `${(100 * v).toFixed(2)}%`;
console.log(`${pixelsOnly ? 'raw pixels' : checkpoint}: ${a.dim}-d, ${train.size} train / ${test.size} held-out`);
console.log('| rows | kNN top-1 | precision@10 | MAP@R | mAP |');
console.log('|---|---|---|---|---|');
const row = (name, x, y) => {
  const knn = lib.weightedKnnAccuracy(x, train.labels, y, test.labels);
  const r = lib.retrievalMetrics({ queries: y, queryLabels: test.labels, k: [10] });
  console.log(`| ${name} | ${pct(knn)} | ${pct(r.precisionAtK[10])} | ${pct(r.mapAtR)} | ${pct(r.meanAveragePrecision)} |`);
};
row('as given', a, b);
for (const exponent of [0, 0.125, 0.25, 0.375, 0.5]) {
  const w = lib.fitWhitening(a, { exponent });
  row(`exponent ${exponent}${exponent === 0.5 ? ' (whitened)' : exponent === 0 ? ' (centred)' : ''}`, w.transform(a), w.transform(b));
}

console.log('\n| weighted kNN top-1 | as given | whitened |');
console.log('|---|---|---|');
const w = lib.fitWhitening(a);
const [wa, wb] = [w.transform(a), w.transform(b)];
for (const [k, temperature] of [[1, 0.1], [5, 0.1], [20, 0.1], [200, 0.1], [20, 0.02], [200, 0.02]]) {
  const acc = (x, y) => pct(lib.weightedKnnAccuracy(x, train.labels, y, test.labels, { k, temperature }));
  console.log(`| k = ${k}, T = ${temperature}${k === 200 && temperature === 0.1 ? ' (the protocol)' : ''} | ${acc(a, b)} | ${acc(wa, wb)} |`);
}
