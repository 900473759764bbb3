/** Text augmentations: word deletion, span crop, the text ViewTransform (seeded, exact). */
import { describe, expect, it } from 'vitest';
import { synonymSwap } from '../../src/augment/text/synonym-swap.js';
import { spanCrop } from '../../src/augment/text/span-crop.js';
import { TextViews } from '../../src/augment/text/text-views.js';
import { wordDeletion } from '../../src/augment/text/word-deletion.js';
import { Rng } from '../../src/util/random.js';

const text = 'the quick brown fox jumps over the lazy dog near the river bank';
const n = text.split(' ').length;

describe('text augmentations', () => {
  it('wordDeletion drops each word with probability p, keeps order, never empties a text', () => {
    const rng = new Rng(1);
    let deleted = 0, total = 0;
    for (let t = 0; t < 2000; t++) {
      const out = wordDeletion(text, rng, 0.3).split(' ');
      expect(out.length).toBeGreaterThanOrEqual(1);
      // a subsequence of the original words
      let at = 0;
      for (const w of out) at = text.split(' ').indexOf(w, at) + 1;
      expect(at).toBeGreaterThan(0);
      deleted += n - out.length;
      total += n;
    }
    expect(deleted / total).toBeGreaterThan(0.28);
    expect(deleted / total).toBeLessThan(0.32);
    expect(wordDeletion('one', new Rng(2), 0.99)).toBe('one');
    expect(wordDeletion('  a   b  ', new Rng(2), 0)).toBe('a b');
    expect(wordDeletion('a b c', new Rng(3), 0.999999).split(' ')).toHaveLength(1);
    expect(wordDeletion(text, new Rng(7), 0.2)).toBe(wordDeletion(text, new Rng(7), 0.2)); // seeded
  });

  it('spanCrop keeps a contiguous run of between minShare and maxShare of the words', () => {
    const rng = new Rng(4);
    for (let t = 0; t < 500; t++) {
      const out = spanCrop(text, rng, 0.4, 0.8);
      const k = out.split(' ').length;
      expect(k).toBeGreaterThanOrEqual(Math.round(0.4 * n));
      expect(k).toBeLessThanOrEqual(Math.round(0.8 * n));
      expect(` ${text} `).toContain(` ${out} `);
    }
    expect(spanCrop(text, new Rng(1), 1, 1)).toBe(text);
    expect(() => spanCrop(text, new Rng(1), 0.9, 0.5)).toThrow('spanCrop: minShare must be <= maxShare = 0.5, received 0.9');
  });

  it('TextViews: identity views by default (SimCSE: dropout makes them differ), augmented or anchored views on request', () => {
    const plain = new TextViews();
    expect([plain.view(text, 0, new Rng(1)), plain.view(text, 1, new Rng(1))]).toEqual([text, text]);
    const aug = new TextViews({ deletion: 0.2, crop: 0.5, anchor: 'identity' });
    expect(aug.view(text, 0, new Rng(1))).toBe(text);
    const v1 = aug.view(text, 1, new Rng(9));
    expect(v1).not.toBe(text);
    expect(aug.view(text, 1, new Rng(9))).toBe(v1);
    expect(() => new TextViews({ deletion: 1 })).toThrow('TextViews: deletion must be a number in [0, 1), received 1');
    expect(() => new TextViews({ crop: 0 })).toThrow('TextViews: crop must be a number in (0, 1], received 0');
    expect(() => new TextViews({ views: 0 })).toThrow('TextViews: views must be an integer >= 1, received 0');
  });

  it('TextViews with swap: synonyms first (synonymSwap on the same draws), then crop and deletion', () => {
    const synonyms = (w: string) => ({ quick: ['fast', 'speedy'], fox: ['reynard'], dog: ['hound'] } as Record<string, string[]>)[w] ?? [];
    const views = new TextViews({ swap: 0.3, synonyms, deletion: 0.1 });
    const rng = new Rng(4), ref = new Rng(4);
    expect(views.view(text, 1, rng)).toBe(wordDeletion(synonymSwap(text, ref, synonyms, 0.3), ref, 0.1));
    expect(() => new TextViews({ swap: 0.1 })).toThrow(/TextViews: swap needs synonyms/);
  });
});
