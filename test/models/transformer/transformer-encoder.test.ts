import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeEach, describe, expect, it } from 'vitest';
import '../../../src/backend/register.js';
import { applyModel } from '../../../src/models/apply-model.js';
import {
  registerTransformerLayers,
  resolveTransformerOptions,
  transformerEncoder,
  transformerParamCount,
  TRANSFORMER_INPUTS,
  type TransformerEncoderOptions,
} from '../../../src/models/transformer/transformer-encoder.js';
import { centralDiff, maxAbsDiff, randomizeWeights, refModel, refParamsFromModel, seededValues, type RefConfig, type RefParams } from './transformer-encoder.reference.js';

// The tiny model of the tests: hidden 8, 2 heads of 4, 2 layers, vocabulary 20, sequences of 5
// with padding (rows of 5, 3 and 2 real tokens).
const TINY: TransformerEncoderOptions = { vocabSize: 20, hiddenSize: 8, numLayers: 2, numHeads: 2, intermediateSize: 16, maxPositions: 8, typeVocabSize: 2, seed: 1 };
const IDS = [
  [2, 7, 11, 3, 19],
  [2, 5, 3, 0, 0],
  [2, 13, 0, 0, 0],
];
const MASK = [
  [1, 1, 1, 1, 1],
  [1, 1, 1, 0, 0],
  [1, 1, 0, 0, 0],
];

const inputs = (ids = IDS, mask = MASK) => ({ input_ids: tf.tensor2d(ids, [ids.length, ids[0].length], 'int32'), attention_mask: tf.tensor2d(mask, [mask.length, mask[0].length], 'int32') });

/** The model's output on (ids, mask), as a flat array (no tensor left). */
function run(model: tfl.LayersModel, ids = IDS, mask = MASK, training = false): Float32Array {
  return tf.tidy(() => applyModel(model, inputs(ids, mask), training).dataSync() as Float32Array);
}

function refConfig(o: TransformerEncoderOptions): RefConfig {
  const r = resolveTransformerOptions(o);
  return { numHeads: r.numHeads, eps: r.layerNormEps, norm: r.norm, pooling: r.pooling };
}

let numTensors = 0;
beforeEach(() => {
  tf.setBackend('native');
  numTensors = tf.memory().numTensors;
});

