/** JSON Lines pairs: layouts, scores, PairViews, and one-line errors naming the line. */
import { describe, expect, it } from 'vitest';
import { loadJsonlPairs } from '../../src/data/jsonl-pairs.js';
import { PairViews } from '../../src/data/text-pairs.js';
import { Rng } from '../../src/util/random.js';
import { tempFiles } from './temp-files.js';

const { file, dataError } = tempFiles('contrastive-pairs-');
const lines = (...objs: unknown[]) => objs.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join('\n');

describe('loadJsonlPairs', () => {
  it('reads (anchor, positive, negative) triplets; PairViews makes field v view v', () => {
    const p = file('t.jsonl', lines({ anchor: 'a1', positive: 'p1', negative: 'n1' }, '', { anchor: 'a2', positive: 'p2', negative: 'n2', extra: 1 }));
    const s = loadJsonlPairs(p);
    expect(s.size).toBe(2);
    expect(s.spec).toEqual({ kind: 'text' });
    expect(s.item(1)).toEqual({ texts: ['a2', 'p2', 'n2'] });
    expect(s.id(1)).toBe('line 3');
    const v = new PairViews(3);
    expect([0, 1, 2].map((k) => v.view(s.item(0), k, new Rng(0)))).toEqual(['a1', 'p1', 'n1']);
    expect(() => new PairViews(1)).toThrow('PairViews: fields must be an integer >= 2, received 1');
  });

  it('reads scored STS pairs (score, or a numeric label) and named fields', () => {
    const sts = loadJsonlPairs(file('s.jsonl', lines({ sentence1: 'x', sentence2: 'y', score: 4.5 }, { sentence1: 'u', sentence2: 'v', score: 0 })));
    expect(sts.item(0)).toEqual({ texts: ['x', 'y'], score: 4.5 });
    const nli = loadJsonlPairs(file('l.jsonl', lines({ sentence1: 'x', sentence2: 'y', label: 2 })));
    expect(nli.item(0).score).toBe(2);
    const named = loadJsonlPairs(file('n.jsonl', lines({ q: 'x', d: 'y', s: 1 })), { fields: ['q', 'd'], scoreField: 's' });
    expect(named.item(0)).toEqual({ texts: ['x', 'y'], score: 1 });
  });

  it('refuses bad files in one line naming the line, and bad options', () => {
    expect(dataError(() => loadJsonlPairs(file('e.jsonl', '\n\n')))).toBe('<tmp>/e.jsonl: expected at least one JSON line of a pair, found none');
    expect(dataError(() => loadJsonlPairs(file('j.jsonl', lines({ anchor: 'a', positive: 'p' }, '{oops')))))
      .toMatch(/^<tmp>\/j\.jsonl, line 2: expected a JSON object, found invalid JSON/);
    expect(dataError(() => loadJsonlPairs(file('m.jsonl', lines({ anchor: 'a', positive: 'p' }, { anchor: 'b' })))))
      .toBe("<tmp>/m.jsonl, line 2: expected a non-empty string field 'positive', found no such field");
    expect(dataError(() => loadJsonlPairs(file('f.jsonl', lines({ title: 'a', body: 'p' })))))
      .toBe('<tmp>/f.jsonl, line 1: expected text fields anchor/positive/negative, anchor/positive, sentence1/sentence2, text1/text2, query/document (or options.fields), found the fields title, body');
    expect(dataError(() => loadJsonlPairs(file('s.jsonl', lines({ sentence1: 'x', sentence2: 'y', score: 1 }, { sentence1: 'x', sentence2: 'y', score: 'high' })))))
      .toBe("<tmp>/s.jsonl, line 2: expected a finite number in field 'score', found \"high\"");
    expect(() => loadJsonlPairs(file('o.jsonl', lines({ a: 'x', b: 'y' })), { fields: ['a'] })).toThrow('loadJsonlPairs: options.fields must be 2 or 3 field names, received ["a"]');
  });
});
