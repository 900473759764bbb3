#!/usr/bin/env node
/**
 * The raw-pixel baselines of the quality protocol (/BENCHMARKS.md, "Quality"), on the 784 pixels
 * (scaled to [0, 1]) of the default split (Fashion-MNIST 60,000 train / 10,000 test): weighted kNN
 * (k = 200, T = 0.1, cosine) and a linear probe (logistic regression, 30 epochs); the same kNN on
 * the 50 principal components of the training pixels (PCA-50); and on the 128-d output of a randomly
 * initialised small CNN (`cnnBackbone` with global average pooling, Glorot initialisation seeded
 * with 0, inference mode). Each kNN also on the rows whitened as by `contrastive eval --whiten`
 * (Ledoit-Wolf, fitted on the training rows without labels). Prints the top-1 accuracies and the
 * times.
 *
 *   npm run build && node bench/baselines.mjs [fashion-mnist|mnist]
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
const [xTrain, xTest] = [pixels(train), pixels(test)];
const timed = (f) => { const t0 = performance.now(); const r = f(); return [r, ((performance.now() - t0) / 1000).toFixed(1)]; };
const [knn, tk] = timed(() => lib.weightedKnnAccuracy(xTrain, train.labels, xTest, test.labels, { k: 200, temperature: 0.1 }));
console.log(`${name}: raw-pixel weighted kNN (k=200, T=0.1, cosine), ${train.size} train / ${test.size} test: top-1 ${(100 * knn).toFixed(2)}% (${tk} s)`);
/** The same weighted kNN on rows whitened by a whitening fitted on the training rows. */
const whitenedKnn = (a, b) => {
  const w = lib.fitWhitening(a);
  return lib.weightedKnnAccuracy(w.transform(a), train.labels, w.transform(b), test.labels);
};
const [wknn, twk] = timed(() => whitenedKnn(xTrain, xTest));
console.log(`${name}: raw pixels whitened (Ledoit-Wolf), weighted kNN: top-1 ${(100 * wknn).toFixed(2)}% (${twk} s)`);
const [probe, tp] = timed(() => {
  const p = lib.trainLinearProbe(xTrain, train.labels, { epochs: 30 });
  const acc = p.accuracy(xTest, test.labels);
  p.dispose();
  return acc;
});
console.log(`${name}: raw-pixel linear probe (logistic regression, 30 epochs, Adam 0.01, batch 1024): top-1 ${(100 * probe).toFixed(2)}% (${tp} s)`);

const [[pca, wpca], tpca] = timed(() => {
  const p = lib.fitPca(xTrain, 50);
  const [a, b] = [p.transform(xTrain), p.transform(xTest)];
  return [lib.weightedKnnAccuracy(a, train.labels, b, test.labels), whitenedKnn(a, b)];
});
console.log(`${name}: PCA-50 of the training pixels, weighted kNN: top-1 ${(100 * pca).toFixed(2)}%, whitened ${(100 * wpca).toFixed(2)}% (${tpca} s for both)`);
const [[cnn, wcnn], tc] = timed(() => {
  const encoder = lib.cnnBackbone({ inputShape: [data.height, data.width, data.channels], pooling: 'global-average', seed: 0 });
  const encode = (x) => encoder.apply(x, { training: false });
  const [a, b] = [lib.embedDataset(train, encode), lib.embedDataset(test, encode)];
  encoder.dispose();
  return [lib.weightedKnnAccuracy(a, train.labels, b, test.labels), whitenedKnn(a, b)];
});
console.log(`${name}: randomly initialised small CNN (32-64-128, GAP, seed 0), weighted kNN: top-1 ${(100 * cnn).toFixed(2)}%, whitened ${(100 * wcnn).toFixed(2)}% (${tc} s for both)`);
