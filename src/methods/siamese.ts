/**
 * Siamese network with the contrastive (margin) loss (Hadsell, Chopra, LeCun 2006, "Dimensionality
 * Reduction by Learning an Invariant Mapping"; Chopra et al. 2005): pairs of inputs go through one
 * shared encoder and head; similar pairs are pulled together, dissimilar pairs pushed at least
 * `margin` apart (`contrastiveLoss`). Projections are L2-normalised, so distances lie in [0, 2].
 *
 * Pairs come from the labelled batch (all views stacked, V x N rows): every row i is paired with
 * one similar row (the first row after it, cyclically, with its label: another item of its class
 * in an MPerClassSampler batch, else its other view) and one dissimilar row (among the rows with
 * another label, taken cyclically after i, the (i mod their count)-th: spread over the other
 * classes and rows, not the same first row of the next class for a whole class block), so a batch
 * gives 2 V N pairs, half similar and half dissimilar.
 */
import { type Scalar, type Tensor, tidy } from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batch.js';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { normalizeRows } from '../distances/cosine.js';
import { checkMargin } from '../losses/checks.js';
import { pairContrastiveLoss } from '../losses/contrastive.js';
import type { PairIndices, PairMiner } from '../miners/miner.js';
import { EncoderMethod } from './encoder-method.js';
import { repeatLabels } from './labels.js';

export interface SiameseMethodOptions {
  backbone: LayersModel;
  head: LayersModel;
  /** Distance a dissimilar pair must exceed. Default 1 (Hadsell et al.; half the diameter of the unit sphere). */
  margin?: number;
  /** A miner that chooses the pairs instead of the scheme above (e.g. HardNegativePairMiner). */
  miner?: PairMiner;
}

/** The pairs of a labelled batch (see the file comment), similar (1) / dissimilar (0). */
export function batchPairs(labels: Int32Array): PairIndices {
  const n = labels.length;
  const a: number[] = [], b: number[] = [], similar: number[] = [];
  const others = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let pos = -1, count = 0;
    for (let k = 1; k < n; k++) {
      const j = (i + k) % n;
      if (labels[j] === labels[i]) { if (pos < 0) pos = j; } else others[count++] = j;
    }
    if (pos >= 0) { a.push(i); b.push(pos); similar.push(1); }
    if (count > 0) { a.push(i); b.push(others[i % count]); similar.push(0); }
  }
  return { anchors: Int32Array.from(a), others: Int32Array.from(b), similar: Uint8Array.from(similar) };
}

export class Siamese extends EncoderMethod {
  readonly name = 'siamese';
  override readonly usesLabels = true;
  readonly margin: number;
  readonly miner?: PairMiner;

  constructor(options: SiameseMethodOptions) {
    const { backbone, head, margin = 1, miner } = options;
    super('Siamese', backbone, head);
    this.margin = checkMargin('Siamese', margin);
    this.miner = this.checkMiner('PairMiner', miner);
  }

  loss(batch: Batch): Scalar {
    const { views } = batch;
    const y = repeatLabels('Siamese', batch);
    const fixed = this.miner ? null : batchPairs(y); // the miner needs the projections; these pairs do not
    if (fixed && fixed.anchors.length === 0) throw new Error('Siamese: the batch has no pair (it needs at least 2 rows)');
    return tidy(() => {
      const z = normalizeRows(this.projectViews(views)); // [V N, d]
      return pairContrastiveLoss(z, fixed ?? this.miner!.mine(z, y), { margin: this.margin });
    });
  }
}
