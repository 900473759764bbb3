/**
 * A first-in-first-out queue of embeddings: MoCo's dictionary of negative keys (He et al. 2019,
 * section 3.2: "the current mini-batch is enqueued and the oldest is removed") and NNCLR's support
 * set (Dwibedi et al. 2021). Like lightly's `MemoryBankModule`, it starts filled with random unit
 * vectors (seeded), so it can be used from the first step; `enqueue` overwrites the oldest rows,
 * wrapping around. Its rows and write position are saved in checkpoints (getWeights/setWeights).
 */
import { type Tensor, type Tensor2D, type Variable, concat, keep, randomNormal, scalar, slice, tidy, variable } from '@tensorflow/tfjs-core';
import { normalizeRows } from '../distances/cosine.js';

export interface MemoryBankOptions {
  /** Rows kept. MoCo: 65536 on ImageNet, 4096 is lightly's CIFAR-10 setting. */
  size: number;
  /** Embedding dimension. */
  dim: number;
  /** Seed of the random initial rows. Default 0. */
  seed?: number;
}

export class MemoryBank {
  readonly size: number;
  readonly dim: number;
  private readonly bank: Variable;
  /** Row the next enqueue writes first (also kept as a tensor, for checkpoints). */
  private pointer = 0;
  private readonly pointerTensor: Variable;

  constructor({ size, dim, seed = 0 }: MemoryBankOptions) {
    for (const [name, v] of [['size', size], ['dim', dim]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`MemoryBank: ${name} must be an integer >= 1, received ${v}`);
    }
    if (!Number.isInteger(seed)) throw new Error(`MemoryBank: seed must be an integer, received ${seed}`);
    this.size = size;
    this.dim = dim;
    // tfjs treats seed 0 as "no seed" (Math.random): an odd seed is never 0.
    this.bank = tidy(() => variable(normalizeRows(randomNormal([size, dim], 0, 1, 'float32', 2 * seed + 1)), false));
    this.pointerTensor = tidy(() => variable(scalar(0, 'int32'), false));
  }

  private setPointer(p: number): void {
    this.pointer = p;
    const t = scalar(p, 'int32');
    this.pointerTensor.assign(t);
    t.dispose();
  }

  /** The rows, [size, dim] (the bank's own tensor: do not dispose it). */
  get rows(): Tensor2D {
    return this.bank as unknown as Tensor2D;
  }

  /** The index the next enqueue writes first. */
  get position(): number {
    return this.pointer;
  }

  /**
   * Puts `batch` [n, dim] in place of the oldest rows (n <= size), wrapping around the end. The
   * batch is copied; gradients never flow into the bank.
   */
  enqueue(batch: Tensor2D): void {
    const [n, d] = batch.shape;
    if (batch.rank !== 2 || d !== this.dim) throw new Error(`MemoryBank: batch must be [n, ${this.dim}], received [${batch.shape}]`);
    if (n > this.size) throw new Error(`MemoryBank: batch must have at most size = ${this.size} rows, received ${n}`);
    const p = this.pointer, first = Math.min(n, this.size - p); // rows written before wrapping
    const next = tidy(() => {
      const b = this.bank as Tensor;
      const parts: Tensor[] = [];
      const rest = n - first; // rows that wrap to the start
      if (rest > 0) parts.push(slice(batch, [first, 0], [rest, d]));
      if (p > rest) parts.push(slice(b, [rest, 0], [p - rest, d]));
      parts.push(slice(batch, [0, 0], [first, d]));
      if (p + first < this.size) parts.push(slice(b, [p + first, 0], [this.size - p - first, d]));
      return concat(parts, 0);
    });
    this.bank.assign(next);
    next.dispose();
    this.setPointer((p + n) % this.size);
  }

  /** Rows staged by `stage`, enqueued by `commit`. */
  private staged: Tensor2D | null = null;

  /**
   * Keeps an L2-normalised copy of `rows` [n, dim] (no gradient flows into it) to enqueue later with
   * `commit`: methods stage a batch's keys inside their loss and commit them after the optimizer
   * step, so the batch is never its own negative. A second stage replaces the first.
   */
  stage(rows: Tensor2D): void {
    if (rows.rank !== 2 || rows.shape[1] !== this.dim) throw new Error(`MemoryBank: rows must be [n, ${this.dim}], received [${rows.shape}]`);
    this.staged?.dispose();
    // keep: stage is called inside a method's loss, whose tidy would otherwise dispose the copy.
    // No readback is needed to leave the gradient tape: the staged rows are not part of the loss,
    // so the backward pass never reaches them.
    this.staged = keep(normalizeRows(rows));
  }

  /** Enqueues the staged rows, if any (see `stage`). */
  commit(): void {
    if (!this.staged) return;
    this.enqueue(this.staged);
    this.staged.dispose();
    this.staged = null;
  }

  /** [rows, position]: the checkpoint's view of the bank. */
  getWeights(): Tensor[] {
    return [this.bank, this.pointerTensor];
  }

  setWeights(weights: Tensor[]): void {
    const [rows, position] = weights;
    if (weights.length !== 2 || rows.shape.join() !== `${this.size},${this.dim}`) {
      throw new Error(`MemoryBank: setWeights expects [rows [${this.size}, ${this.dim}], position], received ${weights.length} tensors`);
    }
    const p = position.dataSync()[0];
    if (!Number.isInteger(p) || p < 0 || p >= this.size) throw new Error(`MemoryBank: position must be in [0, ${this.size}), received ${p}`);
    this.bank.assign(rows);
    this.setPointer(p);
  }

  dispose(): void {
    this.staged?.dispose();
    this.staged = null;
    this.bank.dispose();
    this.pointerTensor.dispose();
  }
}