describe('transformerEncoder', () => {
  it('has the inputs input_ids and attention_mask [null, null] int32 and a pooled [null, H] output', () => {
    const model = transformerEncoder(TINY);
    expect(model.inputNames).toEqual([...TRANSFORMER_INPUTS]);
    expect(model.inputs.map((t) => t.shape)).toEqual([[null, null], [null, null]]);
    expect(model.inputs.map((t) => t.dtype)).toEqual(['int32', 'int32']);
    expect(model.outputs[0].shape).toEqual([null, 8]);
    expect(model.layers.map((l) => l.name)).toEqual(['input_ids', 'embeddings', 'attention_mask', 'encoder.layer.0', 'encoder.layer.1', 'pooling']);
    model.dispose();
  });

  for (const norm of ['post', 'pre'] as const) {
    for (const pooling of ['mean', 'cls', 'max', 'none'] as const) {
      it(`equals the float64 reference (${norm}-LN, ${pooling} pooling) within 1e-5, with padding`, () => {
        const o = { ...TINY, norm, pooling };
        const model = transformerEncoder(o);
        randomizeWeights(model, 3);
        const before = tf.memory().numTensors;
        const y = run(model);
        expect(tf.memory().numTensors).toBe(before);
        const ref = refModel(IDS, MASK, refParamsFromModel(model, 2), refConfig(o)).flat();
        expect(y.length).toBe(pooling === 'none' ? 3 * 5 * 8 : 3 * 8);
        expect(maxAbsDiff(y, ref)).toBeLessThanOrEqual(1e-5);
        model.dispose();
      });
    }
  }

  it("equals the reference with BERT's pooler (dense + tanh on CLS)", () => {
    const o: TransformerEncoderOptions = { ...TINY, pooling: 'cls', pooler: true };
    const model = transformerEncoder(o);
    expect(model.weights.map((w) => w.originalName).slice(-2)).toEqual(['pooler.dense/kernel', 'pooler.dense/bias']);
    randomizeWeights(model, 4);
    const p = refParamsFromModel(model, 2);
    expect(p.pooler).toBeDefined();
    expect(maxAbsDiff(run(model), refModel(IDS, MASK, p, refConfig(o)).flat())).toBeLessThanOrEqual(1e-5);
    model.dispose();
  });

  it('post-LN and pre-LN differ on the same weights, and each matches its own reference', () => {
    const post = transformerEncoder({ ...TINY, norm: 'post' });
    const pre = transformerEncoder({ ...TINY, norm: 'pre' });
    randomizeWeights(post, 5);
    randomizeWeights(pre, 5); // the same values for the shared weights (same order), plus the final LN
    const shared = post.weights.length;
    post.weights.forEach((w, i) => expect(Array.from(w.read().dataSync())).toEqual(Array.from(pre.weights[i].read().dataSync())));
    expect(pre.weights.length).toBe(shared + 2);
    const a = run(post), b = run(pre);
    expect(maxAbsDiff(a, b)).toBeGreaterThan(1e-2);
    expect(maxAbsDiff(a, refModel(IDS, MASK, refParamsFromModel(post, 2), refConfig({ ...TINY, norm: 'post' })).flat())).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(b, refModel(IDS, MASK, refParamsFromModel(pre, 2), refConfig({ ...TINY, norm: 'pre' })).flat())).toBeLessThanOrEqual(1e-5);
    post.dispose();
    pre.dispose();
  });

  for (const pooling of ['mean', 'cls', 'max'] as const) {
    it(`padded positions do not change the ${pooling}-pooled output (other ids there, longer padding)`, () => {
      const model = transformerEncoder({ ...TINY, pooling });
      randomizeWeights(model, 6);
      const y = run(model);
      const other = IDS.map((row, b) => row.map((id, i) => (MASK[b][i] ? id : (id + 7 + i) % 20)));
      expect(Array.from(run(model, other))).toEqual(Array.from(y)); // exactly: padded keys get weight 0, padded rows weight 0
      const longer = run(model, IDS.map((r) => [...r, 4, 9]), MASK.map((r) => [...r, 0, 0]));
      expect(maxAbsDiff(longer, y)).toBeLessThanOrEqual(1e-6);
      model.dispose();
    });
  }

  for (const o of [{ norm: 'post', pooling: 'mean' }, { norm: 'pre', pooling: 'max' }, { norm: 'post', pooling: 'cls', pooler: true }] as const) {
    it(`gradients w.r.t. every weight equal central differences of the float64 reference (${JSON.stringify(o)})`, () => {
      // training mode, as a method's step runs it, with dropout 0
      const opts: TransformerEncoderOptions = { ...TINY, ...o, hiddenDropout: 0, attentionDropout: 0 };
      const model = transformerEncoder(opts);
      randomizeWeights(model, 7);
      const R = Array.from(seededValues(3 * 8, 11));
      const before = tf.memory().numTensors;
      let grads = new Map<string, Float32Array>();
      tf.tidy(() => {
        const x = inputs();
        const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
        const { grads: g } = tf.variableGrads(() => tf.sum(tf.mul(applyModel(model, x, true), tf.tensor2d(R, [3, 8]))) as tf.Scalar, vars);
        grads = new Map(model.trainableWeights.map((w, i) => [w.originalName, g[vars[i].name].dataSync() as Float32Array]));
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(grads.size).toBe(model.trainableWeights.length);
      const p = refParamsFromModel(model, 2);
      const cfg = refConfig(opts);
      const loss = () => refModel(IDS, MASK, p, cfg).flat().reduce((s, v, i) => s + v * R[i], 0);
      let checked = 0;
      for (const [name, g] of grads) {
        const target = refSlot(p, name);
        const picks = name.endsWith('word_embeddings') ? [2 * 8 + 1, 13 * 8 + 5, 17 * 8 + 3 /* unused id: 0 */] : [0, Math.floor(g.length / 2), g.length - 1];
        for (const i of picks) {
          const fd = centralDiff(target.row(i), target.col(i), loss);
          expect(Math.abs(g[i] - fd), `${name}[${i}]: autodiff ${g[i]}, finite difference ${fd}`).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(fd));
          checked++;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(3 * 37);
      model.dispose();
    });
  }

  it('round-trips through model.toJSON -> models.modelFromJSON: same config, same outputs', async () => {
    const o: TransformerEncoderOptions = { ...TINY, norm: 'pre', pooling: 'cls', pooler: true, hiddenDropout: 0.2, seed: 9 };
    const model = transformerEncoder(o);
    randomizeWeights(model, 8);
    const topology = JSON.parse(JSON.stringify(model.toJSON(null, false))) as Record<string, unknown>;
    registerTransformerLayers();
    const loaded = await tfl.models.modelFromJSON({ modelTopology: topology as never });
    expect(loaded.inputNames).toEqual(model.inputNames);
    expect(loaded.layers.map((l) => [l.name, l.getClassName()])).toEqual(model.layers.map((l) => [l.name, l.getClassName()]));
    expect(loaded.layers.map((l) => l.getConfig())).toEqual(model.layers.map((l) => l.getConfig()));
    expect(loaded.weights.map((w) => [w.originalName, w.shape])).toEqual(model.weights.map((w) => [w.originalName, w.shape]));
    // as Encoder.fromArtifacts does: weights by original name
    const values = new Map(model.weights.map((w) => [w.originalName, w.read()]));
    loaded.loadWeights(Object.fromEntries(values), true);
    expect(Array.from(run(loaded))).toEqual(Array.from(run(model)));
    expect(Array.from(run(loaded, IDS.map((r) => r.slice(0, 3)), MASK.map((r) => r.slice(0, 3))))).toEqual(Array.from(run(model, IDS.map((r) => r.slice(0, 3)), MASK.map((r) => r.slice(0, 3)))));
    loaded.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(numTensors);
  });

  it('a seed gives the same weights (BERT init: truncated normal std 0.02, zero biases, unit LayerNorm); another seed others', () => {
    const a = transformerEncoder({ ...TINY, seed: 42 });
    const b = transformerEncoder({ ...TINY, seed: 42 });
    const c = transformerEncoder({ ...TINY, seed: 43 });
    const values = (m: tfl.LayersModel) => m.weights.map((w) => Array.from(w.read().dataSync()));
    expect(values(a)).toEqual(values(b));
    const va = values(a), vc = values(c);
    a.weights.forEach((w, i) => {
      const v = va[i];
      const name = w.originalName;
      if (name.endsWith('.bias') || name.endsWith('beta')) expect(v.every((x) => x === 0), name).toBe(true);
      else if (name.endsWith('gamma')) expect(v.every((x) => x === 1), name).toBe(true);
      else {
        expect(v.every((x) => Math.abs(x) <= 0.04 + 1e-7), `${name} within 2 std`).toBe(true);
        const std = Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
        expect(std, name).toBeGreaterThan(0.01);
        expect(std, name).toBeLessThan(0.025);
        expect(vc[i], `${name} differs with another seed`).not.toEqual(v);
      }
    });
    // every kernel has its own draw
    expect(va[a.weights.findIndex((w) => w.originalName === 'encoder.layer.0/attention.self.query.kernel')]).not.toEqual(va[a.weights.findIndex((w) => w.originalName === 'encoder.layer.1/attention.self.query.kernel')]);
    [a, b, c].forEach((m) => m.dispose());
    expect(tf.memory().numTensors).toBe(numTensors);
  });

  it('dropout: off in inference (deterministic), on in training (a new mask each call), seeded masks repeat; rate 0 is the identity', () => {
    const build = (extra: TransformerEncoderOptions = {}) => {
      const m = transformerEncoder({ ...TINY, hiddenDropout: 0.3, attentionDropout: 0.3, ...extra });
      randomizeWeights(m, 10);
      return m;
    };
    const m1 = build();
    const infer = run(m1);
    expect(Array.from(run(m1))).toEqual(Array.from(infer));
    const model = m1 as tfl.LayersModel;
    const viaPredict = tf.tidy(() => (model.predict([inputs().input_ids, inputs().attention_mask]) as tf.Tensor).dataSync());
    expect(Array.from(viaPredict)).toEqual(Array.from(infer));
    const t1 = run(m1, IDS, MASK, true), t2 = run(m1, IDS, MASK, true);
    expect(maxAbsDiff(t1, infer)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(t1, t2)).toBeGreaterThan(1e-3); // two views of the same batch differ (SimCSE)
    const m2 = build(); // same seed: the same sequence of masks
    expect(Array.from(run(m2, IDS, MASK, true))).toEqual(Array.from(t1));
    expect(Array.from(run(m2, IDS, MASK, true))).toEqual(Array.from(t2));
    const m3 = build({ seed: 2 });
    randomizeWeights(m3, 10);
    expect(Array.from(run(m3))).toEqual(Array.from(infer)); // same weights, inference
    expect(maxAbsDiff(run(m3, IDS, MASK, true), t1)).toBeGreaterThan(1e-3); // other seed, other masks
    const m4 = build({ hiddenDropout: 0, attentionDropout: 0 });
    expect(Array.from(run(m4, IDS, MASK, true))).toEqual(Array.from(run(m4)));
    [m1, m2, m3, m4].forEach((m) => m.dispose());
    expect(tf.memory().numTensors).toBe(numTensors);
  });

  it('takes any length up to maxPositions and refuses a longer one, naming maxPositions', () => {
    const model = transformerEncoder(TINY);
    const ids = [[1, 2, 3, 4, 5, 6, 7, 8]];
    expect(run(model, ids, [ids[0].map(() => 1)]).length).toBe(8);
    expect(run(model, [[1]], [[1]]).length).toBe(8);
    const nine = [[...ids[0], 9]];
    expect(() => run(model, nine, [nine[0].map(() => 1)])).toThrow(/maxPositions = 8.*received 9/);
    model.dispose();
    expect(tf.memory().numTensors).toBe(numTensors);
  });

  it('leaves no tensor behind in a training step (forward, backward, optimizer)', () => {
    const model = transformerEncoder(TINY);
    const opt = tf.train.adam(1e-3);
    const x = inputs();
    const step = () => tf.tidy(() => {
      opt.minimize(() => tf.mean(tf.square(applyModel(model, x, true))) as tf.Scalar);
    });
    step();
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x.input_ids, x.attention_mask]);
    opt.dispose();
    model.dispose();
  });

  it('checks its options: each error names the option, the expectation and the value', () => {
    const bad: [TransformerEncoderOptions, RegExp][] = [
      [{ ...TINY, numHeads: 3 }, /hiddenSize must be divisible by numHeads = 3, received 8/],
      [{ ...TINY, vocabSize: 0 }, /vocabSize must be an integer >= 1, received 0/],
      [{ ...TINY, hiddenSize: 7.5 }, /hiddenSize must be an integer >= 1, received 7.5/],
      [{ ...TINY, hiddenDropout: 1 }, /hiddenDropout must be a probability in \[0, 1\), received 1/],
      [{ ...TINY, attentionDropout: -0.1 }, /attentionDropout must be a probability in \[0, 1\), received -0.1/],
      [{ ...TINY, layerNormEps: 0 }, /layerNormEps must be a finite number > 0, received 0/],
      [{ ...TINY, norm: 'middle' as never }, /norm must be 'post' or 'pre', received "middle"/],
      [{ ...TINY, pooling: 'sum' as never }, /pooling must be one of mean, cls, max, none, received "sum"/],
      [{ ...TINY, pooler: true }, /pooler .* needs pooling 'cls', received pooling "mean"/],
      [{ ...TINY, seed: 1.5 }, /seed must be an integer, received 1.5/],
      [{ ...TINY, hidden: 8 } as never, /unknown option 'hidden'; the options are vocabSize, hiddenSize/],
    ];
    for (const [o, re] of bad) {
      expect(() => transformerEncoder(o)).toThrow(re);
      expect(() => transformerEncoder(o)).toThrow(/^transformerEncoder: /);
    }
    expect(tf.memory().numTensors).toBe(numTensors);
  });

  it('counts its parameters as transformerParamCount says', () => {
    for (const o of [TINY, { ...TINY, norm: 'pre' }, { ...TINY, pooling: 'cls', pooler: true }, { ...TINY, typeVocabSize: 0 }] as TransformerEncoderOptions[]) {
      const model = transformerEncoder(o);
      expect(model.countParams()).toBe(transformerParamCount(o));
      model.dispose();
    }
  });
});

