/**
 * Recycles the large Float32Array outputs of native kernels.
 *
 * Allocating a fresh 100 MB Float32Array and touching it costs 40-300 ms here (page faults and
 * zeroing), against 5 ms to overwrite a warm one; a training step of a small CNN at batch 256 makes
 * dozens of such activations and gradients. Buffers handed out by `take` come back when the last
 * tensor that uses them is disposed, and are reused for the next output of the same length.
 *
 * Safety rules (a recycled buffer must never be visible to anyone):
 * - only buffers this pool allocated are recycled, never arrays a user passed to `tf.tensor`;
 * - a buffer is "live" while any tensor's values (the array or a view on it, as cpu's Slice makes
 *   with `subarray`) refer to it: `onStore` and `onRelease` count them per ArrayBuffer;
 * - a buffer whose values were ever read out (`dataSync`, `data`, `bufferSync`, which return the
 *   backing array itself on the cpu backend) is exposed and never recycled.
 * Arrays from `take` hold stale data: a kernel that uses them must write every element.
 */
export class BufferPool {
  /** Free buffers by length. */
  private free = new Map<number, Float32Array[]>();
  /** Buffers this pool made and not exposed -> number of stored tensor values using them. */
  private live = new WeakMap<ArrayBufferLike, number>();
  private freeBytes = 0;

  /**
   * @param capBytes most bytes kept in free buffers (oldest dropped beyond it).
   * @param minLength arrays shorter than this are plain allocations (cheap, not worth tracking).
   */
  constructor(
    readonly capBytes: number,
    readonly minLength = 1 << 16,
  ) {}

  /**
   * Tests set this (CONTRASTIVE_POOL_POISON=1): every array handed out starts as NaN, so a kernel
   * that leaves an element unwritten fails its parity test instead of passing on fresh zeros.
   */
  readonly poison = process.env.CONTRASTIVE_POOL_POISON === '1';

  /** A Float32Array of `n` elements with arbitrary contents. */
  take(n: number): Float32Array {
    const a = this.takeUnpoisoned(n);
    if (this.poison) a.fill(Number.NaN);
    return a;
  }

  private takeUnpoisoned(n: number): Float32Array {
    if (n < this.minLength || this.capBytes <= 0) return new Float32Array(n);
    const list = this.free.get(n);
    let a: Float32Array;
    if (list && list.length > 0) {
      a = list.pop()!;
      this.freeBytes -= a.byteLength;
      if (list.length === 0) this.free.delete(n);
    } else {
      a = new Float32Array(n);
    }
    this.live.set(a.buffer, 0);
    return a;
  }

  /** A tensor now stores `values`. */
  onStore(values: unknown): void {
    const buf = bufferOf(values);
    if (!buf) return;
    const c = this.live.get(buf);
    if (c !== undefined) this.live.set(buf, c + 1);
  }

  /** A tensor storing `values` was deleted; recycles the buffer when no tensor uses it. */
  onRelease(values: unknown): void {
    const buf = bufferOf(values);
    if (!buf) return;
    const c = this.live.get(buf);
    if (c === undefined) return;
    if (c > 1) {
      this.live.set(buf, c - 1);
      return;
    }
    this.live.delete(buf);
    this.give(new Float32Array(buf));
  }

  /** `values` were read out: never recycle their buffer. */
  onExpose(values: unknown): void {
    const buf = bufferOf(values);
    if (buf) this.live.delete(buf);
  }

  /**
   * True when `values` is a whole buffer this pool made, never read out, and stored by exactly one
   * tensor data entry: nothing outside the backend can see it (a kernel may then overwrite it for
   * that entry's owner, see src/ops/adam-update.ts `overwrite`).
   */
  isPrivate(values: unknown): boolean {
    const buf = bufferOf(values);
    return buf !== null && this.live.get(buf) === 1 && (values as Float32Array).byteOffset === 0 && (values as Float32Array).byteLength === buf.byteLength;
  }

  /** Bytes held in free buffers. */
  get heldBytes(): number {
    return this.freeBytes;
  }

  /** Drops every free buffer. */
  clear(): void {
    this.free.clear();
    this.freeBytes = 0;
  }

  private give(a: Float32Array): void {
    if (a.byteLength > this.capBytes) return;
    while (this.freeBytes + a.byteLength > this.capBytes && this.free.size > 0) {
      // Drop from the oldest length bucket (Map keeps insertion order).
      const [len, list] = this.free.entries().next().value as [number, Float32Array[]];
      const dropped = list.shift()!;
      this.freeBytes -= dropped.byteLength;
      if (list.length === 0) this.free.delete(len);
    }
    const list = this.free.get(a.length);
    if (list) list.push(a);
    else this.free.set(a.length, [a]);
    this.freeBytes += a.byteLength;
  }
}

function bufferOf(values: unknown): ArrayBufferLike | null {
  return values instanceof Float32Array ? values.buffer : null;
}
