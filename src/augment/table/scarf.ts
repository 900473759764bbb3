/**
 * SCARF views of table rows (Bahri, Jiang, Tay, Metzler 2022, "SCARF: Self-Supervised Contrastive
 * Learning using Random Feature Corruption", https://arxiv.org/abs/2106.15147): the anchor is the
 * row itself; the positive replaces a random `corruption` share of its features (0.6, the paper's
 * default, section 4) each by the value of that feature in a random row of the training data,
 * i.e. a draw from the feature's empirical marginal. View 0 is the anchor, view 1 the corrupted
 * row (with `views: 2`; more views are more corrupted rows).
 */
import type { ViewTransform } from '../view-transform.js';
import type { Rng } from '../../util/random.js';

export interface ScarfOptions {
  /** The rows the marginals are drawn from (the training rows), all of one length. */
  rows: readonly ArrayLike<number>[];
  /** Share of features replaced in a corrupted view, in [0, 1]. Default 0.6. */
  corruption?: number;
  /** Views per row: the anchor and views - 1 corrupted rows. Default 2. */
  views?: number;
  /** Corrupt the anchor too (both views corrupted). Default false (the paper's). */
  corruptAnchor?: boolean;
}

export class Scarf implements ViewTransform<Float32Array> {
  readonly corruption: number;
  readonly views: number;
  readonly corruptAnchor: boolean;
  readonly dim: number;
  private readonly rows: readonly ArrayLike<number>[];

  constructor(options: ScarfOptions) {
    const { rows, corruption = 0.6, views = 2, corruptAnchor = false } = options ?? ({} as ScarfOptions);
    if (!Array.isArray(rows) || rows.length === 0) throw new Error(`Scarf: rows must be a non-empty array of training rows, received ${Array.isArray(rows) ? 'an empty array' : String(rows)}`);
    const dim = rows[0].length;
    rows.forEach((r, i) => {
      if (r.length !== dim) throw new Error(`Scarf: every row must have ${dim} values, row ${i} has ${r.length}`);
    });
    if (!(corruption >= 0 && corruption <= 1)) throw new Error(`Scarf: corruption must be in [0, 1], received ${corruption}`);
    if (!Number.isInteger(views) || views < 1) throw new Error(`Scarf: views must be an integer >= 1, received ${views}`);
    this.rows = rows;
    this.dim = dim;
    this.corruption = corruption;
    this.views = views;
    this.corruptAnchor = corruptAnchor;
  }

  /** The row with round(corruption * dim) features, chosen at random, replaced by marginal draws. */
  corrupt(row: Float32Array, rng: Rng): Float32Array {
    if (row.length !== this.dim) throw new Error(`Scarf: a row must have ${this.dim} values, received ${row.length}`);
    const out = Float32Array.from(row);
    const k = Math.round(this.corruption * this.dim);
    // The first k of a partial Fisher-Yates shuffle of the feature indices: k distinct features.
    const order = Int32Array.from({ length: this.dim }, (_, j) => j);
    for (let t = 0; t < k; t++) {
      const s = t + rng.int(this.dim - t);
      const f = order[s];
      order[s] = order[t];
      order[t] = f;
      out[f] = this.rows[rng.int(this.rows.length)][f];
    }
    return out;
  }

  view(item: Float32Array, v: number, rng: Rng): Float32Array {
    return v === 0 && !this.corruptAnchor ? item : this.corrupt(item, rng);
  }
}
