#!/usr/bin/env node
/**
 * A small transformer trained here from scratch for the text benchmarks
 * (src/eval/text-benchmarks.ts), then scored with the same functions as the baselines
 * (bench/text-baselines.mjs):
 *
 * 1. Data: only what is not held out: the definitions, examples and lemmas of the WordNet train
 *    synsets (100,122 of 117,791; valid and test synsets never seen) and the 3,883 SpamAssassin
 *    texts outside both the test and the valid texts (labels unused), so one model is scored on
 *    either split.
 * 2. Tokenizer: a WordPiece vocabulary (--vocab, default 8,000) trained on those texts
 *    (src/models/transformer/wordpiece-trainer.ts), lower-cased.
 * 3. Encoder: BERT-style, post-LN, mean pooling (--hidden 128, --layers 2, --heads 4, intermediate
 *    4 x hidden, 64 positions; 1.43M parameters with the 8,000-token vocabulary), dropout 0.1,
 *    seeded; every text cut to --max-length 64 tokens (an email: its subject and first ~50 words).
 *    Adam at --lr with the Trainer's default schedule, one pass over each phase's sample.
 * 4. SimCSE (unsupervised, T = 0.05, Adam) for --simcse-steps steps of --batch texts: a seeded
 *    sample of train definitions, examples and SpamAssassin train texts (--spam-share s: that share
 *    of the texts are emails, repeating them when needed; default 0.5; 0: emails in their natural
 *    share, about 3%).
 * 5. MNRL (scale 20, Adam, NoDuplicatesSampler) for --mnrl-steps steps of --batch pairs, a seeded
 *    sample of (lemma, definition) pairs (each lemma of each train synset) and (definition, example)
 *    pairs (each example), mixed --example-share of the latter.
 * 6. Optional (--distill N [--distill-epochs 3]): before SimCSE, distillation (src/methods/distill.ts,
 *    MSE to the teacher through a trained linear projection) of USE-lite into the student on N seeded
 *    training texts (train definitions and lemmas, 500 spam train texts), USE-lite's embeddings
 *    cached under bench/cache/use-lite/ (~3 texts/s on 2 busy cores: N = 5,000 costs ~30 min once).
 *
 *   npm run build && node bench/text-train.mjs [--on test|valid|valid,test] [--name NAME] [--no-spam] [--probe]
 *       [--hidden 128] [--layers 2] [--heads 4] [--vocab 8000] [--batch 64] [--max-length 64]
 *       [--simcse-steps 150] [--mnrl-steps 900] [--lr 1e-3] [--example-share 0.25] [--spam-share 0.5] [--seed 0] [--distill N] [--long-text windows]
 *       [--distill-lr 2 x lr] [--distill-objective mse|infonce] [--distill-take K] [--teacher-space] [--warmup 0] [--log-every N]
 *
 * --warmup s: linear warm-up of the learning rate over the share s of each phase's steps (then cosine
 * decay; default 0, the Trainer's Adam default). --log-every N: the running loss and the embedding
 * std (collapse monitor) every N steps.
 *
 * Tune with --on valid (the recipe scored on the valid synsets, the test synsets untouched); report
 * with --on test. Figures are merged into bench/results/text-benchmarks.json as `<on>:<name>`;
 * `--on valid,test` scores the one trained model on both.
 */
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { cachedEmbed, flag, loadBench, saveResults, runAll, table, wordnetTrainingTexts } from './text-baselines.mjs';

const dist = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);
const num = (name, fallback) => Number(flag(name, fallback));

const ons = flag('on', 'test').split(',');
const opts = {
  hidden: num('hidden', 128), layers: num('layers', 2), heads: num('heads', 4), vocab: num('vocab', 8000), batch: num('batch', 64),
  maxLength: num('max-length', 64), simcseSteps: num('simcse-steps', 150), mnrlSteps: num('mnrl-steps', 900), lr: num('lr', 1e-3),
  exampleShare: num('example-share', 0.25), spamShare: num('spam-share', 0.5), seed: num('seed', 0), distill: num('distill', 0),
  warmup: num('warmup', 0), distillLr: num('distill-lr', 2 * num('lr', 1e-3)), distillObjective: flag('distill-objective', 'mse'),
};
const logEvery = num('log-every', 0);
const name = flag('name', `transformer-h${opts.hidden}-l${opts.layers}${opts.distill ? '-distill' : ''}-simcse${opts.simcseSteps}-mnrl${opts.mnrlSteps}`);
const probe = process.argv.includes('--probe');
const t0 = performance.now();
const clock = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

