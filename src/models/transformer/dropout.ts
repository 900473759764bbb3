/**
 * Seeded dropout and seed derivation for the transformer (shared by the embeddings and the layers).
 *
 * tfjs' own dropout (`tf.dropout(x, rate, noiseShape, seed)`, what tfjs-layers'
 * Dropout calls) draws `randomUniform` from a fresh `seedrandom.alea(String(seed))` on every call:
 * with a seed, every call drops the same elements (SimCSE's two views of a sentence would be
 * identical); without one it seeds from Math.random (not reproducible). A DropoutStream draws call k
 * from a generator seeded by (seed, k): a new mask on every call, the same sequence of masks for
 * the same seed and call order, and writes the mask with its 1 / (1 - rate) scale in one pass
 * (one multiply, instead of tf.dropout's uniform + add + floor + div + multiply).
 */
import { mul, tensor, variable, type Tensor, type Variable } from '@tensorflow/tfjs-core';

/** murmur3's 32-bit finaliser. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A seed in [1, 2^31 - 1] derived from an integer `seed` and a path of integers (layer index,
 * weight index, call number): different paths give unrelated seeds. Never 0, which tfjs'
 * initialisers and random ops take as "unseeded".
 */
export function deriveSeed(seed: number, ...path: number[]): number {
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ Math.floor(seed / 4294967296) >>> 0);
  for (const p of path) h = fmix32(Math.imul(h ^ (p >>> 0), 0x27d4eb2d) + 0x165667b1);
  return (h % 2147483647) + 1;
}

/** mulberry32: a small, fast 32-bit generator of floats in [0, 1). */
function mulberry32(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Inverted dropout with a seeded stream of masks: call k with seed s uses the generator seeded by
 * deriveSeed(s, k); without a seed, Math.random. A layer owns one stream and draws its dropouts in
 * a fixed order, so a model built with a seed repeats its masks call for call (a model rebuilt or
 * loaded starts its streams again at call 0).
 */
export class DropoutStream {
  private calls = 0;

  constructor(readonly seed: number | undefined) {}

  /** x with each element zeroed with probability `rate` and the others scaled by 1 / (1 - rate); x itself when rate is 0. */
  apply(x: Tensor, rate: number): Tensor {
    if (!(rate >= 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1), received ${rate}`);
    if (rate === 0) return x;
    const next = this.seed === undefined ? Math.random : mulberry32(deriveSeed(this.seed, this.calls++));
    const keep = 1 / (1 - rate);
    const mask = new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = next() < rate ? 0 : keep;
    return mul(x, tensor(mask, x.shape, 'float32'));
  }

  /** Calls drawn so far (the next mask is number `calls`). */
  get drawn(): number {
    return this.calls;
  }

  /** Continues the stream at call `k` (a resumed run: the next mask is number k). */
  set drawn(k: number) {
    if (!Number.isInteger(k) || k < 0) throw new Error(`DropoutStream: drawn must be an integer >= 0, received ${k}`);
    this.calls = k;
  }
}

/** The dropout streams of a model's layers, in layer order (layers that have one: `dropoutStream`). */
export function dropoutStreams(model: { layers: readonly object[] }): DropoutStream[] {
  return model.layers.flatMap((l) => {
    const s = (l as { dropoutStream?: unknown }).dropoutStream;
    return s instanceof DropoutStream ? [s] : [];
  });
}

/**
 * The position of a model's dropout streams as checkpoint state (a method's `WeightPart`): one
 * int32 per stream, the masks drawn so far. Restored, a resumed run draws the masks an
 * uninterrupted run would have drawn, so training with dropout (SimCSE) resumes bit for bit.
 */
export class DropoutState {
  private readonly value: Variable;

  constructor(private readonly streams: readonly DropoutStream[]) {
    const zeros = tensor(new Int32Array(streams.length), [streams.length], 'int32');
    this.value = variable(zeros, false);
    zeros.dispose(); // the variable keeps the values
  }

  getWeights(): Tensor[] {
    const now = tensor(Int32Array.from(this.streams, (s) => s.drawn), [this.streams.length], 'int32');
    this.value.assign(now);
    now.dispose(); // the variable keeps the values
    return [this.value];
  }

  setWeights(weights: Tensor[]): void {
    const [w] = weights;
    if (weights.length !== 1 || w.size !== this.streams.length) throw new Error(`DropoutState: expected 1 tensor of ${this.streams.length} values, received ${weights.length} tensor(s)${w ? ` of ${w.size}` : ''}`);
    const counts = w.dataSync();
    this.streams.forEach((s, i) => { s.drawn = counts[i]; });
    const now = tensor(Int32Array.from(counts), [this.streams.length], 'int32');
    this.value.assign(now);
    now.dispose();
  }

  dispose(): void {
    this.value.dispose();
  }
}

