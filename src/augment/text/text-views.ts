/**
 * Views of texts for contrastive training (a ViewTransform<string, string>): each view is the text
 * cropped to a random span (`crop`, off by default) and with words deleted (`deletion`). With both
 * off (the default) the views are the text itself, twice: SimCSE's unsupervised recipe (Gao et al.
 * 2021, https://arxiv.org/abs/2104.08821), where the encoder's dropout alone makes the two views
 * differ, found better than any discrete augmentation (their table 2). `anchor: 'identity'` keeps
 * view 0 unaugmented (SCARF-style anchor/positive) instead. `swap` replaces words by synonyms
 * first (EDA, Wei & Zou 2019, ./synonym-swap.ts), then the crop, then the deletions.
 */
import type { Rng } from '../../util/random.js';
import type { ViewTransform } from '../view-transform.js';
import { spanCrop } from './span-crop.js';
import { synonymSwap, type SynonymLookup } from './synonym-swap.js';
import { checkShare, wordDeletion } from './word-deletion.js';

export interface TextViewsOptions {
  /** Views per text. Default 2. */
  views?: number;
  /** Word deletion probability per word. Default 0 (off; EDA's value is 0.1). */
  deletion?: number;
  /** Smallest share of words a span crop keeps; 1 = no crop. Default 1 (off). */
  crop?: number;
  /** 'augmented' (default): every view augmented; 'identity': view 0 is the text itself. */
  anchor?: 'augmented' | 'identity';
  /** Share of words replaced by a synonym (EDA's alpha, 0.1; n = max(1, round(alpha * words))). Default 0 (off); needs `synonyms`. */
  swap?: number;
  /** The synonym lookup of `swap` (e.g. `wordNetSynonyms()`). */
  synonyms?: SynonymLookup;
}

export class TextViews implements ViewTransform<string, string> {
  readonly views: number;
  readonly deletion: number;
  readonly crop: number;
  readonly anchor: 'augmented' | 'identity';
  readonly swap: number;
  private readonly synonyms?: SynonymLookup;

  constructor(options: TextViewsOptions = {}) {
    const { views = 2, deletion = 0, crop = 1, anchor = 'augmented', swap = 0, synonyms } = options;
    checkShare('TextViews', 'swap', swap, '<=');
    if (swap > 0 && typeof synonyms !== 'function') throw new Error(`TextViews: swap needs synonyms (a lookup word -> synonyms, e.g. wordNetSynonyms()), received ${String(synonyms)}`);
    if (!Number.isInteger(views) || views < 1) throw new Error(`TextViews: views must be an integer >= 1, received ${JSON.stringify(views)}`);
    checkShare('TextViews', 'deletion', deletion);
    checkShare('TextViews', 'crop', crop, '<=');
    if (crop === 0) throw new Error('TextViews: crop must be a number in (0, 1], received 0');
    if (anchor !== 'augmented' && anchor !== 'identity') throw new Error(`TextViews: anchor must be 'augmented' or 'identity', received ${JSON.stringify(anchor)}`);
    this.views = views;
    this.deletion = deletion;
    this.crop = crop;
    this.anchor = anchor;
    this.swap = swap;
    if (synonyms) this.synonyms = synonyms;
  }

  view(text: string, v: number, rng: Rng): string {
    if (v === 0 && this.anchor === 'identity') return text;
    let out = text;
    if (this.swap > 0) out = synonymSwap(out, rng, this.synonyms!, this.swap);
    if (this.crop < 1) out = spanCrop(out, rng, this.crop, 1);
    if (this.deletion > 0) out = wordDeletion(out, rng, this.deletion);
    return out;
  }
}
