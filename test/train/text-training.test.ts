/**
 * Text on the one data path, with no trainer of its own: a text source -> TextViews (or PairViews)
 * -> collateTokens (a WordPiece tokenizer trained on the corpus) -> SimCSE / MNRL on a tiny
 * transformer with dropout -> the Trainer. Training lowers the loss, and a run stopped after epoch
 * 1 and resumed gives the uninterrupted run's losses and weights bit for bit (dropout masks
 * included: their position is checkpoint state).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { TextViews } from '../../src/augment/text/text-views.js';
import { DataLoader } from '../../src/data/loader.js';
import type { Source } from '../../src/data/source.js';
import { PairViews, type TextPair } from '../../src/data/text-pairs.js';
import { MNRL } from '../../src/methods/mnrl.js';
import { SimCSE } from '../../src/methods/simcse.js';
import { collateTokens } from '../../src/models/transformer/token-collate.js';
import { transformerPreset } from '../../src/models/transformer/presets.js';
import { transformerEncoder } from '../../src/models/transformer/transformer-encoder.js';
import { trainWordPiece } from '../../src/models/transformer/wordpiece-trainer.js';
import { memoryStore } from '../../src/train/checkpoint-store.js';
import { Trainer, type TrainerOptions } from '../../src/train/trainer.js';
import { Rng } from '../../src/util/random.js';

// A small corpus of sentences from a grammar (seeded): subjects, verbs, objects, places.
const rng = new Rng(11);
const pick = (a: string[]) => a[rng.int(a.length)];
const subjects = ['the cat', 'a dog', 'my sister', 'the old farmer', 'a young student', 'the pilot', 'our teacher', 'the baker'];
const verbs = ['reads', 'paints', 'carries', 'finds', 'sells', 'cleans', 'builds', 'watches'];
const objects = ['a red book', 'the wooden chair', 'fresh bread', 'an old map', 'the blue boat', 'a small garden', 'the kitchen table'];
const places = ['in the park', 'at home', 'near the river', 'on the hill', 'in the city', 'by the sea'];
const corpus = Array.from({ length: 96 }, () => `${pick(subjects)} ${pick(verbs)} ${pick(objects)} ${pick(places)}`);
const tokenizer = trainWordPiece(corpus, { vocabSize: 200, minFrequency: 1 });

const texts: Source<string> = { name: 'sentences', size: corpus.length, spec: { kind: 'text' }, item: (i) => corpus[i], id: (i) => `line ${i + 1}` };
const encoder = () => transformerEncoder(transformerPreset('tiny', { vocabSize: tokenizer.vocabSize, seed: 3 }));
const values = (ts: tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));

describe('text training on the generic path', () => {
  it('SimCSE on a tiny transformer: the loss falls; stopped and resumed equals straight, dropout masks included', async () => {
    const loader = () => new DataLoader({ source: texts, views: new TextViews(), collate: collateTokens(tokenizer, { maxLength: 16 }) });
    const base: TrainerOptions = { epochs: 3, batchSize: 16, seed: 4, learningRate: 3e-3, onWarning: () => {} };
    const a = new SimCSE({ backbone: encoder() });
    const straight = await new Trainer(base).fit(a, loader());
    expect(straight[2].loss).toBeLessThan(straight[0].loss);
    const store = memoryStore();
    const b = new SimCSE({ backbone: encoder() });
    await new Trainer({ ...base, checkpointStore: store, onEpochEnd: (l) => { if (l.epoch === 1) throw new Error('stop'); } }).fit(b, loader()).catch((e: Error) => expect(e.message).toBe('stop'));
    b.dispose();
    const before = tf.memory().numTensors;
    const c = new SimCSE({ backbone: encoder() });
    const resumed = await new Trainer({ ...base, checkpointStore: store, resume: true }).fit(c, loader());
    expect(resumed.map((h) => h.loss)).toEqual(straight.map((h) => h.loss));
    expect(values(c.getWeights())).toEqual(values(a.getWeights()));
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
    store.dispose();
  }, 120_000);

  it('MNRL on (sentence, crop of it) pairs through PairViews', async () => {
    const pairs: Source<TextPair> = {
      name: 'pairs', size: corpus.length, spec: { kind: 'text' }, id: (i) => String(i),
      item: (i) => ({ texts: [corpus[i], corpus[i].split(' ').slice(0, 5).join(' ')] }),
    };
    const m = new MNRL({ backbone: encoder() });
    const history = await new Trainer({ epochs: 2, batchSize: 16, seed: 1, learningRate: 3e-3 })
      .fit(m, new DataLoader({ source: pairs, views: new PairViews(2), collate: collateTokens(tokenizer, { maxLength: 16 }) }));
    expect(history[1].loss).toBeLessThan(history[0].loss);
    const e = m.embed(collateTokens(tokenizer, { maxLength: 16 })(['the cat reads a red book']));
    expect(e.shape).toEqual([1, 32]);
    tf.dispose(e);
    m.dispose();
  }, 120_000);
});