const bench = await loadBench();
const { Rng } = await dist('util/random.js');
const { trainWordPiece } = await dist('models/transformer/wordpiece-trainer.js');
const { transformerEncoder } = await dist('models/transformer/transformer-encoder.js');
const { transformerPreset } = await dist('models/transformer/presets.js');
const { collateTokens } = await dist('models/transformer/token-collate.js');
const { SimCSE } = await dist('methods/simcse.js');
const { MNRL } = await dist('methods/mnrl.js');
const { Trainer } = await dist('train/trainer.js');
const { DataLoader } = await dist('data/loader.js');
const { TextViews } = await dist('augment/text/text-views.js');
const { PairViews } = await dist('data/text-pairs.js');
const { NoDuplicatesSampler } = await dist('data/no-duplicates-sampler.js');

// 1. Training data: train synsets and SpamAssassin train texts only.
const split = bench.wordnetSplit();
const spamSource = bench.loadSpamAssassin();
// The spam valid split's train part: neither the test nor the valid texts (one model, both scored).
const spamTexts = bench.spamTrainingTexts(bench.spamSplit(spamSource, { part: 'valid' }), spamSource);
const synsets = split.train;
const rng = new Rng(opts.seed + 17);
const sample = (xs, n) => rng.shuffle([...xs]).slice(0, Math.min(n, xs.length));
console.log(`${name} (${ons.join(', ')}): ${synsets.length} train synsets, ${spamTexts.length} spam train texts; ${JSON.stringify(opts)}`);

// 2. Tokenizer.
const corpus = [...wordnetTrainingTexts(synsets), ...spamTexts];
const tokenizer = trainWordPiece(corpus, { vocabSize: opts.vocab });
console.log(`WordPiece: ${tokenizer.vocabSize} tokens from ${corpus.length} texts (${clock()})`);
const collate = collateTokens(tokenizer, { maxLength: opts.maxLength });

// 3. Encoder.
const backbone = transformerEncoder(transformerPreset('tiny', {
  vocabSize: tokenizer.vocabSize, hiddenSize: opts.hidden, numLayers: opts.layers, numHeads: opts.heads,
  intermediateSize: 4 * opts.hidden, maxPositions: opts.maxLength, seed: opts.seed,
}));
console.log(`encoder: ${backbone.countParams()} parameters`);

const textSource = (texts, label) => ({ name: label, size: texts.length, spec: { kind: 'text' }, item: (i) => texts[i], id: (i) => String(i) });
const pairSource = (pairs) => ({ name: 'pairs', size: pairs.length, spec: { kind: 'text' }, item: (i) => ({ texts: pairs[i] }), id: (i) => String(i) });
const logEpoch = (phase) => (log) => console.log(`  ${phase}: loss ${log.loss.toFixed(4)} (${clock()})`);
// --log-every N: the running loss and the collapse monitor's std every N steps.
const stepLog = (phase) => (logEvery > 0 ? [{ onStepEnd: (s) => {
  if (s.step % logEvery === 0) console.log(`  ${phase} step ${s.step}/${s.stepsPerEpoch}: running loss ${s.loss.toFixed(4)}${s.collapseStd === undefined ? '' : `, embedding std ${s.collapseStd.toFixed(4)}`} (${clock()})`);
} }] : []);
// --warmup s: linear warm-up over that share of each phase's steps (Trainer warmupSteps).
const warmupOf = (steps) => ({ warmupSteps: Math.round(opts.warmup * steps) });
const methods = [];
// --teacher-space (with --distill): the phases after distillation train and embed through the
// distillation's projection (the student's output mapped to the teacher's 512 dimensions), which
// starts where the teacher's space is, instead of the backbone's own output.
const teacherSpace = process.argv.includes('--teacher-space');
let sharedHead;
// With --log-every: how spread the backbone's embeddings of 256 training texts are (mean cosine
// between two different texts, and the norm of the mean of the unit vectors: both near 1 = collapsed).
function logSpread(label, method) {
  const inputs = collate(corpus.slice(0, 256));
  const out = sharedHead ? method.project(inputs, false) : method.embed(inputs);
  const [meanCos, meanNorm] = tf.tidy(() => {
    const u = tf.div(out, tf.norm(out, 2, 1, true));
    const n = u.shape[0];
    const sims = tf.sum(tf.matMul(u, u, false, true)).dataSync()[0];
    return [(sims - n) / (n * (n - 1)), tf.norm(tf.mean(u, 0)).dataSync()[0]];
  });
  tf.dispose([out, ...Object.values(inputs)]);
  console.log(`  ${label}: backbone embeddings of 256 texts: mean cosine ${meanCos.toFixed(4)}, norm of the mean unit vector ${meanNorm.toFixed(4)}`);
}

