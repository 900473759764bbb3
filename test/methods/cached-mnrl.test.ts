/**
 * CachedMNRL (GradCache): on a tiny transformer, its parameter gradients equal the whole-graph
 * gradient of MNRL's loss over the same forward passes (dropout 0 and 0.1; mini-batches that do and
 * do not divide the batch; with and without hard negatives), and MNRL's own step when one
 * mini-batch holds the batch; its loss is the float64 loop's on the embeddings; the peak memory of
 * a step grows with the batch by the cached embeddings only; a run through the Trainer stopped and
 * resumed equals the straight run bit for bit; no tensor leaks; options are checked.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { DataLoader } from '../../src/data/loader.js';
import { type Batch, type ViewInput, disposeBatch, isTensor, makeBatch } from '../../src/data/batch.js';
import type { Source } from '../../src/data/source.js';
import { PairViews, type TextPair } from '../../src/data/text-pairs.js';
import { mnrlLoss } from '../../src/losses/mnrl.js';
import { CachedMNRL } from '../../src/methods/cached-mnrl.js';
import { MNRL } from '../../src/methods/mnrl.js';
import { dropoutStreams } from '../../src/models/transformer/dropout.js';
import { transformerPreset } from '../../src/models/transformer/presets.js';
import { collateTokens } from '../../src/models/transformer/token-collate.js';
import { transformerEncoder } from '../../src/models/transformer/transformer-encoder.js';
import { trainWordPiece } from '../../src/models/transformer/wordpiece-trainer.js';
import { memoryStore } from '../../src/train/checkpoint-store.js';
import { Trainer, type TrainerOptions } from '../../src/train/trainer.js';
import { Rng } from '../../src/util/random.js';
import { cosine, expectClose } from '../losses/reference.js';

const rng = new Rng(7);
const pick = (a: string[]) => a[rng.int(a.length)];
const subjects = ['the cat', 'a dog', 'my sister', 'the old farmer', 'a young student', 'the pilot', 'our teacher'];
const verbs = ['reads', 'paints', 'carries', 'finds', 'sells', 'cleans', 'builds'];
const objects = ['a red book', 'the wooden chair', 'fresh bread', 'an old map', 'the blue boat', 'a small garden'];
const places = ['in the park', 'at home', 'near the river', 'on the hill', 'in the city'];
const corpus = Array.from({ length: 48 }, () => `${pick(subjects)} ${pick(verbs)} ${pick(objects)} ${pick(places)}`);
const tokenizer = trainWordPiece(corpus, { vocabSize: 160, minFrequency: 1 });
const collate = collateTokens(tokenizer, { maxLength: 12 });
const encoder = (dropout = 0.1) => transformerEncoder(transformerPreset('tiny', { vocabSize: tokenizer.vocabSize, seed: 3, hiddenDropout: dropout, attentionDropout: dropout }));

/** A batch of n (sentence, its first 4 words[, another sentence's last 5 words]) triples. */
function textBatch(n: number, hardNegatives: boolean): Batch {
  const items = Array.from({ length: n }, (_, i) => i);
  const views = [items.map((i) => corpus[i]), items.map((i) => corpus[i].split(' ').slice(0, 4).join(' '))];
  if (hardNegatives) views.push(items.map((i) => corpus[(i + 7) % corpus.length].split(' ').slice(-5).join(' ')));
  return makeBatch(views.map((v) => collate(v)), undefined, Int32Array.from(items));
}

function sliceRows(view: ViewInput, start: number, size: number): ViewInput {
  const rows = (t: tf.Tensor) => tf.slice(t, [start, 0], [size, -1]);
  return isTensor(view) ? rows(view) : Object.fromEntries(Object.entries(view).map(([k, t]) => [k, rows(t)]));
}

/**
 * The reference: MNRL's loss of the projections computed mini-batch by mini-batch (each view, each
 * mini-batch in order: the masks CachedMNRL draws), differentiated as one graph; the dropout
 * streams are put back where they were. Gradients in trainableVariables order.
 */
function wholeGraph(m: CachedMNRL, batch: Batch, miniBatch: number): { loss: number; grads: number[][] } {
  const streams = dropoutStreams(m.backbone);
  const at = streams.map((s) => s.drawn);
  const vars = m.trainableVariables();
  const { value, grads } = tf.variableGrads(() => {
    const e = batch.views.map((view) => {
      const parts: tf.Tensor[] = [];
      for (let s = 0; s < batch.size; s += miniBatch) parts.push(m.project(sliceRows(view, s, Math.min(miniBatch, batch.size - s)), true));
      return tf.concat(parts, 0);
    });
    return mnrlLoss(e[0], e[1], e[2], { scale: m.scale, symmetric: m.symmetric });
  }, vars);
  const out = { loss: value.dataSync()[0], grads: vars.map((v) => Array.from(grads[v.name]?.dataSync() ?? [])) };
  tf.dispose([value, ...Object.values(grads)]);
  streams.forEach((s, k) => { s.drawn = at[k]; });
  return out;
}

