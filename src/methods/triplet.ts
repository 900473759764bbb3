/**
 * Triplet network with online mining (Schroff et al. 2015, FaceNet, https://arxiv.org/abs/1503.03832;
 * Hermans et al. 2017, https://arxiv.org/abs/1703.07737): the views of all items of a batch go
 * through the shared encoder and head; the projections are L2-normalised (FaceNet's hypersphere)
 * and a triplet loss over the batch's labels pulls each anchor's positives closer than its
 * negatives by a margin. Mining: 'semi-hard' (default; FaceNet: per positive pair the nearest
 * negative farther than the positive, else the farthest negative), 'batch-hard' (the hardest
 * positive and negative of every anchor, Hermans et al.) or 'batch-all'. Batches should hold
 * several items per class (MPerClassSampler).
 *
 * Why semi-hard by default: with few classes and large batches (Fashion-MNIST, batch 256 = 8
 * classes x 32 images x 2 views) batch-hard collapsed: every anchor's hardest positive among 63
 * is an outlier, the projections shrank to one point and the loss sat at the margin (kNN 77.7%
 * after 5 epochs, below raw pixels). Hermans et al. use K = 4 images per class, where it works.
 */
import { type Scalar, type Tensor, tidy } from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batch.js';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { normalizeRows } from '../distances/cosine.js';
import { checkMargin } from '../losses/checks.js';
import { batchAllTripletLoss, batchHardTripletLoss, minedTripletLoss, semiHardTripletLoss } from '../losses/batch-triplet.js';
import type { TripletMiner } from '../miners/miner.js';
import { EncoderMethod } from './encoder-method.js';
import { repeatLabels } from './labels.js';

export type TripletMining = 'batch-hard' | 'semi-hard' | 'batch-all';

export interface TripletMethodOptions {
  backbone: LayersModel;
  head: LayersModel;
  /** Which triplets of the batch make the loss. Default 'semi-hard'. */
  mining?: TripletMining;
  /**
   * Margin on plain Euclidean distances between unit vectors (in [0, 2]). Default 0.2: FaceNet's
   * alpha, which FaceNet applies to squared distances; on plain distances it is a stricter
   * requirement near 0 and a looser one near the sphere's diameter (our choice; measured in
   * BENCHMARKS.md).
   */
  margin?: number;
  /**
   * A miner that chooses the triplets instead of `mining` (e.g. DistanceWeightedMiner); the loss
   * is then the hinge over the mined triplets, averaged over all of them.
   */
  miner?: TripletMiner;
}

export class Triplet extends EncoderMethod {
  readonly name = 'triplet';
  override readonly usesLabels = true;
  readonly mining: TripletMining;
  readonly margin: number;
  readonly miner?: TripletMiner;

  constructor(options: TripletMethodOptions) {
    const { backbone, head, mining = 'semi-hard', margin = 0.2, miner } = options;
    super('Triplet', backbone, head);
    if (!['batch-hard', 'semi-hard', 'batch-all'].includes(mining)) {
      throw new Error(`Triplet: mining must be 'batch-hard', 'semi-hard' or 'batch-all', received ${JSON.stringify(mining)}`);
    }
    this.mining = mining;
    this.margin = checkMargin('Triplet', margin);
    this.miner = this.checkMiner('TripletMiner', miner);
  }

  loss(batch: Batch): Scalar {
    const { views } = batch;
    const y = repeatLabels('Triplet', batch);
    return tidy(() => {
      const z = normalizeRows(this.projectViews(views)); // [V N, d], unit rows
      const options = { margin: this.margin };
      if (this.miner) return minedTripletLoss(z, y, this.miner, options);
      if (this.mining === 'semi-hard') return semiHardTripletLoss(z, y, options);
      if (this.mining === 'batch-all') return batchAllTripletLoss(z, y, options);
      return batchHardTripletLoss(z, y, options);
    });
  }
}
