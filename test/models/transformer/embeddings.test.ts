import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../../src/backend/register.js';
import { TokenEmbeddings } from '../../../src/models/transformer/embeddings.js';
import { centralDiff, maxAbsDiff, refEmbeddings, seededValues, toMat } from './transformer-encoder.reference.js';

const [V, H, P, T] = [20, 8, 6, 2];
const IDS = [
  [2, 7, 11, 3],
  [2, 5, 0, 0],
];

function build(options: Partial<ConstructorParameters<typeof TokenEmbeddings>[0]> = {}) {
  const layer = new TokenEmbeddings({ vocabSize: V, hiddenSize: H, maxPositions: P, typeVocabSize: T, seed: 1, ...options });
  const ids = tf.tensor2d(IDS, [2, 4], 'int32');
  tf.dispose(layer.apply(ids) as tf.Tensor); // build
  const values = layer.getWeights().map((w, i) => {
    const v = seededValues(w.size, 10 + i, -1, 1);
    if (i === 3) for (let j = 0; j < v.length; j++) v[j] += 1; // gamma around 1
    return v;
  });
  layer.setWeights(values.map((v, i) => tf.tensor(v, layer.getWeights()[i].shape)));
  return { layer, ids, values };
}

describe('TokenEmbeddings', () => {
  it("holds BERT's weights: word [V, H], position [P, H], token type [T, H], LayerNorm gamma/beta [H]", () => {
    tf.setBackend('native');
    const { layer, ids } = build();
    expect(layer.weights.map((w) => [w.originalName.replace(/^.*\//, ''), w.shape])).toEqual([
      // standalone, the layer's own name scopes them: embeddings/word_embeddings in a model
      ['word_embeddings', [V, H]],
      ['position_embeddings', [P, H]],
      ['token_type_embeddings', [T, H]],
      ['LayerNorm.gamma', [H]],
      ['LayerNorm.beta', [H]],
    ]);
    expect(layer.computeOutputShape([null, null])).toEqual([null, null, H]);
    ids.dispose();
    layer.dispose();
  });

  it('equals word[id] + position[i] + token_type[0], LayerNorm (float64 reference), forward and gradients', () => {
    tf.setBackend('native');
    const { layer, ids, values } = build({ hiddenDropout: 0 }); // gradients in training mode, without dropout
    const before = tf.memory().numTensors;
    const p = { word: toMat(values[0], V, H), position: toMat(values[1], P, H), tokenType: toMat(values[2], T, H), embNorm: { gamma: Array.from(values[3]), beta: Array.from(values[4]) } };
    const y = tf.tidy(() => (layer.apply(ids) as tf.Tensor).dataSync() as Float32Array);
    expect(maxAbsDiff(y, IDS.flatMap((row) => refEmbeddings(row, p, 1e-12).flat()))).toBeLessThanOrEqual(1e-5);
    const rv = seededValues(2 * 4 * H, 5);
    const R = Array.from(rv);
    const vars = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const grads = tf.tidy(() => {
      const { grads: g } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(ids, { training: true }) as tf.Tensor, tf.tensor3d(rv, [2, 4, H]))) as tf.Scalar, vars);
      return vars.map((v) => g[v.name].dataSync());
    });
    expect(tf.memory().numTensors).toBe(before);
    const loss = () => IDS.flatMap((row) => refEmbeddings(row, p, 1e-12).flat()).reduce((s, v, i) => s + v * R[i], 0);
    const slots: [number[][] | number[], number][] = [[p.word, H], [p.position, H], [p.tokenType, H], [p.embNorm.gamma, 0], [p.embNorm.beta, 0]];
    slots.forEach(([m, cols], k) => {
      const picks = k === 0 ? [2 * H, 7 * H + 3, 0, 19 * H + 1 /* unused: 0 */] : k === 2 ? [0, 5, H + 2 /* type 1: 0 */] : [0, 3, 7];
      for (const i of picks) {
        const fd = cols ? centralDiff((m as number[][])[Math.floor(i / cols)], i % cols, loss) : centralDiff(m as number[], i, loss);
        expect(Math.abs(grads[k][i] - fd), `weight ${k}[${i}]`).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(fd));
      }
    });
    ids.dispose();
    layer.dispose();
  });

  it('without a token-type table (typeVocabSize 0) adds none', () => {
    tf.setBackend('native');
    const { layer, ids, values } = build({ typeVocabSize: 0 });
    expect(layer.weights.map((w) => w.originalName.replace(/^.*\//, ''))).toEqual(['word_embeddings', 'position_embeddings', 'LayerNorm.gamma', 'LayerNorm.beta']);
    const p = { word: toMat(values[0], V, H), position: toMat(values[1], P, H), embNorm: { gamma: Array.from(values[2]), beta: Array.from(values[3]) } };
    const y = tf.tidy(() => (layer.apply(ids) as tf.Tensor).dataSync() as Float32Array);
    expect(maxAbsDiff(y, IDS.flatMap((row) => refEmbeddings(row, p, 1e-12).flat()))).toBeLessThanOrEqual(1e-5);
    ids.dispose();
    layer.dispose();
  });

  it('dropout only in training: kept values scaled by 1 / (1 - rate), a new mask per call', () => {
    tf.setBackend('native');
    const { layer, ids } = build({ hiddenDropout: 0.5 });
    const infer = tf.tidy(() => (layer.apply(ids) as tf.Tensor).dataSync() as Float32Array);
    const [a, b] = [0, 1].map(() => tf.tidy(() => (layer.apply(ids, { training: true }) as tf.Tensor).dataSync() as Float32Array));
    let dropped = 0;
    for (let i = 0; i < a.length; i++) {
      if (a[i] === 0) dropped++;
      else expect(a[i]).toBeCloseTo(2 * infer[i], 5);
    }
    expect(dropped).toBeGreaterThan(10);
    expect(dropped).toBeLessThan(54);
    expect(Array.from(a)).not.toEqual(Array.from(b));
    ids.dispose();
    layer.dispose();
  });

  it('refuses sequences longer than maxPositions and bad options, naming them', () => {
    tf.setBackend('native');
    const { layer, ids } = build();
    expect(() => tf.tidy(() => layer.apply(tf.zeros([1, P + 1], 'int32')) as tf.Tensor)).toThrow(/at most maxPositions = 6 tokens, received 7/);
    expect(() => new TokenEmbeddings({ vocabSize: 0, hiddenSize: H, maxPositions: P })).toThrow(/TokenEmbeddings: vocabSize must be an integer >= 1, received 0/);
    expect(() => new TokenEmbeddings({ vocabSize: V, hiddenSize: H, maxPositions: P, hiddenDropout: 1.5 })).toThrow(/hiddenDropout must be a probability in \[0, 1\), received 1.5/);
    ids.dispose();
    layer.dispose();
  });
});
