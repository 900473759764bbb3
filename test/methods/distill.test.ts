/**
 * Distill: its loss is the float64 mean squared error between the student's (projected) embeddings
 * and the teacher's rows of the batch's items, for a precomputed matrix and a teacher function
 * alike, one view or the mean over several; the default projection's gradient equals the float64
 * closed form; teacherEmbeddings embeds a source in batches (sync or async teacher, UseLite's
 * { values, dim } shape) with progress; training through the Trainer lowers the loss; no tensor
 * leaks; bad options and teacher answers are named.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { identityViews } from '../../src/augment/view-transform.js';
import { type Batch, disposeBatch, makeBatch } from '../../src/data/batch.js';
import { DataLoader } from '../../src/data/loader.js';
import type { Source } from '../../src/data/source.js';
import { Distill, type TeacherMatrix, teacherEmbeddings } from '../../src/methods/distill.js';
import { projectionHead } from '../../src/models/heads.js';
import { transformerPreset } from '../../src/models/transformer/presets.js';
import { collateTokens } from '../../src/models/transformer/token-collate.js';
import { transformerEncoder } from '../../src/models/transformer/transformer-encoder.js';
import { trainWordPiece } from '../../src/models/transformer/wordpiece-trainer.js';
import { Trainer } from '../../src/train/trainer.js';
import { Rng } from '../../src/util/random.js';
import { randomArray } from '../backend/parity.js';
import { expectClose } from '../losses/reference.js';

const rng = new Rng(13);
const pick = (a: string[]) => a[rng.int(a.length)];
const subjects = ['the cat', 'a dog', 'my sister', 'the old farmer', 'a young student', 'the pilot'];
const verbs = ['reads', 'paints', 'carries', 'finds', 'sells', 'cleans'];
const objects = ['a red book', 'the wooden chair', 'fresh bread', 'an old map', 'the blue boat'];
const corpus = Array.from({ length: 48 }, () => `${pick(subjects)} ${pick(verbs)} ${pick(objects)}`);
const texts: Source<string> = { name: 'sentences', size: corpus.length, spec: { kind: 'text' }, item: (i) => corpus[i], id: (i) => String(i) };
const tokenizer = trainWordPiece(corpus, { vocabSize: 140, minFrequency: 1 });
const collate = collateTokens(tokenizer, { maxLength: 10 });
const encoder = (dropout = 0) => transformerEncoder(transformerPreset('tiny', { vocabSize: tokenizer.vocabSize, seed: 5, hiddenDropout: dropout, attentionDropout: dropout }));

/** A teacher of width 6: the mean of a fixed random vector per word (a bag of words). */
const wordVector = (w: string) => randomArray(6, [...w].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7));
function bagOfWords(batch: readonly string[]): Float32Array[] {
  return batch.map((t) => {
    const ws = t.split(' '), out = new Float32Array(6);
    for (const w of ws) wordVector(w).forEach((x, d) => { out[d] += x / ws.length; });
    return out;
  });
}

/** Rows of a [n, d] tensor as float64 arrays (disposed). */
function rowsOf(t: tf.Tensor): number[][] {
  const [n, d] = t.shape, v = t.dataSync();
  t.dispose();
  return Array.from({ length: n }, (_, i) => Array.from(v.slice(i * d, (i + 1) * d)));
}

/** The slow way: (1 / (B D)) sum_i sum_d (s_id - t_id)^2. */
function loopMse(s: number[][], t: number[][]): number {
  let total = 0;
  for (let i = 0; i < s.length; i++) for (let d = 0; d < s[i].length; d++) total += (s[i][d] - t[i][d]) ** 2;
  return total / (s.length * s[0].length);
}

function textBatch(items: number[], views: ((t: string) => string)[]): Batch {
  return makeBatch(views.map((f) => collate(items.map((i) => f(corpus[i])))), undefined, Int32Array.from(items));
}

