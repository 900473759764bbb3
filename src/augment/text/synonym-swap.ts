/**
 * Synonym replacement, EDA's "SR" (Wei & Zou 2019, "EDA: Easy Data Augmentation Techniques for
 * Boosting Performance on Text Classification Tasks", https://arxiv.org/abs/1901.11196, section 2;
 * their code `eda.py`, `synonym_replacement`): n = max(1, round(alpha * words)) distinct words that
 * are not stop words and have synonyms are each replaced, every occurrence, by one of their
 * synonyms chosen at random (alpha 0.1, the paper's value). One of the discrete augmentations SimCSE
 * compares with dropout noise (Gao et al. 2021, https://arxiv.org/abs/2104.08821, table 2).
 *
 * The synonyms come from a lookup `(word) => synonyms` given by the caller (pure: no file is read
 * here): `wordNetSynonyms()` (data/wordnet-synonyms.ts, Node) reads WordNet's; any function or a
 * Map's `get` works. A word is looked up lower-cased, stripped of leading and trailing punctuation,
 * which stays around its replacement ("dog," -> "domestic dog,"). EDA rounds down (`int`); this
 * rounds to nearest.
 */
import type { Rng } from '../../util/random.js';
import type { ViewTransform } from '../view-transform.js';
import { checkShare } from './word-deletion.js';
import { words } from './words.js';

/** Synonyms of a lower-cased word (empty when it has none); never the word itself. */
export type SynonymLookup = (word: string) => readonly string[];

/** EDA's stop words (its `eda.py`, the NLTK English list without contractions): never replaced. */
export const EDA_STOP_WORDS: readonly string[] = [
  'i', 'me', 'my', 'myself', 'we', 'our', 'ours', 'ourselves', 'you', 'your', 'yours', 'yourself', 'yourselves',
  'he', 'him', 'his', 'himself', 'she', 'her', 'hers', 'herself', 'it', 'its', 'itself', 'they', 'them', 'their',
  'theirs', 'themselves', 'what', 'which', 'who', 'whom', 'this', 'that', 'these', 'those', 'am', 'is', 'are', 'was',
  'were', 'be', 'been', 'being', 'have', 'has', 'had', 'having', 'do', 'does', 'did', 'doing', 'a', 'an', 'the', 'and',
  'but', 'if', 'or', 'because', 'as', 'until', 'while', 'of', 'at', 'by', 'for', 'with', 'about', 'against', 'between',
  'into', 'through', 'during', 'before', 'after', 'above', 'below', 'to', 'from', 'up', 'down', 'in', 'out', 'on', 'off',
  'over', 'under', 'again', 'further', 'then', 'once', 'here', 'there', 'when', 'where', 'why', 'how', 'all', 'any',
  'both', 'each', 'few', 'more', 'most', 'other', 'some', 'such', 'no', 'nor', 'not', 'only', 'own', 'same', 'so',
  'than', 'too', 'very', 's', 't', 'can', 'will', 'just', 'don', 'should', 'now',
];

const DEFAULT_STOP_WORDS: ReadonlySet<string> = new Set(EDA_STOP_WORDS);

/** [leading punctuation, core, trailing punctuation] of a word (letters, digits and inner marks are the core). */
function splitPunctuation(word: string): [string, string, string] {
  const m = /^([^\p{L}\p{N}]*)(.*?)([^\p{L}\p{N}]*)$/u.exec(word)!;
  return [m[1], m[2], m[3]];
}

function checkLookup(caller: string, synonyms: unknown): SynonymLookup {
  if (typeof synonyms !== 'function') throw new Error(`${caller}: synonyms must be a function (word) => synonyms, received ${synonyms === null ? 'null' : typeof synonyms}`);
  return synonyms as SynonymLookup;
}

/**
 * `text` with n = max(1, round(alpha * words)) of its distinct non-stop words that have synonyms
 * replaced (every occurrence) by a random synonym each; fewer when fewer words have synonyms, the
 * text's words unchanged (re-joined by single spaces) when none has.
 */
export function synonymSwap(text: string, rng: Rng, synonyms: SynonymLookup, alpha = 0.1, stopWords: ReadonlySet<string> = DEFAULT_STOP_WORDS): string {
  checkLookup('synonymSwap', synonyms);
  checkShare('synonymSwap', 'alpha', alpha, '<=');
  const all = words(text);
  const parts = all.map(splitPunctuation);
  const keys = parts.map(([, core]) => core.toLowerCase());
  // Distinct candidates in order of first appearance, then shuffled (EDA: random.shuffle of the set).
  const candidates = rng.shuffle([...new Set(keys.filter((k) => k.length > 0 && !stopWords.has(k)))]);
  const n = Math.max(1, Math.round(alpha * all.length));
  const chosen = new Map<string, string>();
  for (const key of candidates) {
    if (chosen.size >= n) break;
    const options = synonyms(key).filter((s) => s.length > 0 && s !== key);
    if (options.length) chosen.set(key, options[rng.int(options.length)]);
  }
  return parts.map(([pre, core, post], i) => (chosen.has(keys[i]) ? `${pre}${chosen.get(keys[i])}${post}` : `${pre}${core}${post}`)).join(' ');
}

export interface SynonymSwapOptions {
  /** The synonym lookup: lower-cased word -> synonyms (e.g. `wordNetSynonyms()`). Required. */
  synonyms: SynonymLookup;
  /** Share of the words replaced, n = max(1, round(alpha * words)). Default 0.1 (EDA's). */
  alpha?: number;
  /** Views per text. Default 2. */
  views?: number;
  /** 'augmented' (default): every view augmented; 'identity': view 0 is the text itself. */
  anchor?: 'augmented' | 'identity';
  /** Words never replaced (lower-case). Default EDA's list (`EDA_STOP_WORDS`). */
  stopWords?: Iterable<string>;
}

/** Views of texts with synonyms swapped (a ViewTransform<string, string>), seeded by the view Rng. */
export class SynonymSwap implements ViewTransform<string, string> {
  readonly views: number;
  readonly alpha: number;
  readonly anchor: 'augmented' | 'identity';
  private readonly synonyms: SynonymLookup;
  private readonly stopWords: ReadonlySet<string>;

  constructor(options: SynonymSwapOptions) {
    const { synonyms, alpha = 0.1, views = 2, anchor = 'augmented', stopWords } = options ?? ({} as SynonymSwapOptions);
    this.synonyms = checkLookup('SynonymSwap', synonyms);
    checkShare('SynonymSwap', 'alpha', alpha, '<=');
    if (!Number.isInteger(views) || views < 1) throw new Error(`SynonymSwap: views must be an integer >= 1, received ${JSON.stringify(views)}`);
    if (anchor !== 'augmented' && anchor !== 'identity') throw new Error(`SynonymSwap: anchor must be 'augmented' or 'identity', received ${JSON.stringify(anchor)}`);
    if (stopWords !== undefined && (typeof stopWords !== 'object' || stopWords === null || typeof (stopWords as Iterable<string>)[Symbol.iterator] !== 'function')) {
      throw new Error(`SynonymSwap: stopWords must be an iterable of words, received ${String(stopWords)}`);
    }
    this.alpha = alpha;
    this.views = views;
    this.anchor = anchor;
    this.stopWords = stopWords === undefined ? DEFAULT_STOP_WORDS : new Set([...stopWords].map((w) => String(w).toLowerCase()));
  }

  view(text: string, v: number, rng: Rng): string {
    if (v === 0 && this.anchor === 'identity') return text;
    return synonymSwap(text, rng, this.synonyms, this.alpha, this.stopWords);
  }
}