/** The reference array holding weight `name`, addressed by the flat index of the tfjs weight. */
function refSlot(p: RefParams, name: string): { row: (i: number) => number[]; col: (i: number) => number } {
  const [scope, weight] = name.split('/');
  let target: number[] | number[][];
  if (scope === 'embeddings') {
    target = weight === 'word_embeddings' ? p.word : weight === 'position_embeddings' ? p.position : weight === 'token_type_embeddings' ? p.tokenType! : weight === 'LayerNorm.gamma' ? p.embNorm.gamma : p.embNorm.beta;
  } else if (scope === 'encoder.LayerNorm') {
    target = weight === 'gamma' ? p.finalNorm!.gamma : p.finalNorm!.beta;
  } else if (scope === 'pooler.dense') {
    target = weight === 'kernel' ? p.pooler!.kernel : p.pooler!.bias;
  } else {
    const l = p.layers[Number(scope.split('.')[2])];
    const parts = weight.split('.');
    const leaf = parts.pop()!;
    const path = parts.join('.');
    const dense = { 'attention.self.query': l.attention.query, 'attention.self.key': l.attention.key, 'attention.self.value': l.attention.value, 'attention.output.dense': l.attention.output, 'intermediate.dense': l.ffn.intermediate, 'output.dense': l.ffn.output }[path];
    const norm = { 'attention.output.LayerNorm': l.attnNorm, 'output.LayerNorm': l.outNorm }[path];
    if (dense) target = leaf === 'kernel' ? dense.kernel : dense.bias;
    else if (norm) target = leaf === 'gamma' ? norm.gamma : norm.beta;
    else throw new Error(`no reference slot for ${name}`);
  }
  if (Array.isArray(target[0])) {
    const m = target as number[][];
    const cols = m[0].length;
    return { row: (i) => m[Math.floor(i / cols)], col: (i) => i % cols };
  }
  return { row: () => target as number[], col: (i) => i };
}
