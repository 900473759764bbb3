/**
 * MNRL with a gradient cache (GradCache: Gao, Zhang, Han, Callan 2021, "Scaling Deep Contrastive
 * Learning Batch Size under Memory Limited Setup", https://arxiv.org/abs/2101.06983;
 * sentence-transformers `losses/CachedMultipleNegativesRankingLoss.py`): the loss of `MNRL`
 * (losses/mnrl.ts), on batches whose encoder activations would not fit in memory at once. In-batch
 * negatives get better with the batch size, and the loss couples every row of the batch, so the
 * batch cannot simply be split; its embeddings can. One step:
 *
 * 1. embed every view in mini-batches of `miniBatchSize` rows, training mode, no gradient; keep
 *    the embeddings E_v [N, d] (and the dropout streams' position before each mini-batch);
 * 2. the loss L(E_0, E_1[, E_2]) and its gradient G_v = dL/dE_v [N, d] (one small graph: the
 *    [N, (V - 1) N] similarities);
 * 3. per mini-batch, run the encoder again with gradient, from the same dropout position (the same
 *    masks, so the same embeddings), and backpropagate G_v's rows: the gradient of the surrogate
 *    sum(E_chunk * G_chunk) with respect to the weights is that mini-batch's share of dL/dweights;
 *    the shares are summed and the optimizer applied once.
 *
 * The gradient is the full-batch gradient (up to float32 summation order) for the dropout masks the
 * mini-batches draw; memory holds one mini-batch's activations, the N-row embeddings and their
 * gradient, and one gradient per weight. The price is a second forward pass (about +1/3 compute).
 * The masks are drawn per mini-batch ([m, L, D] at a time), so with dropout a run's masks depend
 * on `miniBatchSize`; with miniBatchSize >= the batch size the step equals MNRL's, masks included.
 */
import { type NamedTensorMap, type Optimizer, type Scalar, type Tensor, type Tensor2D, add, concat, dispose, mul, slice, sum, tidy, valueAndGrads, variableGrads } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type Batch, type ViewInput, isTensor } from '../data/batch.js';
import { mnrlLoss } from '../losses/mnrl.js';
import { applyModel } from '../models/apply-model.js';
import { identityHead } from '../models/identity-head.js';
import { type DropoutStream, dropoutStreams } from '../models/transformer/dropout.js';
import { EncoderMethod } from './encoder-method.js';
import type { MNRLOptions } from './mnrl.js';

export interface CachedMNRLOptions extends MNRLOptions {
  /** Rows per encoder pass (the memory knob; the loss still sees the whole batch). Default 32. */
  miniBatchSize?: number;
}

/** The loss value of a step and the gradient of every trainable variable that has one, by name. */
export interface CachedGradients {
  loss: number;
  grads: NamedTensorMap;
}

/** Rows [start, start + size) of a view input (every named tensor sliced alike). */
function sliceRows(view: ViewInput, start: number, size: number): ViewInput {
  const rows = (t: Tensor) => slice(t, [start, ...t.shape.slice(1).map(() => 0)], [size, ...t.shape.slice(1).map(() => -1)]);
  if (isTensor(view)) return rows(view);
  return Object.fromEntries(Object.entries(view).map(([k, t]) => [k, rows(t)]));
}

export class CachedMNRL extends EncoderMethod {
  readonly name = 'cached-mnrl';
  readonly scale: number;
  readonly symmetric: boolean;
  readonly miniBatchSize: number;
  /** The seeded dropout streams of backbone and head, saved and restored around each mini-batch. */
  private readonly streams: DropoutStream[];

