import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import type { Source } from '../../src/data/source.js';
import { loadSpamAssassin } from '../../src/data/spam-assassin.js';
import { loadWordNet } from '../../src/data/wordnet.js';
import {
  definitionToWordTask, evaluateRetrievalTask, evaluateSpam, setRetrievalScores, spamSplit, synonymTask, wordnetSplit,
} from '../../src/eval/text-benchmarks.js';

const f32 = (...rows: number[][]) => rows.map((r) => Float32Array.from(r));

describe('set retrieval metrics', () => {
  it('equal hand-computed MAP@R, recall@10 and MRR (query vs gallery)', () => {
    // q0 ranks g0 (1), g2 (.8), g1 (0), g3 (-1): relevant g1, g2 at ranks 3 and 2 -> MAP@R = (1/2)(1/2), RR 1/2.
    // q1 ranks g1, g2, g0 (0, lower index first), g3 (0): relevant g3 at rank 4 -> MAP@R 0, RR 1/4.
    const s = setRetrievalScores(f32([1, 0], [0, 1]), f32([1, 0], [0, 1], [0.8, 0.6], [-1, 0]), { relevant: [Int32Array.of(1, 2), Int32Array.of(3)] });
    expect(s.mapAtR).toBeCloseTo(0.125, 6);
    expect(s.recallAt10).toBeCloseTo(1, 6);
    expect(s.mrr).toBeCloseTo(0.375, 6);
    expect(s.queries).toBe(2);
  });

  it('leave-one-out with self indices: a query never ranks itself', () => {
    // a=[1,0], b=[1,1], c=[0,1]. a: b(.71) c(0) -> c rank 2. b: a, c tie at .71 -> a rank 1. c: b, a -> a rank 2.
    const rows = f32([1, 0], [1, 1], [0, 1]);
    const s = setRetrievalScores(rows, rows, { relevant: [Int32Array.of(2), Int32Array.of(0), Int32Array.of(0)], self: Int32Array.of(0, 1, 2) });
    expect(s.mapAtR).toBeCloseTo(1 / 3, 6);
    expect(s.mrr).toBeCloseTo(2 / 3, 6);
    expect(s.recallAt10).toBeCloseTo(1, 6);
  });

  it('evaluateRetrievalTask embeds the distinct texts of queries and gallery in one call', async () => {
    const calls: string[][] = [];
    const embed = (texts: string[]) => {
      calls.push(texts);
      return texts.map((t) => Float32Array.of(t.includes('x') ? 1 : 0, t.includes('y') ? 1 : 0));
    };
    const s = await evaluateRetrievalTask(embed, { name: 't', queries: ['x', 'y'], gallery: ['y', 'xx', 'x'], relevant: [Int32Array.of(1), Int32Array.of(0)] });
    expect(calls).toEqual([['x', 'y', 'xx']]);
    // 'x' scores 'xx' and 'x' 1 (tie: 'xx', the lower index, first) -> rank 1; 'y' finds 'y' first.
    expect(s.mrr).toBeCloseTo(1, 6);
  });
});

describe('WordNet split and tasks', () => {
  const synsets = loadWordNet();
  const split = wordnetSplit(synsets);

  it('is deterministic, disjoint, 10% test / 5% valid / the rest train', () => {
    expect([split.test.length, split.valid.length, split.train.length]).toEqual([11779, 5890, 100122]);
    const again = wordnetSplit(synsets);
    expect(again.test.map((s) => s.id)).toEqual(split.test.map((s) => s.id));
    const ids = [split.test, split.valid, split.train].map((part) => new Set(part.map((s) => s.id)));
    expect(new Set([...ids[0]!, ...ids[1]!, ...ids[2]!]).size).toBe(synsets.length);
    expect(wordnetSplit(synsets, { seed: 1 }).test[0]!.id).not.toBe(split.test[0]!.id);
  });

  it('definition -> word: 1,000 test definitions against the distinct lemmas of their synsets', () => {
    const task = definitionToWordTask(split.test);
    expect(task.queries.length).toBe(1000);
    expect(task.queries[0]).toBe(split.test[0]!.definition);
    expect(new Set(task.gallery).size).toBe(task.gallery.length);
    expect(task.gallery.length).toBe(new Set(split.test.slice(0, 1000).flatMap((s) => s.lemmas)).size);
    task.relevant.forEach((rel, i) => expect([...rel].map((j) => task.gallery[j]).sort()).toEqual([...new Set(split.test[i]!.lemmas)].sort()));
  });

  it('synonyms: 1,000 novel test synonym sets; relevance symmetric, never the query itself', () => {
    const seen = [...split.train, ...split.valid];
    const task = synonymTask(split.test, seen);
    expect(task.queries).toBe(task.gallery);
    const known = new Set(seen.flatMap((s) => s.lemmas.flatMap((a) => s.lemmas.map((b) => `${a.toLowerCase()}|${b.toLowerCase()}`))));
    task.relevant.forEach((rel, i) => {
      expect(rel.length).toBeGreaterThan(0);
      for (const j of rel) {
        expect(j).not.toBe(i);
        expect(task.relevant[j]).toContain(i);
        expect(known.has(`${task.gallery[i]!.toLowerCase()}|${task.gallery[j]!.toLowerCase()}`)).toBe(false);
      }
    });
    expect(task.gallery.length).toBe(2541);
  });
});

describe('SpamAssassin split and few-label evaluation', () => {
  it('1,000 distinct test texts, the rest train; nested label draws from train only', () => {
    const source = loadSpamAssassin();
    const split = spamSplit(source);
    expect([split.test.length, split.train.length]).toEqual([1000, 4883]);
    const texts = [...split.test, ...split.train].map((i) => source.item(i));
    expect(new Set(texts).size).toBe(texts.length);
    const train = new Set(split.train);
    expect(split.draws.length).toBe(3);
    for (const draw of split.draws) {
      draw.forEach((cls, c) => {
        expect(cls.length).toBe(100);
        for (const i of cls) {
          expect(train.has(i)).toBe(true);
          expect(source.labels![i]).toBe(c);
        }
      });
    }
    expect(spamSplit(source).draws).toEqual(split.draws);
    // The valid split lives inside the train texts: its own 1,000 / 3,883, the test texts in neither.
    const valid = spamSplit(source, { part: 'valid' });
    expect([valid.test.length, valid.train.length]).toEqual([1000, 3883]);
    expect([...valid.test, ...valid.train].every((i) => train.has(i))).toBe(true);
    expect(valid.draws.flat(2).every((i) => valid.train.includes(i))).toBe(true);
  });

  it('kNN and probe accuracies on a toy source and an embedding that separates the classes', async () => {
    const texts = ['buy now', 'cheap buy', 'buy buy', 'hello team', 'meeting notes', 'hello again', 'buy pills', 'team lunch'];
    const labels = Int32Array.of(1, 1, 1, 0, 0, 0, 1, 0);
    const source: Source<string> = { name: 'toy', size: 8, spec: { kind: 'text' }, labels, classNames: ['ham', 'spam'], item: (i) => texts[i]!, id: String };
    const split = { seed: 0, test: [6, 7, 2, 5], train: [0, 1, 3, 4], draws: [[[3, 4], [0, 1]]] };
    const embed = (ts: string[]) => ts.map((t) => Float32Array.of(t.includes('buy') ? 1 : 0.1, t.includes('buy') ? 0.1 : 1));
    const r = await evaluateSpam(embed, split, source, [1, 2]);
    expect(r[1]!.knn).toBe(1);
    expect(r[2]!.probe).toBe(1);
    expect(r[2]!.knnByDraw).toEqual([1]);
  });
});