async function phase(label, method, loader, steps, sampler) {
  const t = performance.now();
  const history = await new Trainer({
    epochs: 1, batchSize: opts.batch, learningRate: opts.lr, seed: opts.seed, onWarning: (l) => console.log(`  ${l}`), onEpochEnd: logEpoch(label),
    callbacks: stepLog(label), ...warmupOf(Math.floor(steps)), ...(sampler ? { sampler } : {}),
  }).fit(method, loader);
  const s = (performance.now() - t) / 1000;
  console.log(`${label}: ${steps} steps of ${opts.batch} in ${s.toFixed(0)} s (${(1000 * s / steps).toFixed(0)} ms/step), loss ${history.at(-1).loss.toFixed(4)}`);
  methods.push(method);
  if (logEvery > 0) logSpread(label, method);
  return s;
}

const seconds = {};
// 6. Optional distillation of USE-lite (needs src/methods/distill.ts).
if (opts.distill > 0) {
  const { Distill } = await dist('methods/distill.js');
  const { identityViews } = await dist('augment/view-transform.js');
  const { UseLite } = await dist('models/use-lite.js');
  const teacherModel = await UseLite.load();
  const texts = sample([...synsets.flatMap((s) => [s.definition, ...s.lemmas]), ...spamTexts.slice(0, 500)], opts.distill);
  const teacherEmbed = cachedEmbed(join(import.meta.dirname, 'cache', 'use-lite'), (ts) => {
    const rows = [];
    for (let s = 0; s < ts.length; s += 256) {
      const { values, dim } = teacherModel.embed(ts.slice(s, s + 256), { batchSize: 32 });
      for (let i = 0; i < values.length / dim; i++) rows.push(values.slice(i * dim, (i + 1) * dim));
      process.stdout.write(`\r  teacher ${Math.min(s + 256, ts.length)}/${ts.length} (${clock()})`);
    }
    process.stdout.write('\n');
    return rows;
  });
  let rows = await teacherEmbed(texts);
  // --distill-take K: distil on the first K of the N texts only (the N texts' teacher cache reused).
  const take = num('distill-take', 0);
  if (take > 0) { texts.length = Math.min(take, texts.length); rows = rows.slice(0, texts.length); }
  const dim = rows[0].length, data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => data.set(r, i * dim));
  const epochs = Math.max(1, Math.round(num('distill-epochs', 3)));
  const method = new Distill({ backbone, teacher: { rows: rows.length, dim, data }, objective: opts.distillObjective, seed: opts.seed });
  const t = performance.now();
  await new Trainer({
    epochs, batchSize: opts.batch, learningRate: opts.distillLr, seed: opts.seed, onWarning: (l) => console.log(`  ${l}`), onEpochEnd: logEpoch('distill'),
    callbacks: stepLog('distill'), ...warmupOf(epochs * Math.floor(texts.length / opts.batch)),
  })
    .fit(method, new DataLoader({ source: textSource(texts, 'distill'), views: identityViews(1), collate }));
  seconds.distill = (performance.now() - t) / 1000;
  methods.push(method);
  if (teacherSpace) sharedHead = method.head;
  if (logEvery > 0) logSpread('distill', method);
}

// 4. SimCSE on definitions, examples and emails (with --spam-share s: that share of the texts are
// emails, cycling through the shuffled spam train texts when more are needed than there are).
const nSimcse = opts.simcseSteps * opts.batch, nSpam = Math.round(opts.spamShare * nSimcse);
const spamCycle = nSpam > 0 ? Array.from({ length: nSpam }, (_, i) => spamTexts[i % spamTexts.length]) : [];
const simcseTexts = nSpam > 0
  ? rng.shuffle([...sample(synsets.flatMap((s) => [s.definition, ...s.examples]), nSimcse - nSpam), ...sample(spamCycle, nSpam)])
  : sample([...synsets.flatMap((s) => [s.definition, ...s.examples]), ...spamTexts], nSimcse);
