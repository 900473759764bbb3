#!/usr/bin/env node
/**
 * The methods table of BENCHMARKS.md from the runs of bench/methods.sh: kNN and linear-probe
 * top-1, MAP@R, kNN and MAP@R of the whitened representation (eval --whiten), the last epoch's collapse measure, training images/s (median over epochs) and the
 * training process's peak RSS (from its log), one markdown row per method.
 *   node bench/methods-table.mjs [methods...]
 */
import { existsSync, readFileSync } from 'node:fs';

const methods = process.argv.slice(2).length ? process.argv.slice(2) : ['simclr', 'supcon', 'moco', 'mocov3', 'byol', 'simsiam', 'barlow', 'vicreg', 'nnclr'];
const pct = (v) => `${(100 * v).toFixed(2)}%`;
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log('| method | epochs | kNN | probe | MAP@R | kNN, whitened | MAP@R, whitened | collapse std (last epoch) | images/s (median epoch) | peak RSS |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const m of methods) {
  const dir = `runs/methods/${m}`;
  if (!existsSync(`${dir}.eval.json`)) {
    console.log(`| ${m} | (not run) | | | | | | | | |`);
    continue;
  }
  const ev = JSON.parse(readFileSync(`${dir}.eval.json`, 'utf8'));
  const history = JSON.parse(readFileSync(`${dir}/checkpoint.json`, 'utf8')).state.history;
  const rss = /peak RSS (\d+) MB/.exec(readFileSync(`${dir}.train.log`, 'utf8'))?.[1] ?? '?';
  const last = history.at(-1);
  const white = existsSync(`${dir}.white.json`) ? JSON.parse(readFileSync(`${dir}.white.json`, 'utf8')) : undefined;
  const w = white ? `${pct(white.knnTop1)} | ${pct(white.encoder.retrieval.mapAtR)}` : '(not run) | ';
  console.log(`| ${m} | ${history.length} | ${pct(ev.knnTop1)} | ${pct(ev.linearProbeTop1)} | ${pct(ev.encoder.retrieval.mapAtR)} | ${w} | ${last.collapseStd?.toFixed(4) ?? '-'} | ${median(history.map((h) => h.itemsPerSecond ?? h.imagesPerSecond)).toFixed(0)} | ${rss} MB |`);
}
