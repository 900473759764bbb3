import { describe, expect, it } from 'vitest';
import { sparseDot, TfidfEncoder, tfidfTokens } from '../../src/eval/tfidf.js';

const train = ['The cat sat on the mat.', 'A dog sat; the dog barked!', 'Cats and dogs', 'x y z'];

/** The literal computation: counts, smoothed idf, optional sublinear tf, L2 norm. */
function literal(text: string, sublinear: boolean): Map<string, number> {
  const docs = train.map((t) => t.toLowerCase().split(/[^a-z]+/).filter((w) => w.length >= 2));
  const words = text.toLowerCase().split(/[^a-z]+/).filter((w) => w.length >= 2);
  const out = new Map<string, number>();
  for (const w of new Set(words)) {
    const df = docs.filter((d) => d.includes(w)).length;
    if (df === 0) continue;
    const tf = words.filter((x) => x === w).length;
    out.set(w, (sublinear ? 1 + Math.log(tf) : tf) * (Math.log((1 + docs.length) / (1 + df)) + 1));
  }
  const norm = Math.sqrt([...out.values()].reduce((a, v) => a + v * v, 0));
  for (const [w, v] of out) out.set(w, v / norm);
  return out;
}

describe('TfidfEncoder', () => {
  it('tokenises as sklearn: lower case, runs of >= 2 word characters', () => {
    expect(tfidfTokens("A dog's café_2, x y-zz")).toEqual(['dog', 'café_2', 'zz']);
  });

  it('vocabulary is alphabetical; rows equal the literal computation (tf and sublinear tf)', () => {
    for (const sublinearTf of [false, true]) {
      const enc = TfidfEncoder.fit(train, { sublinearTf });
      expect(enc.vocabulary).toEqual(['and', 'barked', 'cat', 'cats', 'dog', 'dogs', 'mat', 'on', 'sat', 'the']);
      for (const text of ['the dog and the dog sat', 'cat on mat', 'unknown words only']) {
        const want = literal(text, sublinearTf);
        const row = enc.row(text);
        const got = new Map([...row.indices].map((c, k) => [enc.vocabulary[c]!, row.values[k]!]));
        expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
        for (const [w, v] of want) expect(got.get(w)).toBeCloseTo(v, 6);
      }
    }
    // idf of 'the' (in 2 of 4 texts): ln(5/3) + 1.
    const enc = TfidfEncoder.fit(train);
    expect(enc.idf[enc.vocabulary.indexOf('the')]).toBeCloseTo(Math.log(5 / 3) + 1, 12);
  });

  it('embed keeps only the used columns and the exact dot products; dense is full width', () => {
    const enc = TfidfEncoder.fit(train);
    const texts = ['the cat sat', 'the dog barked', 'mat', 'nothing known'];
    const compact = enc.embed(texts), full = enc.dense(texts), sparse = enc.transform(texts);
    expect(compact[0]!.length).toBe(6); // the cat sat dog barked mat
    expect(full[0]!.length).toBe(enc.size);
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
    for (let i = 0; i < texts.length; i++) {
      for (let j = 0; j < texts.length; j++) {
        expect(dot(compact[i]!, compact[j]!)).toBeCloseTo(dot(full[i]!, full[j]!), 6);
        expect(sparseDot(sparse[i]!, sparse[j]!)).toBeCloseTo(dot(full[i]!, full[j]!), 6);
      }
    }
    expect(dot(full[0]!, full[0]!)).toBeCloseTo(1, 6);
    expect(full[3]!.every((v) => v === 0)).toBe(true);
  });

  it('minDf and maxFeatures prune the vocabulary; bad options are named', () => {
    expect(TfidfEncoder.fit(train, { minDf: 2 }).vocabulary).toEqual(['sat', 'the']);
    expect(TfidfEncoder.fit(train, { maxFeatures: 2 }).vocabulary).toEqual(['dog', 'the']);
    expect(() => TfidfEncoder.fit(train, { minDf: 0 })).toThrow(/minDf must be an integer >= 1, received 0/);
    expect(() => TfidfEncoder.fit([])).toThrow(/texts must be a non-empty array/);
  });
});
