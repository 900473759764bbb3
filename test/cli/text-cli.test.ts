/**
 * Texts through the CLI as a user runs it (the built dist/cli/index.js in a child process): train
 * SimCSE on a .txt file and MNRL on a .jsonl file of pairs with a tiny transformer (a WordPiece
 * vocabulary trained on the texts), resume, embed the texts, search them with a query, evaluate
 * labelled texts (kNN, probe, retrieval) and pairs (recall@k, MRR); bad text arguments are one
 * line and exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/random.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli', 'index.js');
const dir = mkdtempSync(join(tmpdir(), 'contrastive-text-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// Sentences from a small grammar (seeded); the verb is the label of the labelled file.
const rng = new Rng(5);
const pick = <T>(a: readonly T[]) => a[rng.int(a.length)];
const subjects = ['the cat', 'a dog', 'my sister', 'the old farmer', 'a young student', 'the pilot', 'our teacher', 'the baker'];
const verbs = ['reads', 'paints', 'carries', 'finds', 'sells', 'cleans'];
const objects = ['a red book', 'the wooden chair', 'fresh bread', 'an old map', 'the blue boat', 'a small garden'];
const places = ['in the park', 'at home', 'near the river', 'on the hill', 'in the city', 'by the sea'];
const rows = Array.from({ length: 300 }, () => [pick(subjects), pick(verbs), pick(objects), pick(places)]);
const texts = join(dir, 'texts.txt'), pairs = join(dir, 'pairs.jsonl'), labelled = join(dir, 'labelled.jsonl');
writeFileSync(texts, `${rows.map((r) => r.join(' ')).join('\n')}\n`);
writeFileSync(pairs, `${rows.map((r) => JSON.stringify({ anchor: r.join(' '), positive: `${r[1]} ${r[2]} ${r[3]}` })).join('\n')}\n`);
writeFileSync(labelled, `${rows.map((r) => JSON.stringify({ text: r.join(' '), label: r[1] })).join('\n')}\n`);

const common = ['--preset', 'tiny', '--batch-size', '32', '--max-length', '16', '--vocab-size', '200'];

describe('contrastive CLI on texts', () => {
  it('simcse on a .txt file: trains, resumes, embeds; search finds the nearest texts', () => {
    const out = join(dir, 'simcse');
    const t = run('train', '--data', texts, '--method', 'simcse', '--epochs', '1', '--warmup-steps', '3', '--out', out, ...common);
    expect(t.code, t.err).toBe(0);
    expect(t.err).toMatch(/simcse on texts\.txt \(\d+ texts\), transformer backbone/);
    expect(existsSync(join(out, 'tokenizer.json'))).toBe(true);
    const config = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(config).toMatchObject({ method: 'simcse', backbone: 'transformer', preset: 'tiny', maxLength: 16, vocabSize: 200, input: { kind: 'text' } });
    expect(config.transformer.vocabSize).toBeLessThanOrEqual(200);
    const r = run('train', '--data', texts, '--method', 'simcse', '--epochs', '2', '--out', out, '--resume', ...common);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/epoch 2\/2/);

    const e = join(dir, 'texts.npy');
    const em = run('embed', '--checkpoint', out, '--out', e);
    expect(em.code, em.err).toBe(0);
    const meta = JSON.parse(readFileSync(`${e}.json`, 'utf8'));
    expect(meta).toMatchObject({ rows: 300, dim: 32, data: texts });
    // --long-text windows: every text here fits 16 tokens, so one window each: the same rows.
    const w = join(dir, 'texts-windows.npy');
    const ew = run('embed', '--checkpoint', out, '--out', w, '--long-text', 'windows', '--stride', '7');
    expect(ew.code, ew.err).toBe(0);
    expect(JSON.parse(readFileSync(`${w}.json`, 'utf8'))).toMatchObject({ rows: 300, longText: 'windows', stride: 7 });
    const [a, b] = [e, w].map((f) => { const buf = readFileSync(f); return new Float32Array(buf.buffer.slice(buf.byteOffset + buf.byteLength - 300 * 32 * 4, buf.byteOffset + buf.byteLength)); });
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
    const bad = run('embed', '--checkpoint', out, '--out', w, '--stride', '3');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--stride: applies with --long-text windows, received --long-text truncate/);
    const big = run('embed', '--checkpoint', out, '--out', w, '--long-text', 'windows', '--stride', '50');
    expect(big.code).toBe(2);
    expect(big.err).toMatch(/--stride: must be an integer in \[1, 14\]/);

    const s = run('search', rows[7].join(' '), '--embeddings', e, '--k', '3');
    expect(s.code, s.err).toBe(0);
    const hits = s.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(hits).toHaveLength(3);
    expect(hits.map((h) => h.rank)).toEqual([1, 2, 3]);
    // The query is one of the texts: its own row is the nearest, with cosine 1.
    expect(hits[0].text).toBe(rows[7].join(' '));
    expect(hits[0].score).toBeCloseTo(1, 4);
    expect(hits[0].score).toBeGreaterThanOrEqual(hits[1].score);
    expect(hits[1].score).toBeGreaterThanOrEqual(hits[2].score);
    // Two queries, and a query file.
    const two = run('search', 'a dog', 'the pilot', '--embeddings', e, '--k', '2');
    expect(two.out.trim().split('\n').map((l) => JSON.parse(l).query)).toEqual(['a dog', 'a dog', 'the pilot', 'the pilot']);
  }, 180_000);

  it('mnrl on a .jsonl file of pairs; eval scores anchors finding their positives', () => {
    const out = join(dir, 'mnrl');
    const t = run('train', '--data', pairs, '--method', 'mnrl', '--epochs', '2', '--out', out, ...common);
    expect(t.code, t.err).toBe(0);
    expect(t.err).toMatch(/mnrl on pairs\.jsonl \(\d+ pairs\)/);
    const ev = run('eval', '--checkpoint', out, '--json');
    expect(ev.code, ev.err).toBe(0);
    const r = JSON.parse(ev.out);
    expect(r).toMatchObject({ split: 'held-out', dataset: 'pairs.jsonl' });
    expect(r.n).toBeGreaterThan(20);
    expect(r.recallAtK[1]).toBeGreaterThan(0);
    expect(r.recallAtK[10]).toBeGreaterThanOrEqual(r.recallAtK[1]);
    expect(r.mrr).toBeGreaterThan(1 / r.n);
    // simcse on (premise, entailment, contradiction) triplets: supervised SimCSE, read as pairs.
    const triplets = join(dir, 'triplets.jsonl');
    writeFileSync(triplets, `${rows.map((w, i) => JSON.stringify({ anchor: w.join(' '), positive: `${w[1]} ${w[2]}`, negative: rows[(i * 7 + 3) % rows.length].join(' ') })).join('\n')}\n`);
    const sup = run('train', '--data', triplets, '--method', 'simcse', '--epochs', '1', '--out', join(dir, 'supervised'), ...common);
    expect(sup.code, sup.err).toBe(0);
    expect(sup.err).toMatch(/simcse on triplets\.jsonl \(\d+ pairs\)/);
    expect(JSON.parse(readFileSync(join(dir, 'supervised', 'run.json'), 'utf8'))).toMatchObject({ method: 'simcse', pairs: true });
  }, 180_000);

  it('distill from USE-lite: the teacher\'s rows are kept in the run (checksummed) and reused on --resume; cached-mnrl trains batches larger than its passes', () => {
    const out = join(dir, 'distill');
    const t = run('train', '--data', texts, '--method', 'distill', '--distill-objective', 'infonce', '--epochs', '1', '--out', out, ...common);
    expect(t.code, t.err).toBe(0);
    const meta = JSON.parse(readFileSync(join(out, 'teacher.f32.json'), 'utf8'));
    expect(meta).toMatchObject({ dim: 512, teacher: 'use-lite' });
    expect(meta.rows).toBeGreaterThan(200);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'))).toMatchObject({ method: 'distill', teacher: 'use-lite', teacherDim: 512, distillObjective: 'infonce' });
    const other = run('train', '--data', texts, '--method', 'distill', '--epochs', '2', '--out', out, '--resume', ...common);
    expect(other.code).toBe(2); // resumed with another objective (mse, the default): refused
    expect(other.err).toMatch(/--resume: the run in '.*' has distillObjective = "infonce", received undefined/);
    const r = run('train', '--data', texts, '--method', 'distill', '--distill-objective', 'infonce', '--epochs', '2', '--out', out, '--resume', ...common);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/epoch 2\/2/);
    const c = run('train', '--data', pairs, '--method', 'cached-mnrl', '--mini-batch-size', '8', '--epochs', '1', '--out', join(dir, 'cached'), '--preset', 'tiny', '--batch-size', '64', '--max-length', '16', '--vocab-size', '200');
    expect(c.code, c.err).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'cached', 'run.json'), 'utf8'))).toMatchObject({ method: 'cached-mnrl', miniBatchSize: 8, pairs: true });
  }, 240_000);

  it('labelled texts: eval gives kNN, probe and retrieval figures', () => {
    const out = join(dir, 'labelled');
    const t = run('train', '--data', labelled, '--method', 'simcse', '--epochs', '1', '--out', out, ...common);
    expect(t.code, t.err).toBe(0);
    const ev = run('eval', '--checkpoint', out, '--json');
    expect(ev.code, ev.err).toBe(0);
    const r = JSON.parse(ev.out);
    expect(r.n).toBeGreaterThan(20);
    expect(r.knnTop1).toBeGreaterThan(0);
    expect(r.encoder.retrieval.mapAtR).toBeGreaterThan(0);
  }, 180_000);

  it('refuses bad text arguments with one line and exit code 2', () => {
    const cases: [string[], RegExp][] = [
      [['train', '--data', texts, '--method', 'mnrl'], /--data: expected a \.jsonl file of text pairs for method mnrl/],
      [['train', '--method', 'simcse'], /--method: simcse trains on texts, received images in 'fashion-mnist'/],
      [['train', '--data', pairs, '--method', 'cosent'], /--data: expected a score on every pair for method cosent/],
      [['train', '--dataset', 'mnist', '--preset', 'tiny'], /--preset: applies to texts, received it for the images of 'mnist'/],
      [['train', '--data', texts, '--preset', 'tiny', '--max-length', '1000'], /--max-length: expected at most the encoder's 64 positions, received 1000/],
      [['train', '--data', texts, '--backbone', 'cnn'], /--backbone: expected transformer for texts, received cnn/],
      [['train', '--data', texts, '--model', join(dir, 'no-model')], /no-model: expected a folder holding config\.json and model\.safetensors, found nothing at this path/],
      [['train', '--data', texts, '--model', dir, '--preset', 'tiny'], /--preset: sizes a transformer trained from scratch/],
      [['train', '--data', texts, '--method', 'simcse', '--teacher', 'use-lite'], /--teacher: applies to method distill, received method simcse/],
      [['train', '--data', texts, '--method', 'simcse', '--distill-objective', 'infonce'], /--distill-objective: applies to method distill, received method simcse/],
      [['train', '--data', pairs, '--method', 'mnrl', '--mini-batch-size', '4'], /--mini-batch-size: applies to method cached-mnrl, received method mnrl/],
      [['search', '--embeddings', join(dir, 'none.npy'), 'x'], /--embeddings: expected an embedding set written by contrastive embed/],
    ];
    for (const [args, msg] of cases) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n').filter((l) => !l.includes('native backend')), args.join(' ')).toHaveLength(1);
      expect(r.err, args.join(' ')).toMatch(msg);
    }
    // A warm-up longer than the run: known once the steps are counted (after the run's first line).
    const w = run('train', '--data', texts, '--epochs', '1', '--warmup-steps', '100', '--out', join(dir, 'warm'), ...common);
    expect(w.code).toBe(2);
    expect(w.err).toMatch(/--warmup-steps: expected at most the run's 8 steps \(1 epochs of 8\), received 100/);
  }, 120_000);
});
