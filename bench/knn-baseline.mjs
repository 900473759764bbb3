#!/usr/bin/env node
/**
 * The raw-pixel baseline of the quality protocol (/BENCHMARKS.md, "Quality"): weighted kNN
 * (k = 200, T = 0.1, cosine) on the 784 pixels (scaled to [0, 1]) of the default Fashion-MNIST
 * split, 60,000 train / 10,000 test. Prints the top-1 accuracy and the time.
 *
 *   npm run build && node bench/knn-baseline.mjs [fashion-mnist|mnist]
 */
import { loadLibrary } from './library.mjs';

const lib = await loadLibrary();
const name = process.argv[2] ?? 'fashion-mnist';
const data = name === 'mnist' ? lib.loadMnist() : lib.loadFashionMnist();
const split = lib.stratifiedSplit(data.labels);
const train = lib.subset(data, split.train), test = lib.subset(data, split.test);
const pixels = (d) => {
  const v = new Float32Array(d.images.length);
  for (let i = 0; i < v.length; i++) v[i] = d.images[i] / 255;
  return { values: v, dim: d.height * d.width * d.channels };
};
const t0 = performance.now();
const acc = lib.weightedKnnAccuracy(pixels(train), train.labels, pixels(test), test.labels, { k: 200, temperature: 0.1 });
const s = ((performance.now() - t0) / 1000).toFixed(1);
console.log(`${name}: raw-pixel weighted kNN (k=200, T=0.1, cosine), ${train.size} train / ${test.size} test: top-1 ${(100 * acc).toFixed(2)}% (${s} s)`);
