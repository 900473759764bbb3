/**
 * Small synthetic report data for the report tests: four classes of 28x28 pattern images
 * (stripes, columns, a ring, a checkerboard) with noise, a short training history, embeddings as
 * four Gaussian blobs for the map, a gallery and a per-class table. Class names hold HTML
 * specials so escaping shows in a real browser too.
 */
import { embeddingMap } from '../../src/report/embedding-map.js';
import type { ReportData, Thumb } from '../../src/report/report-data.js';
import { Rng } from '../../src/util/random.js';

export const CLASS_NAMES = ['stripes', 'columns', 'ring <o>', 'checks & "dots"'];

export function patternImage(label: number, rng: Rng): Uint8Array {
  const p = new Uint8Array(28 * 28);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const r = Math.hypot(x - 13.5, y - 13.5);
      const on = [y % 6 < 3, x % 6 < 3, r > 7 && r < 11, ((x >> 2) + (y >> 2)) % 2 === 0][label];
      p[y * 28 + x] = Math.max(0, Math.min(255, (on ? 220 : 25) + Math.round((rng.next() - 0.5) * 60)));
    }
  }
  return p;
}

export function thumb(label: number, rng: Rng, similarity?: number): Thumb {
  return { pixels: patternImage(label, rng), width: 28, height: 28, channels: 1, label, className: CLASS_NAMES[label], similarity };
}

/** Four blobs in `dim` dimensions, `perClass` points each, labels 0..3 in order. */
export function blobs(perClass: number, dim: number, seed: number, spread = 0.3): { values: Float32Array; dim: number; labels: Int32Array } {
  const rng = new Rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const centers = Array.from({ length: 4 }, () => Array.from({ length: dim }, () => gauss()));
  const n = 4 * perClass, values = new Float32Array(n * dim), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = Math.floor(i / perClass);
    for (let j = 0; j < dim; j++) values[i * dim + j] = centers[labels[i]][j] + spread * gauss();
  }
  return { values, dim, labels };
}

export function syntheticReport(): ReportData {
  const rng = new Rng(7);
  const history = Array.from({ length: 8 }, (_, i) => ({
    epoch: i + 1,
    loss: 5.2 - 1.6 * Math.log1p(i) + 0.05 * rng.next(),
    knnTop1: 0.55 + 0.3 * (1 - Math.exp(-i / 2.5)),
    collapseStd: 0.04 + 0.02 * (1 - Math.exp(-i / 2)),
    learningRate: 0.3 * Math.cos((Math.PI * i) / 16),
  }));
  const pts = blobs(60, 16, 3);
  const map = embeddingMap(pts, { seed: 1, nEpochs: 100 });
  const gallery = [0, 1, 2, 3].map((q) => ({
    query: thumb(q, rng),
    neighbours: [0, 1, 2, 3, 4].map((j) => thumb(j === 3 && q !== 1 ? (q + 1) % 4 : q, rng, 0.95 - 0.04 * j)),
  }));
  return {
    title: 'synthetic · simclr · cnn <test>',
    info: [
      ['dataset', 'synthetic patterns (4 classes)'],
      ['method', 'simclr'],
      ['epochs', '8'],
      ['checkpoint', 'runs/<tmp>/"quoted" & more'],
    ],
    metrics: [
      { name: 'kNN top-1 (k=200)', value: 0.853, baseline: 0.712, kind: 'fraction', note: 'weighted kNN, cosine' },
      { name: 'linear probe top-1', value: 0.881, baseline: 0.802, kind: 'fraction' },
      { name: 'recall@1', value: 0.902, baseline: 0.77, kind: 'fraction' },
      { name: 'silhouette', value: 0.2134, kind: 'number', note: 'no baseline' },
    ],
    history,
    embeddingDim: 128,
    map: { x: map.x, y: map.y, labels: Array.from(map.indices, (i) => pts.labels[i]), classNames: CLASS_NAMES, method: 'UMAP' },
    gallery,
    perClass: {
      columns: ['class', 'kNN top-1', 'recall@1', 'items'],
      rows: CLASS_NAMES.map((c, i) => [c, 0.8 + 0.04 * i, 0.85 + 0.03 * i, 60]),
      fractionColumns: [1, 2],
    },
  };
}
