/**
 * What every miner shares: input validation naming the miner, labels as an array, an Int32Array or
 * an int32 tensor, typed-array outputs, valid tuples (anchor and positive share a label, the
 * negative has another), no tensor leaks, and that mining creates no gradient path.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  BatchHardMiner,
  DistanceWeightedMiner,
  EuclideanDistance,
  HardNegativePairMiner,
  SemiHardMiner,
  type PairMiner,
  type TripletMiner,
} from '../../src/index.js';
import { randomArray } from '../backend/parity.js';
import { mine } from './reference.js';

const tripletMiners: [string, () => TripletMiner][] = [
  ['BatchHardMiner', () => new BatchHardMiner()],
  ['SemiHardMiner', () => new SemiHardMiner({ margin: 1 })],
  ['DistanceWeightedMiner', () => new DistanceWeightedMiner({ seed: 1 })],
];
const pairMiners: [string, () => PairMiner][] = [['HardNegativePairMiner', () => new HardNegativePairMiner({ negativesPerAnchor: 2 })]];
const allMiners: [string, () => TripletMiner | PairMiner][] = [...tripletMiners, ...pairMiners];

const labels = [0, 1, 2, 0, 1, 2, 0, 1, 3, 3];
const z = randomArray(10 * 4, 701);

describe('miners: outputs', () => {
  for (const [name, make] of tripletMiners) {
    it(`${name} returns Int32Array triplets of valid rows, with no leak`, () => {
      const t = mine(make(), z, [10, 4], labels);
      for (const list of [t.anchors, t.positives, t.negatives]) expect(list).toBeInstanceOf(Int32Array);
      expect(t.anchors.length).toBeGreaterThan(0);
      for (let i = 0; i < t.anchors.length; i++) {
        expect(t.positives[i]).not.toBe(t.anchors[i]);
        expect(labels[t.positives[i]]).toBe(labels[t.anchors[i]]);
        expect(labels[t.negatives[i]]).not.toBe(labels[t.anchors[i]]);
      }
    });
  }
  for (const [name, make] of pairMiners) {
    it(`${name} returns Int32Array pairs with Uint8Array flags that match the labels, with no leak`, () => {
      const p = mine(make(), z, [10, 4], labels);
      expect(p.anchors).toBeInstanceOf(Int32Array);
      expect(p.others).toBeInstanceOf(Int32Array);
      expect(p.similar).toBeInstanceOf(Uint8Array);
      for (let i = 0; i < p.anchors.length; i++) {
        expect(p.others[i]).not.toBe(p.anchors[i]);
        expect(p.similar[i]).toBe(labels[p.others[i]] === labels[p.anchors[i]] ? 1 : 0);
      }
    });
  }
  for (const [name, make] of allMiners) {
    it(`${name} takes labels as number[], Int32Array or an int32 tensor alike`, () => {
      const want = mine(make(), z, [10, 4], labels);
      expect(mine(make(), z, [10, 4], Int32Array.from(labels))).toEqual(want);
      const y = tf.tensor1d(labels, 'int32');
      const x = tf.tensor2d(z, [10, 4]);
      expect(make().mine(x, y)).toEqual(want);
      tf.dispose([x, y]);
    });
  }
});

describe('miners: validation', () => {
  for (const [name, make] of allMiners) {
    it(`${name} names itself when the embeddings, the labels or the distance are wrong`, () => {
      const miner = make();
      const x = tf.zeros([3, 2]), v = tf.zeros([3]);
      const before = tf.memory().numTensors;
      expect(() => miner.mine(v as unknown as tf.Tensor2D, [0, 0, 1])).toThrow(`${name}.mine: embeddings must be a 2-D tensor [N, D], received shape [3]`);
      expect(() => miner.mine(x as tf.Tensor2D, [0, 1])).toThrow(`${name}.mine: labels must have one entry per row (3), received 2`);
      expect(() => miner.mine(x as tf.Tensor2D, [0, 0.5, 1])).toThrow(`${name}.mine: labels must be integers, received 0.5 at index 1`);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, v]);
      const Miner = miner.constructor as new (options: { distance: unknown }) => unknown;
      expect(() => new Miner({ distance: 'euclidean' })).toThrow(`${name}: distance must be a Distance (with pairwise and paired), received euclidean`);
      expect(() => new Miner({ distance: new EuclideanDistance() })).not.toThrow();
    });
  }
});

describe('miners: no gradients', () => {
  it('mining inside a gradient computation leaves the gradient of an unrelated loss unchanged and leaks nothing', () => {
    const x = tf.tensor2d(z, [10, 4]);
    const before = tf.memory().numTensors;
    const grad = tf.tidy(() => {
      const g = tf.grad((e: tf.Tensor) => {
        for (const [, make] of allMiners) make().mine(e as tf.Tensor2D, labels);
        return tf.sum(tf.square(e));
      })(x);
      return g.dataSync().slice();
    });
    expect(tf.memory().numTensors).toBe(before);
    const want = Float32Array.from(z, (v) => 2 * v);
    expect(Array.from(grad)).toEqual(Array.from(want));
    x.dispose();
  });
});
