/**
 * Tokenizer speed: WordPiece training (vocab 8000 and 30522) on 100,000 sentences taken from the
 * READMEs and licences under node_modules (repeated to 100k), then encodeBatch (32 texts, maxLength
 * 128) and encode one by one on 20,000 of them.   npm run build && node bench/tokenizer-speed.mjs [N]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { trainWordPiece } from '../dist/models/transformer/wordpiece-trainer.js';

const root = new URL('../node_modules', import.meta.url).pathname;
const texts = [];
const walk = (dir, depth) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    let st; try { st = statSync(p); } catch { continue; }
    if (st.isDirectory()) { if (depth < 3 && name !== '.bin') walk(p, depth + 1); }
    else if (/^(readme|license|changelog|history)(\.(md|txt|markdown))?$/i.test(name) && st.size < 2e6) texts.push(readFileSync(p, 'utf8'));
  }
};
walk(root, 0);
let sentences = texts.join('\n').split(/(?<=[.!?])\s+|\n\s*\n/).map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => s.length >= 20 && s.length <= 400);
console.log(`files ${texts.length}, sentences ${sentences.length}, chars ${sentences.reduce((a, s) => a + s.length, 0)}`);
const N = Number(process.argv[2] ?? 100000);
while (sentences.length < N) sentences = sentences.concat(sentences);
const corpus = sentences.slice(0, N);
const words = corpus.reduce((a, s) => a + s.split(' ').length, 0);
console.log(`corpus ${corpus.length} sentences, ${words} whitespace words, mean ${(corpus.reduce((a, s) => a + s.length, 0) / corpus.length).toFixed(0)} chars`);

for (const vocabSize of [8000, 30522]) {
  const t0 = performance.now();
  const tok = trainWordPiece(corpus, { vocabSize });
  const t1 = performance.now();
  console.log(`train vocabSize ${vocabSize}: ${((t1 - t0) / 1000).toFixed(2)} s, vocab ${tok.vocabSize}`);
  if (vocabSize !== 8000) continue;
  // tokenize: encodeBatch of 32 texts at a time, maxLength 128
  const M = 20000;
  let t2 = performance.now(), tokens = 0;
  for (let i = 0; i < M; i += 32) {
    const b = tok.encodeBatch(corpus.slice(i, i + 32), { maxLength: 128 });
    tokens += b.attentionMask.reduce((a, x) => a + x, 0);
  }
  let t3 = performance.now();
  console.log(`encodeBatch (32 per batch, maxLength 128): ${M} texts in ${((t3 - t2) / 1000).toFixed(2)} s = ${(M / ((t3 - t2) / 1000)).toFixed(0)} texts/s, ${(tokens / ((t3 - t2) / 1000)).toFixed(0)} tokens/s`);
  t2 = performance.now();
  for (let i = 0; i < M; i++) tok.encode(corpus[i]);
  t3 = performance.now();
  console.log(`encode one by one: ${(M / ((t3 - t2) / 1000)).toFixed(0)} texts/s`);
}