function cached(m: CachedMNRL, batch: Batch): { loss: number; grads: number[][] } {
  const { loss, grads } = m.cachedGradients(batch);
  const out = { loss, grads: m.trainableVariables().map((v) => Array.from(grads[v.name]?.dataSync() ?? [])) };
  tf.dispose(Object.values(grads));
  return out;
}

/** Gradients equal up to float32 summation order: atol relative to the largest entry of the variable. */
function expectSameGrads(got: number[][], want: number[][]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(got[i].length).toBe(want[i].length);
    const top = want[i].reduce((a, x) => Math.max(a, Math.abs(x)), 0);
    expectClose(got[i], want[i], 2e-5 * top + 1e-7, 1e-3);
  }
}

/** MNRL the slow way in float64 (the one direction, hard negatives as candidates). */
function loopMnrl(a: number[][], p: number[][], n: number[][], scale: number): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    let den = 0;
    for (const c of [...p, ...n]) den += Math.exp(scale * cosine(a[i], c));
    total += Math.log(den) - scale * cosine(a[i], p[i]);
  }
  return total / a.length;
}

describe('CachedMNRL', () => {
  for (const dropout of [0, 0.1]) {
    it(`gradients equal the whole graph's for mini-batches 2, 3, 5, 8 and 16 of a batch of 8 (dropout ${dropout})`, () => {
      const m = new CachedMNRL({ backbone: encoder(dropout), miniBatchSize: 3 });
      for (const hard of [false, true]) {
        const batch = textBatch(8, hard);
        tf.dispose(m.loss(batch)); // the collapse measure's first record (one kept scalar)
        for (const mb of [2, 3, 5, 8, 16]) {
          (m as { miniBatchSize: number }).miniBatchSize = mb;
          const streams = dropoutStreams(m.backbone);
          const start = streams.map((s) => s.drawn);
          const want = wholeGraph(m, batch, mb);
          const before = tf.memory().numTensors;
          const got = cached(m, batch);
          expect(tf.memory().numTensors).toBe(before);
          expectClose([got.loss], [want.loss], 1e-6, 1e-5);
          expectSameGrads(got.grads, want.grads);
          if (dropout > 0) {
            // The step moved the streams on by one pass over the batch: the next pass draws new masks.
            expect(streams.map((s) => s.drawn)).not.toEqual(start);
            expect(wholeGraph(m, batch, mb).loss).not.toBe(got.loss);
          }
        }
        disposeBatch(batch);
      }
      m.dispose();
    }, 120_000);
  }

  it('with one mini-batch it is MNRL: the same loss and gradients, dropout masks included; two Adam steps agree', () => {
    const a = new MNRL({ backbone: encoder() });
    const b = new CachedMNRL({ backbone: encoder(), miniBatchSize: 32 });
    const batch = textBatch(12, true);
    const vars = a.trainableVariables();
    const { value, grads } = tf.variableGrads(() => a.loss(batch), vars);
    const want = { loss: value.dataSync()[0], grads: vars.map((v) => Array.from(grads[v.name]?.dataSync() ?? [])) };
    tf.dispose([value, ...Object.values(grads)]);
    const got = cached(b, batch);
    expectClose([got.loss], [want.loss], 1e-6, 1e-5);
    expectSameGrads(got.grads, want.grads);
    const [oa, ob] = [tf.train.adam(1e-3), tf.train.adam(1e-3)];
    for (let s = 0; s < 2; s++) {
      const la = a.trainStep(batch, oa), lb = b.trainStep(batch, ob);
      expectClose([lb], [la], 1e-6, 1e-5);
    }
    const wa = a.getWeights().map((t) => Array.from(t.dataSync())), wb = b.getWeights().map((t) => Array.from(t.dataSync()));
    wa.forEach((w, i) => expectClose(wb[i], w, 1e-6, 1e-4));
    disposeBatch(batch);
    [oa, ob].forEach((o) => o.dispose());
    a.dispose();
    b.dispose();
  }, 60_000);

  it('its loss is the float64 loop\'s on the encoder\'s embeddings (dropout 0); loss() gives the same value and, as one graph, the same gradients', () => {
    const m = new CachedMNRL({ backbone: encoder(0), miniBatchSize: 4, scale: 10 });
    const batch = textBatch(9, true);
    const rows = batch.views.map((v) => {
      const e = m.embed(v);
      const out = Array.from({ length: 9 }, (_, i) => Array.from(e.dataSync().slice(i * 32, (i + 1) * 32)));
      e.dispose();
      return out;
    });
    const want = loopMnrl(rows[0], rows[1], rows[2], 10);
    const got = cached(m, batch).loss;
    expectClose([got], [want], 1e-5, 1e-5);
    const l = m.loss(batch);
    expectClose([l.dataSync()[0]], [want], 1e-5, 1e-5);
    l.dispose();
    // loss() is differentiable as one graph (what optimizer.minimize would do): the same gradients.
    const vars = m.trainableVariables();
    const { value, grads } = tf.variableGrads(() => m.loss(batch), vars);
    expectSameGrads(cached(m, batch).grads, vars.map((v) => Array.from(grads[v.name]?.dataSync() ?? [])));
    tf.dispose([value, ...Object.values(grads)]);
    expect(m.collapseStd()).toBeGreaterThan(0);
    disposeBatch(batch);
    m.dispose();
  }, 60_000);

  it('peak memory of a step grows with the batch by its embeddings only, not by its activations', async () => {
    const peak = async (method: CachedMNRL | MNRL, n: number) => {
      const batch = textBatch(n, true);
      const opt = tf.train.sgd(0);
      method.trainStep(batch, opt); // optimizer slots and any lazy state first
      const before = tf.memory().numTensors;
      const info = await tf.profile(() => { method.trainStep(batch, opt); });
      expect(tf.memory().numTensors).toBe(before);
      disposeBatch(batch);
      opt.dispose();
      return info.peakBytes;
    };
    const c = new CachedMNRL({ backbone: encoder(), miniBatchSize: 4 });
    const f = new MNRL({ backbone: encoder() });
    const [c12, c36, f12, f36] = [await peak(c, 12), await peak(c, 36), await peak(f, 12), await peak(f, 36)];
    // 24 more items: 3 views x 24 rows of 32 floats cached (9 KB), their gradient, and the loss's
    // [N, 2N] graph; MNRL keeps their activations (here 2.7 MB vs 2.7 MB, and 13.8 MB vs 39 MB).
    expect(c36 - c12).toBeLessThan(0.1 * (f36 - f12));
    expect(c36).toBeLessThan(f12);
    c.dispose();
    f.dispose();
  }, 60_000);

  it('through the Trainer: the loss falls; stopped after epoch 1 and resumed equals the straight run bit for bit; no leak', async () => {
    const pairs: Source<TextPair> = {
      name: 'pairs', size: corpus.length, spec: { kind: 'text' }, id: (i) => String(i),
      item: (i) => ({ texts: [corpus[i], corpus[i].split(' ').slice(0, 5).join(' ')] }),
    };
    const loader = () => new DataLoader({ source: pairs, views: new PairViews(2), collate });
    const base: TrainerOptions = { epochs: 3, batchSize: 12, seed: 2, learningRate: 3e-3, onWarning: () => {} };
    const values = (ts: tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));
    const a = new CachedMNRL({ backbone: encoder(), miniBatchSize: 5 });
    const straight = await new Trainer(base).fit(a, loader());
    expect(straight[2].loss).toBeLessThan(straight[0].loss);
    const store = memoryStore();
    const b = new CachedMNRL({ backbone: encoder(), miniBatchSize: 5 });
    await new Trainer({ ...base, checkpointStore: store, onEpochEnd: (l) => { if (l.epoch === 1) throw new Error('stop'); } }).fit(b, loader()).catch((e: Error) => expect(e.message).toBe('stop'));
    b.dispose();
    const before = tf.memory().numTensors;
    const c = new CachedMNRL({ backbone: encoder(), miniBatchSize: 5 });
    const resumed = await new Trainer({ ...base, checkpointStore: store, resume: true }).fit(c, loader());
    expect(resumed.map((h) => h.loss)).toEqual(straight.map((h) => h.loss));
    expect(values(c.getWeights())).toEqual(values(a.getWeights()));
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
    store.dispose();
  }, 120_000);

  it('checks its options and views, naming them', () => {
    const e = encoder();
    expect(() => new CachedMNRL({ backbone: e, miniBatchSize: 0 })).toThrow('CachedMNRL: miniBatchSize must be an integer >= 1, received 0');
    expect(() => new CachedMNRL({ backbone: e, miniBatchSize: 2.5 })).toThrow('CachedMNRL: miniBatchSize must be an integer >= 1, received 2.5');
    expect(() => new CachedMNRL({ backbone: e, scale: -1 })).toThrow('CachedMNRL: scale must be a finite number > 0, received -1');
    expect(() => new CachedMNRL({ backbone: e, symmetric: 1 as never })).toThrow('CachedMNRL: symmetric must be a boolean, received 1');
    expect(() => new CachedMNRL({} as never)).toThrow('CachedMNRL: backbone is required (a LayersModel), received undefined');
    const m = new CachedMNRL({ backbone: e });
    expect(m.miniBatchSize).toBe(32);
    expect(m.name).toBe('cached-mnrl');
    const batch = textBatch(4, false);
    const one = makeBatch([batch.views[0]]);
    expect(() => m.cachedGradients(one)).toThrow('CachedMNRL: expects 2 views (anchor, positive) or 3 (with a hard negative), received 1');
    disposeBatch(batch);
    m.dispose();
  });
});