  constructor(options: CachedMNRLOptions) {
    const { backbone, head, scale = 20, symmetric = false, miniBatchSize = 32 } = options ?? ({} as CachedMNRLOptions);
    if (!backbone || typeof backbone.apply !== 'function') throw new Error(`CachedMNRL: backbone is required (a LayersModel), received ${String(backbone)}`);
    super('CachedMNRL', backbone, head ?? identityHead(backbone.outputs[0].shape.at(-1) as number));
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) throw new Error(`CachedMNRL: scale must be a finite number > 0, received ${JSON.stringify(scale)}`);
    if (typeof symmetric !== 'boolean') throw new Error(`CachedMNRL: symmetric must be a boolean, received ${JSON.stringify(symmetric)}`);
    if (!Number.isInteger(miniBatchSize) || miniBatchSize < 1) throw new Error(`CachedMNRL: miniBatchSize must be an integer >= 1, received ${JSON.stringify(miniBatchSize)}`);
    this.scale = scale;
    this.symmetric = symmetric;
    this.miniBatchSize = miniBatchSize;
    this.streams = [...dropoutStreams(this.backbone), ...dropoutStreams(this.head)];
  }

  private checkViews(batch: Batch): ViewInput[] {
    const { views } = batch;
    if (views.length !== 2 && views.length !== 3) throw new Error(`CachedMNRL: expects 2 views (anchor, positive) or 3 (with a hard negative), received ${views.length}`);
    return views;
  }

  /** [start, size] of each mini-batch of n rows. */
  private chunks(n: number): [number, number][] {
    const out: [number, number][] = [];
    for (let s = 0; s < n; s += this.miniBatchSize) out.push([s, Math.min(this.miniBatchSize, n - s)]);
    return out;
  }

  /** Training-mode projections of a view input: [n, d]. */
  private forward(view: ViewInput): Tensor2D {
    return this.head.apply(applyModel(this.backbone, view, true), { training: true }) as Tensor2D;
  }

  private get positions(): number[] {
    return this.streams.map((s) => s.drawn);
  }

  private set positions(at: number[]) {
    this.streams.forEach((s, k) => { s.drawn = at[k]; });
  }

  /**
   * Step 1: the embeddings of every view, mini-batch by mini-batch, without gradient; `at[v][c]`
   * receives the dropout position before mini-batch c of view v. [V] x [N, d].
   */
  private embedViews(views: ViewInput[], n: number, at: number[][][]): Tensor2D[] {
    return views.map((view, v) => {
      at[v] = [];
      const parts = this.chunks(n).map(([start, size], c) => {
        at[v][c] = this.positions;
        return tidy(() => this.forward(sliceRows(view, start, size))); // [m, d]; this pass's activations freed here
      });
      const e = concat(parts, 0);
      dispose(parts);
      return e;
    });
  }

  /**
   * The MNRL loss of the batch, its embeddings computed mini-batch by mini-batch. The same value as
   * the step's; differentiable, but the graph then keeps every mini-batch's activations (what
   * `trainStep` avoids).
   */
  loss(batch: Batch): Scalar {
    const views = this.checkViews(batch);
    return tidy(() => {
      const e = this.embedViews(views, batch.size, []);
      this.recordCollapse(e[e.length - 1]);
      return mnrlLoss(e[0], e[1], e[2], { scale: this.scale, symmetric: this.symmetric });
    });
  }

  /**
   * Steps 1 to 3 without the update: the loss value and the gradient of every trainable variable
   * that has one (the caller disposes them). The dropout streams end where one pass over the batch
   * leaves them.
   */
  cachedGradients(batch: Batch): CachedGradients {
    const views = this.checkViews(batch);
    const n = batch.size;
    const at: number[][][] = [];
    // 1. Embeddings without gradient (no tape is recorded outside variableGrads / valueAndGrads).
    const embeddings = this.embedViews(views, n, at);
    const end = this.positions;
    this.recordCollapse(embeddings[embeddings.length - 1]);
    // 2. The loss and its gradient with respect to the embeddings: [V] x [N, d].
    const opts = { scale: this.scale, symmetric: this.symmetric };
    const { value, grads: embeddingGrads } = valueAndGrads((...e: Tensor[]) => mnrlLoss(e[0], e[1], e[2], opts))(embeddings);
    const loss = value.dataSync()[0];
    value.dispose();
    dispose(embeddings);
    // 3. Per mini-batch: the encoder again, same masks, and the vector-Jacobian product with G's rows.
    const variables = this.trainableVariables();
    const sums: NamedTensorMap = {};
    try {
      views.forEach((view, v) => {
        this.chunks(n).forEach(([start, size], c) => {
          this.positions = at[v][c];
          const g = slice(embeddingGrads[v], [start, 0], [size, -1]); // [m, d]
          const part = variableGrads(() => sum(mul(this.forward(sliceRows(view, start, size)), g)) as Scalar, variables);
          part.value.dispose();
          g.dispose();
          for (const [name, grad] of Object.entries(part.grads)) {
            if (!grad) continue;
            const before = sums[name];
            if (before) {
              sums[name] = add(before, grad);
              dispose([before, grad]);
            } else {
              sums[name] = grad;
            }
          }
        });
      });
    } catch (e) {
      dispose(Object.values(sums));
      throw e;
    } finally {
      this.positions = end;
      dispose(embeddingGrads);
    }
    // In the variables' order (an optimizer keys its slots by position).
    const grads: NamedTensorMap = {};
    for (const w of variables) if (sums[w.name]) grads[w.name] = sums[w.name];
    return { loss, grads };
  }

  /** One GradCache step: gradients in mini-batches, then one optimizer update (as `minimize` applies it). */
  override trainStep(batch: Batch, optimizer: Optimizer): number {
    const { loss, grads } = this.cachedGradients(batch);
    try {
      // The same list minimize() passes: every variable, in order, undefined where no gradient.
      optimizer.applyGradients(this.trainableVariables().map((w) => ({ name: w.name, tensor: grads[w.name] as Tensor })));
    } finally {
      dispose(Object.values(grads));
    }
    this.afterStep();
    return loss;
  }
}