describe('Distill', () => {
  it('with equal widths, the loss is the float64 MSE to the teacher matrix\'s rows of the batch\'s items; a teacher function gives the same', async () => {
    const teacher32: TeacherMatrix = { rows: corpus.length, dim: 32, data: randomArray(corpus.length * 32, 3) };
    const m = new Distill({ backbone: encoder(), teacher: teacher32 });
    expect(m.teacherDim).toBe(32);
    expect(m.projectionDim).toBe(32);
    const f = new Distill({ backbone: encoder(), teacher: (ts) => ts.map((t) => teacher32.data.slice(corpus.indexOf(t) * 32, corpus.indexOf(t) * 32 + 32)), texts });
    const items = [5, 0, 17, 3];
    const batch = textBatch(items, [(t) => t]);
    const before = tf.memory().numTensors;
    const got = tf.tidy(() => m.loss(batch).dataSync()[0]);
    const student = rowsOf(m.embed(batch.views[0]));
    const want = loopMse(student, items.map((i) => Array.from(teacher32.data.slice(i * 32, (i + 1) * 32))));
    expectClose([got], [want], 1e-6, 1e-5);
    expectClose([tf.tidy(() => f.loss(batch).dataSync()[0])], [got], 1e-7, 1e-6);
    expect(tf.memory().numTensors).toBe(before + 2); // the two methods' collapse measures
    disposeBatch(batch);
    m.dispose();
    f.dispose();
  }, 60_000);

  it('with a narrower teacher, a linear projection: loss and its gradient equal the float64 closed form; two views average', () => {
    const teacher = { rows: corpus.length, dim: 6, data: Float32Array.from(bagOfWords(corpus).flatMap((r) => Array.from(r))) };
    const m = new Distill({ backbone: encoder(), teacher, seed: 2 });
    expect(m.projectionDim).toBe(6);
    const items = [1, 2, 40, 9, 11];
    const crop = (t: string) => t.split(' ').slice(0, 3).join(' ');
    const batch = textBatch(items, [(t) => t, crop]);
    const [kernel, bias] = m.head.getWeights().map((w) => Array.from(w.dataSync()));
    const t = items.map((i) => Array.from(teacher.data.slice(i * 6, (i + 1) * 6)));
    // Per view: h [B, 32] the backbone's output, s = h W + b, loss_v = mean (s - t)^2; dL/dW = (1/V) sum_v (2 / (B D)) h^T (s - t).
    const gradW = new Float64Array(32 * 6), gradB = new Float64Array(6);
    let want = 0;
    for (const view of batch.views) {
      const h = rowsOf(m.embed(view));
      const s = h.map((row) => Array.from({ length: 6 }, (_, d) => row.reduce((a, x, k) => a + x * kernel[k * 6 + d], bias[d])));
      want += loopMse(s, t) / 2;
      for (let i = 0; i < items.length; i++) {
        for (let d = 0; d < 6; d++) {
          const g = (2 * (s[i][d] - t[i][d])) / (items.length * 6) / 2;
          gradB[d] += g;
          for (let k = 0; k < 32; k++) gradW[k * 6 + d] += h[i][k] * g;
        }
      }
    }
    const [wK, wB] = m.head.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => m.loss(batch), [wK, wB]);
    expectClose([value.dataSync()[0]], [want], 1e-6, 1e-5);
    expectClose(grads[wK.name].dataSync(), gradW, 1e-6, 1e-4);
    expectClose(grads[wB.name].dataSync(), gradB, 1e-6, 1e-4);
    tf.dispose([value, ...Object.values(grads)]);
    disposeBatch(batch);
    m.dispose();
  }, 60_000);

  it("objective 'infonce': the float64 in-batch InfoNCE of the student's rows against the teacher's rows (cosine / T); trains through the Trainer", async () => {
    const teacher32: TeacherMatrix = { rows: corpus.length, dim: 32, data: randomArray(corpus.length * 32, 4) };
    const m = new Distill({ backbone: encoder(), teacher: teacher32, objective: 'infonce', temperature: 0.1 });
    expect([m.objective, m.temperature]).toEqual(['infonce', 0.1]);
    const items = [2, 9, 30, 4, 11];
    const batch = textBatch(items, [(t) => t]);
    const got = tf.tidy(() => m.loss(batch).dataSync()[0]);
    const s = rowsOf(m.embed(batch.views[0]));
    const t = items.map((i) => Array.from(teacher32.data.slice(i * 32, (i + 1) * 32)));
    const cos = (a: number[], b: number[]) => {
      let ab = 0, aa = 0, bb = 0;
      for (let d = 0; d < a.length; d++) { ab += a[d] * b[d]; aa += a[d] * a[d]; bb += b[d] * b[d]; }
      return ab / (Math.sqrt(aa) * Math.sqrt(bb));
    };
    let want = 0;
    for (let i = 0; i < s.length; i++) {
      let z = 0;
      for (let j = 0; j < t.length; j++) z += Math.exp(cos(s[i], t[j]) / 0.1);
      want += -(cos(s[i], t[i]) / 0.1 - Math.log(z)) / s.length;
    }
    expectClose([got], [want], 1e-5, 1e-5);
    disposeBatch(batch);
    const before = tf.memory().numTensors;
    const history = await new Trainer({ epochs: 4, batchSize: 16, learningRate: 3e-3, seed: 1 })
      .fit(m, new DataLoader({ source: texts, views: identityViews<string>(1), collate }));
    expect(history.at(-1)!.loss).toBeLessThan(history[0].loss);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => new Distill({ backbone: encoder(), teacher: teacher32, objective: 'kl' as never })).toThrow(`Distill: objective must be 'mse' or 'infonce', received "kl"`);
    expect(() => new Distill({ backbone: encoder(), teacher: teacher32, temperature: 0 })).toThrow('Distill: temperature must be a finite number > 0, received 0');
    m.dispose();
  }, 60_000);

  it('teacherEmbeddings embeds a source in batches, in item order, with progress; sync, async and UseLite-shaped teachers', async () => {
    const progress: [number, number][] = [];
    const calls: number[] = [];
    const a = await teacherEmbeddings(texts, (ts) => { calls.push(ts.length); return bagOfWords(ts); }, { batchSize: 20, onProgress: (d, n) => progress.push([d, n]) });
    expect(calls).toEqual([20, 20, 8]);
    expect(progress).toEqual([[20, 48], [40, 48], [48, 48]]);
    expect([a.rows, a.dim]).toEqual([48, 6]);
    expect(Array.from(a.data.slice(6 * 7, 6 * 8))).toEqual(Array.from(bagOfWords([corpus[7]])[0]));
    const b = await teacherEmbeddings(texts, async (ts) => ({ values: Float32Array.from(bagOfWords(ts).flatMap((r) => Array.from(r))), dim: 6 }));
    expect(b.data).toEqual(a.data);
    const c = await teacherEmbeddings(texts, (ts) => Float32Array.from(bagOfWords(ts).flatMap((r) => Array.from(r))), { batchSize: 7 });
    expect(c.data).toEqual(a.data);
    await expect(teacherEmbeddings(texts, (ts) => bagOfWords(ts).slice(1), { batchSize: 16 })).rejects.toThrow('teacherEmbeddings: items 0 to 15: the teacher returned 15 rows for 16 texts');
    await expect(teacherEmbeddings(texts, (ts) => ts.map(() => [NaN, 1]))).rejects.toThrow('teacherEmbeddings: items 0 to 31: the teacher returned NaN at row 0, column 0');
    await expect(teacherEmbeddings(texts, (ts) => ts.map(() => (ts.length === 16 ? [1, 2, 3] : [1, 2])), { batchSize: 32 })).rejects.toThrow('teacherEmbeddings: items 32 to 47: the teacher\'s rows must have 2 values (its width so far), received 3');
    await expect(teacherEmbeddings(texts, bagOfWords, { batchSize: 0 })).rejects.toThrow('teacherEmbeddings: batchSize must be an integer >= 1, received 0');
  });

  it('trains through the Trainer on precomputed teacher embeddings: the loss falls; no leak', async () => {
    const teacher = await teacherEmbeddings(texts, bagOfWords);
    const before = tf.memory().numTensors;
    const m = new Distill({ backbone: encoder(0.1), teacher, seed: 1 });
    const history = await new Trainer({ epochs: 4, batchSize: 12, seed: 3, learningRate: 3e-3, onWarning: () => {} })
      .fit(m, new DataLoader({ source: texts, views: identityViews<string>(1), collate }));
    expect(history[3].loss).toBeLessThan(history[0].loss * 0.8);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('checks its options, the batch and the teacher\'s answers, naming them', () => {
    const teacher: TeacherMatrix = { rows: 4, dim: 6, data: new Float32Array(24) };
    const e = encoder();
    expect(() => new Distill({ backbone: e } as never)).toThrow('Distill: teacher is required (a TeacherMatrix from teacherEmbeddings, or a function texts -> embeddings), received undefined');
    expect(() => new Distill({ backbone: e, teacher: { rows: 4, dim: 6, data: new Float32Array(23) } })).toThrow('Distill: teacher must be a matrix of rows x dim values (rows, dim >= 1), received rows 4, dim 6, 23 values');
    expect(() => new Distill({ backbone: e, teacher: { rows: 1, dim: 2, data: Float32Array.of(0, Infinity) } })).toThrow('Distill: teacher embeddings must be finite, received Infinity at row 0');
    expect(() => new Distill({ backbone: e, teacher: bagOfWords })).toThrow('Distill: a teacher function needs texts (the training source, or i -> its text i), received undefined');
    expect(() => new Distill({ backbone: e, teacher: () => [[1], [2]], texts })).toThrow('Distill: teacher: the teacher returned 2 rows for 1 texts');
    const head = projectionHead([[32, 5]]);
    expect(() => new Distill({ backbone: e, teacher, head })).toThrow('Distill: head must be a LayersModel with the teacher\'s width 6, received a head of width 5');
    expect(() => new Distill({ backbone: e, teacher, seed: 1.5 })).toThrow('Distill: seed must be an integer, received 1.5');
    head.dispose();
    const m = new Distill({ backbone: e, teacher, seed: 1 });
    const batch = textBatch([0, 5], [(t) => t]);
    expect(() => m.loss(batch)).toThrow('Distill: item 5 of the batch has no teacher embedding (the teacher matrix holds 4 rows)');
    expect(() => m.loss(makeBatch(batch.views))).toThrow('Distill: the batch must carry its items\' positions (indices) to look up their teacher embeddings');
    const f = new Distill({ backbone: encoder(), teacher: (ts) => ts.map(() => [1, 2]), texts: (i) => corpus[i] });
    expect(f.teacherDim).toBe(2);
    disposeBatch(batch);
    m.dispose();
    f.dispose();
  });
});
