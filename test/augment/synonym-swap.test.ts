/**
 * SynonymSwap (EDA's synonym replacement): against a literal re-implementation of EDA's loop on the
 * same Rng draws, n = max(1, round(alpha * words)) distinct words replaced everywhere, stop words and
 * words without synonyms kept, punctuation kept around a replacement, views seeded by the Rng, and
 * bad options named.
 */
import { describe, expect, it } from 'vitest';
import { EDA_STOP_WORDS, SynonymSwap, synonymSwap } from '../../src/augment/text/synonym-swap.js';
import { Rng } from '../../src/util/random.js';

const table: Record<string, string[]> = {
  quick: ['fast', 'speedy'], fox: ['dodger'], jumps: ['leaps', 'springs', 'bounds'], lazy: ['slothful'], dog: ['hound', 'pooch'],
  brown: ['chocolate'], the: ['should never be used'], over: ['o\'er'],
};
const lookup = (w: string): readonly string[] => table[w] ?? [];

/** EDA's synonym_replacement the slow way (its eda.py), on our Rng: shuffle the distinct non-stop words, replace until n. */
function edaLoop(text: string, rng: Rng, alpha: number): string {
  const ws = text.split(' ');
  const n = Math.max(1, Math.round(alpha * ws.length));
  const unique: string[] = [];
  for (const w of ws) if (!EDA_STOP_WORDS.includes(w) && !unique.includes(w)) unique.push(w);
  rng.shuffle(unique);
  let out = ws.slice(), replaced = 0;
  for (const w of unique) {
    const syns = lookup(w);
    if (syns.length >= 1) {
      const s = syns[rng.int(syns.length)];
      out = out.map((x) => (x === w ? s : x));
      replaced++;
    }
    if (replaced >= n) break;
  }
  return out.join(' ');
}

describe('synonymSwap', () => {
  const text = 'the quick brown fox jumps over the lazy dog and the quick dog sleeps';
  it('equals EDA\'s loop for several alphas and seeds', () => {
    for (const alpha of [0, 0.1, 0.2, 0.3, 0.5, 1]) {
      for (let seed = 0; seed < 20; seed++) {
        expect(synonymSwap(text, new Rng(seed), lookup, alpha)).toBe(edaLoop(text, new Rng(seed), alpha));
      }
    }
  });

  it('replaces n = max(1, round(alpha * words)) distinct words, every occurrence; never stop words', () => {
    const ws = text.split(' '); // 14 words
    for (const [alpha, n] of [[0, 1], [0.1, 1], [0.2, 3], [0.3, 4], [1, 14]] as const) {
      const got = synonymSwap(text, new Rng(3), lookup, alpha);
      // The replaced words: those of the text that no longer appear.
      const gone = [...new Set(ws)].filter((w) => !got.split(' ').includes(w));
      expect(gone.length).toBe(Math.min(n, 6)); // 6 distinct words have synonyms ('the' and 'over' are stop words)
      expect(got.startsWith('the ')).toBe(true);
    }
    // 'quick' appears twice: both or neither replaced.
    for (let seed = 0; seed < 30; seed++) {
      const got = synonymSwap(text, new Rng(seed), lookup, 0.3).split(' ');
      expect(got.filter((w) => w === 'quick').length % 2).toBe(0);
    }
  });

  it('keeps punctuation around a replacement, looks words up lower-cased, and leaves texts without synonyms as their words', () => {
    expect(synonymSwap('"Fox!"', new Rng(1), lookup)).toBe('"dodger!"');
    expect(synonymSwap('nothing  here   matches', new Rng(1), lookup)).toBe('nothing here matches');
    expect(synonymSwap('', new Rng(1), lookup)).toBe('');
    expect(synonymSwap('the the', new Rng(1), lookup)).toBe('the the');
    expect(synonymSwap('the the', new Rng(1), lookup, 0.1, new Set())).toBe('should never be used should never be used');
  });

  it('SynonymSwap views: seeded by the Rng, view 0 the text with anchor identity; options checked', () => {
    const t = new SynonymSwap({ synonyms: lookup, alpha: 0.2 });
    expect(t.views).toBe(2);
    expect(t.view(text, 0, new Rng(9))).toBe(t.view(text, 0, new Rng(9)));
    expect(t.view(text, 1, new Rng(9))).toBe(synonymSwap(text, new Rng(9), lookup, 0.2));
    const seen = new Set(Array.from({ length: 20 }, (_, s) => t.view(text, 1, new Rng(s))));
    expect(seen.size).toBeGreaterThan(5);
    const anchored = new SynonymSwap({ synonyms: lookup, anchor: 'identity', views: 3, stopWords: ['Fox'] });
    expect(anchored.view(text, 0, new Rng(1))).toBe(text);
    expect(anchored.view('fox', 2, new Rng(1))).toBe('fox');
    expect(() => new SynonymSwap({ synonyms: undefined as never })).toThrow('SynonymSwap: synonyms must be a function (word) => synonyms, received undefined');
    expect(() => new SynonymSwap({ synonyms: lookup, alpha: 1.5 })).toThrow('SynonymSwap: alpha must be a number in [0, 1], received 1.5');
    expect(() => new SynonymSwap({ synonyms: lookup, views: 0 })).toThrow('SynonymSwap: views must be an integer >= 1, received 0');
    expect(() => new SynonymSwap({ synonyms: lookup, anchor: 'x' as never })).toThrow('SynonymSwap: anchor must be \'augmented\' or \'identity\', received "x"');
    expect(() => new SynonymSwap({ synonyms: lookup, stopWords: 3 as never })).toThrow('SynonymSwap: stopWords must be an iterable of words, received 3');
    expect(() => synonymSwap('a', new Rng(1), lookup, -0.1)).toThrow('synonymSwap: alpha must be a number in [0, 1], received -0.1');
  });
});