if (probe) simcseTexts.length = 5 * opts.batch;
if (opts.simcseSteps > 0) {
  seconds.simcse = await phase('SimCSE', new SimCSE({ backbone, ...(sharedHead ? { head: sharedHead } : {}) }),
    new DataLoader({ source: textSource(simcseTexts, 'simcse'), views: new TextViews(), collate }), simcseTexts.length / opts.batch);
}

// 5. MNRL on (lemma, definition) and (definition, example) pairs.
const lemmaPairs = synsets.flatMap((s) => [...new Set(s.lemmas)].map((l) => [l, s.definition]));
const examplePairs = synsets.flatMap((s) => s.examples.map((e) => [s.definition, e]));
const nPairs = (probe ? 5 : opts.mnrlSteps) * opts.batch, nExamples = Math.round(opts.exampleShare * nPairs);
const pairs = rng.shuffle([...sample(lemmaPairs, nPairs - nExamples), ...sample(examplePairs, nExamples)]);
if (opts.mnrlSteps > 0) {
  const sampler = new NoDuplicatesSampler(pairs, { batchSize: opts.batch, seed: opts.seed });
  seconds.mnrl = await phase('MNRL', new MNRL({ backbone, ...(sharedHead ? { head: sharedHead } : {}) }),
    new DataLoader({ source: pairSource(pairs), views: new PairViews(2), collate }), Math.floor(pairs.length / opts.batch), sampler);
}
seconds.training = Object.values(seconds).reduce((a, b) => a + b, 0);
if (probe) process.exit(0);

// Evaluation: the backbone in inference mode (no dropout), mean pooled, batches of 256 texts.
const last = methods.at(-1);
// With --teacher-space the representation scored is the projection's (project in inference mode).
const embedder = sharedHead ? { embed: (inputs) => last.project(inputs, false) } : last;
const { embedTextWindows } = await dist('embed/text-windows.js');
// --long-text windows: also scored with every text embedded whole (src/embed/text-windows.ts:
// windows of --max-length tokens, token-weighted mean), as `<name>-windows`.
const embedWindows = (texts) => {
  const { values, dim } = embedTextWindows(texts, tokenizer, (inputs) => embedder.embed(inputs), { maxLength: opts.maxLength, batchSize: 256 });
  return Array.from({ length: texts.length }, (_, i) => values.slice(i * dim, (i + 1) * dim));
};
const embed = (texts) => {
  const rows = [];
  for (let s = 0; s < texts.length; s += 256) {
    const inputs = collate(texts.slice(s, s + 256));
    const out = embedder.embed(inputs);
    const values = out.dataSync(), dim = out.shape[1];
    for (let i = 0; i < out.shape[0]; i++) rows.push(values.slice(i * dim, (i + 1) * dim));
    tf.dispose([out, ...Object.values(inputs)]);
  }
  return rows;
};
const trainedAt = performance.now();
const variants = [[name, embed], ...(flag('long-text', 'truncate') === 'windows' ? [[`${name}-windows`, embedWindows]] : [])];
for (const on of ons) for (const [name, embed] of variants) {
  const { figures, seconds: evalSeconds } = await runAll(bench, () => embed, { on, spam: !process.argv.includes('--no-spam') });
  // wallSeconds: data, tokenizer, training and this evaluation (not the other split's).
  const entry = { figures, seconds: { ...seconds, ...evalSeconds }, wallSeconds: (trainedAt - t0) / 1000 + Object.values(evalSeconds).reduce((a, b) => a + b, 0), date: new Date().toISOString(), on, options: opts, parameters: backbone.countParams() };
  console.log(`\n${on} figures (x100):\n${table({ [name]: entry })}`);
  const all = saveResults({ [name]: entry }, on);
  const same = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith(`${on}:`)).map(([k, v]) => [k.slice(on.length + 1), v]));
  console.log(`\nall ${on} entries:\n${table(same)}`);
}
methods.at(-1)?.dispose(); // the methods share the backbone: the last one disposes it
