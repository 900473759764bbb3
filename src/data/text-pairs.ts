/**
 * Text pairs (and triplets) for sentence-embedding training, from items of any source (pure) or
 * a JSON Lines file (`jsonl-pairs.ts`, Node). A pair is the texts of one training example in a
 * fixed order (anchor, positive[, hard negative]) and, for scored pairs (STS, CoSENT), a score:
 *
 *   {"anchor": "how do I bake bread", "positive": "A guide to baking bread", "negative": "..."}
 *   {"sentence1": "A man plays guitar.", "sentence2": "Someone plays an instrument.", "score": 4.2}
 *
 * `PairViews` is the ViewTransform that makes field v of a pair its view v: the trainer, collate
 * and methods see views like any others (view 0 = anchors, view 1 = positives, view 2 = hard
 * negatives), so MNRL and CoSENT need no trainer of their own.
 */
import type { Rng } from '../util/random.js';
import type { ViewTransform } from '../augment/view-transform.js';

/** One training example of texts. */
export interface TextPair {
  /** The texts, in the order of the fields (anchor, positive[, negative]). */
  readonly texts: readonly string[];
  /** A gold similarity score (scored pairs), when the data has one. */
  readonly score?: number;
}

/** The score of every pair of `source` (for CoSENT), or an error naming the first pair without one. */
export function pairScores(source: { size: number; name: string; item(i: number): TextPair }): Float64Array {
  const out = new Float64Array(source.size);
  for (let i = 0; i < source.size; i++) {
    const s = source.item(i).score;
    if (typeof s !== 'number' || !Number.isFinite(s)) throw new Error(`pairScores: pair ${i} of '${source.name}' has no score (scored pairs need one each)`);
    out[i] = s;
  }
  return out;
}

/** View v of a pair is its text v (no augmentation: the pair itself says what is similar). */
export class PairViews implements ViewTransform<TextPair, string> {
  readonly views: number;

  /** @param fields texts per pair (2: anchor, positive; 3: with a hard negative). */
  constructor(fields: number) {
    if (!Number.isInteger(fields) || fields < 2) throw new Error(`PairViews: fields must be an integer >= 2, received ${JSON.stringify(fields)}`);
    this.views = fields;
  }

  view(pair: TextPair, v: number, _rng: Rng): string {
    return pair.texts[v];
  }
}
