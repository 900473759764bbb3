import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { embedDataset } from '../../src/embed/embed-dataset.js';
import { loadMnist } from '../../src/data/mnist.js';
import { subset } from '../../src/data/image-dataset.js';

describe('embedDataset', () => {
  it('embeds in batches, in order, equal to one big pass; reports progress; no leaks', () => {
    const data = subset(loadMnist(), Array.from({ length: 70 }, (_, i) => i * 13));
    const w = tf.randomNormal([784, 5], 0, 1, 'float32', 1);
    const encode = (x: tf.Tensor) => tf.matMul(tf.reshape(x, [x.shape[0], 784]), w) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const e = embedDataset(data, encode, { batchSize: 32, onProgress: (d) => seen.push(d) });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual([32, 64, 70]);
    expect(e.dim).toBe(5);
    const all = embedDataset(data, encode, { batchSize: 1000 });
    for (let i = 0; i < e.values.length; i++) expect(e.values[i]).toBeCloseTo(all.values[i], 4);
    // Row 3 by hand: pixels / 255 times w.
    const px = Array.from(data.images.subarray(3 * 784, 4 * 784), (v) => v / 255);
    const wv = w.arraySync() as number[][];
    for (let j = 0; j < 5; j++) expect(e.values[3 * 5 + j]).toBeCloseTo(px.reduce((s, v, k) => s + v * wv[k][j], 0), 3);
    w.dispose();
    expect(() => embedDataset(data, encode, { batchSize: 0 })).toThrow(/batchSize must be an integer >= 1, received 0/);
  });
});
