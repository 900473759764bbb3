/**
 * Loads the C++ addon of the `native` backend (built by node-gyp at `npm install`). If it cannot be
 * loaded, `addon` is null and one warning says why and how to rebuild; the library then runs on
 * tfjs's pure-JavaScript `cpu` backend.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Activation codes shared with native/src/gemm.h (enum class Act). */
export const enum ActCode {
  None = 0,
  Relu = 1,
  Relu6 = 2,
  LeakyRelu = 3,
  Elu = 4,
  Sigmoid = 5,
  Prelu = 6,
  Gelu = 7,
}

/** Unary op codes shared with native/src/elementwise.cc (enum UnaryOp). */
export const enum UnaryOp {
  Relu = 0, Relu6, Elu, Sigmoid, Exp, Log, Log1p, Sqrt, Rsqrt, Square, Neg, Abs, Tanh,
  Step, LeakyRelu, Reciprocal, Softplus, ClipByValue,
}

/** Binary op codes shared with native/src/elementwise.cc (enum BinaryOp). */
export const enum BinaryOp {
  Add = 0, Sub, Mul, Div, Maximum, Minimum, SquaredDifference, Prelu, EluGrad,
}

/** Reduction codes shared with native/src/reduce.cc (enum ReduceOp). */
export const enum ReduceOp {
  Sum = 0, Mean, Max, Min,
}

type F32 = Float32Array;

/** The raw-buffer functions the addon exports. Inputs are never written; outputs are preallocated. */
export interface NativeAddon {
  getThreads(): number;
  setThreads(n: number): void;
  kernelName(): string;
  setKernel(name: string): boolean;
  /** out[batch, M, N] = act(a[batchA] x b[batchB] + bias); batchA, batchB equal or 1. */
  matmul(
    a: F32, b: F32, out: F32, batchA: number, batchB: number, M: number, N: number, K: number,
    transposeA: boolean, transposeB: boolean, bias: F32 | null, act: ActCode, alpha: number, prelu: F32 | null,
  ): void;
  /** Training batch norm over rows of x[M, C]: y, and the batch mean and biased variance [C]. */
  bnTrainForward(x: F32, gamma: F32 | null, beta: F32 | null, M: number, C: number, eps: number, y: F32, mean: F32, variance: F32): void;
  /** Its gradient: dx, dgamma, dbeta (dmean, dvar: gradients arriving at the mean/variance outputs). */
  bnTrainBackward(
    dy: F32, x: F32, mean: F32, variance: F32, gamma: F32 | null, dmean: F32 | null, dvar: F32 | null,
    M: number, C: number, eps: number, dx: F32, dgamma: F32, dbeta: F32,
  ): void;
  /**
   * 2-D max (isMax) or average pooling, NHWC: x [B, H, W, C] -> y [B, outH, outW, C]; windows clipped
   * to the image (padding never counts).
   */
  pool2d(
    x: F32, y: F32, isMax: boolean, B: number, H: number, W: number, C: number, outH: number, outW: number,
    fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number,
  ): void;
  /** dx [B, H, W, C] of maxPool: each dy goes to its window's first strict max (cpu's tie rule). */
  maxPoolGrad(
    x: F32, dy: F32, dx: F32, B: number, H: number, W: number, C: number, outH: number, outW: number,
    fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number,
  ): void;
  /** dx [B, H, W, C] of avgPool: sum of the covering windows' dy, times 1 / (fh * fw) (cpu's rule). */
  avgPoolGrad(
    dy: F32, dx: F32, B: number, H: number, W: number, C: number, outH: number, outW: number,
    fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number,
  ): void;
  /** out = offset + (x - mean) * scale / sqrt(variance + eps), parameters [C] along x's last axis. */
  batchNorm(x: F32, out: F32, mean: F32, variance: F32, offset: F32 | null, scale: F32 | null, C: number, eps: number): void;
  /**
   * LayerNorm of the rows of x [M, H]: y = (x - mean) / sqrt(var + eps) * gamma + beta; with r [M, H],
   * of x + r (the residual add fused, the sum in float as Add makes it).
   */
  layerNormForward(x: F32, gamma: F32, beta: F32, M: number, H: number, eps: number, y: F32, r?: F32 | null): void;
  /** Its gradient: dx [M, H], dgamma and dbeta [H] (row statistics recomputed from x). */
  layerNormBackward(dy: F32, x: F32, gamma: F32, M: number, H: number, eps: number, dx: F32, dgamma: F32, dbeta: F32): void;
  /** y = exact (erf) GELU of x, elementwise. */
  gelu(x: F32, y: F32): void;
  /** dx = dy * gelu'(x), elementwise. */
  geluGrad(dy: F32, x: F32, dx: F32): void;
  /** y [B, R, n] = softmax over n of scores * scale + bias[b] (bias: [B, n]). */
  maskedSoftmax(scores: F32, bias: F32, y: F32, B: number, R: number, n: number, scale: number): void;
  /** dx [rows, n] = scale * y * (dy - sum(dy * y)) per row. */
  maskedSoftmaxGrad(dy: F32, y: F32, dx: F32, rows: number, n: number, scale: number): void;
  /**
   * For (b, g) in [B] x [G]: out_bg[M, N] = a_bg[M, K] x b_bg[K, N] over strided views; strides =
   * [a: batch, group, row, col, b: batch, group, row, col, out: batch, group, row] (native/src/heads_matmul.cc).
   */
  headsMatMul(a: F32, b: F32, out: F32, B: number, G: number, M: number, N: number, K: number, strides: Float64Array): void;
  /**
   * Attention forward per (b, g): out_bg [Lq, D] = softmax(q_bg k_bg^T * scale + bias[b]) v_bg, heads
   * side by side in q [B, Lq, G * D], k, v [B, Lk, G * D], out [B, Lq, G * D]; bias [B, Lk] or null
   * (native/src/attention_fused.cc). allowShort (default true) lets heads of width 32 or 64 over at
   * most 128 keys run the AVX-512 short-sequence kernel (native/src/attention_short_avx512.cc) when
   * the AVX-512 GEMM kernel is active; false forces the generic path.
   */
  attentionFused(q: F32, k: F32, v: F32, bias: F32 | null, out: F32, B: number, G: number, Lq: number, Lk: number, D: number, scale: number, allowShort?: boolean): void;
  /** out = x[begin, begin + size) per axis (x's shape: shape, rank <= 8). */
  slice(x: F32, out: F32, shape: Int32Array, begin: Int32Array, size: Int32Array): void;
  /** Row-wise softmax of x [rows, n] into out. */
  softmax(x: F32, out: F32, rows: number, n: number): void;
  /** out = x transposed by perm (rank <= 6); shape is x's shape. */
  transpose(x: F32, out: F32, shape: Int32Array, perm: Int32Array): void;
  /** out[i] = op(x[i]); p0: Step / LeakyRelu alpha or ClipByValue min, p1: ClipByValue max. */
  unary(op: UnaryOp, x: F32, out: F32, p0: number, p1: number): void;
  /**
   * out = op(a, b) over a broadcast collapsed to rank 1..6: shape = output dims, strides in
   * elements (0 = broadcast); the innermost stride pair is (1, 1), (1, 0) or (0, 1).
   */
  binary(op: BinaryOp, a: F32, b: F32, out: F32, shape: number[], aStrides: number[], bStrides: number[]): void;
  /** out = xs[0] + xs[1] + ..., in that order; every xs[i] has out's length. */
  addN(xs: F32[], out: F32): void;
  /** x viewed as [A, R, B] -> out[A, B] reduced over R (R >= 1); sum and mean accumulate in double. */
  reduce(op: ReduceOp, x: F32, out: F32, A: number, R: number, B: number): void;
  /** x viewed as [A, R, B] -> out[A, B] = first index of the maximum over R (R >= 1). */
  argMax(x: F32, out: Int32Array, A: number, R: number, B: number): void;
  /**
   * y[B, OH, OW, O] = act(conv2d(x[B, H, W, C], w[FH, FW, C, O]) + bias), NHWC; geom is
   * [B, H, W, C, OH, OW, O, FH, FW, strideH, strideW, dilationH, dilationW, padTop, padLeft].
   */
  conv2d(x: F32, w: F32, y: F32, geom: Int32Array, bias: F32 | null, act: ActCode, alpha: number, prelu: F32 | null): void;
  /** dx[B, H, W, C] of conv2d from dy[B, OH, OW, O] and w[FH, FW, C, O]; geom as in conv2d. */
  conv2dBackpropInput(dy: F32, w: F32, dx: F32, geom: Int32Array): void;
  /** dw[FH, FW, C, O] of conv2d from x[B, H, W, C] and dy[B, OH, OW, O]; geom as in conv2d. */
  conv2dBackpropFilter(x: F32, dy: F32, dw: F32, geom: Int32Array): void;
  /** y[B, OH, OW, O = C*cm] = act(depthwiseConv2d(x, w[FH, FW, C, cm]) + bias); geom as in conv2d. */
  depthwiseConv2d(x: F32, w: F32, y: F32, geom: Int32Array, bias: F32 | null, act: ActCode, alpha: number, prelu: F32 | null): void;
  /** dx[B, H, W, C] of depthwiseConv2d from dy[B, OH, OW, C*cm] and w[FH, FW, C, cm]. */
  depthwiseConv2dBackpropInput(dy: F32, w: F32, dx: F32, geom: Int32Array): void;
  /** dw[FH, FW, C, cm] of depthwiseConv2d from x[B, H, W, C] and dy[B, OH, OW, C*cm]. */
  depthwiseConv2dBackpropFilter(x: F32, dy: F32, dw: F32, geom: Int32Array): void;
  /** Measured fp32 FMA throughput of all pool threads together, in GFLOP/s, over about `seconds`. */
  peakGflops(seconds: number): number;
  /** Instruction set of the peakGflops probe: 'avx512', 'avx2' or 'generic'. */
  peakIsa(): string;
  /** out = x tiled reps times along each axis (shape: x's dims, rank >= 1). */
  tile(x: F32, out: F32, shape: Int32Array, reps: Int32Array): void;
  /**
   * One Adam / AdamW step (native/src/adam.cc): pOut, mOut, vOut = the step of p, m, v with gradient g;
   * coefs = [beta1, 1 - beta1, beta2, 1 - beta2, c1, c2, eps, -lr, keep]. Each output is either its
   * input itself (updated in place) or an array overlapping no other.
   */
  adamUpdate(p: F32, g: F32, m: F32, v: F32, pOut: F32, mOut: F32, vOut: F32, coefs: F32): void;
  [name: string]: unknown;
}

const here = dirname(fileURLToPath(import.meta.url));
// dist/backend/ or src/backend/ -> package root.
const root = join(here, '..', '..');
/** The built addon; CONTRASTIVE_ADDON_PATH points elsewhere (tests use it to simulate a missing addon). */
const addonPath = process.env.CONTRASTIVE_ADDON_PATH || join(root, 'native', 'build', 'Release', 'contrastive_native.node');

function load(): { addon: NativeAddon | null; reason: string | null } {
  if (process.env.CONTRASTIVE_BACKEND === 'cpu') return { addon: null, reason: 'CONTRASTIVE_BACKEND=cpu' };
  if (!existsSync(addonPath)) {
    const failed = join(root, 'native', 'build', 'FAILED.txt');
    const why = existsSync(failed) ? readFileSync(failed, 'utf8').trim() : 'it was not built';
    return { addon: null, reason: `${addonPath} is missing (${why})` };
  }
  try {
    const require = createRequire(import.meta.url);
    return { addon: require(addonPath) as NativeAddon, reason: null };
  } catch (e) {
    return { addon: null, reason: `loading ${addonPath} failed: ${(e as Error).message}` };
  }
}

const loaded = load();

/** The addon, or null when it could not be loaded (see `addonLoadError`). */
export const addon: NativeAddon | null = loaded.addon;
/** Why the addon is not available, or null when it is. */
export const addonLoadError: string | null = loaded.reason;

let warned = false;
/** Prints the one warning about the missing addon (once per process). */
export function warnAddonMissing(): void {
  if (warned || addon || process.env.CONTRASTIVE_BACKEND === 'cpu') return;
  warned = true;
  console.warn(
    `contrastive: the native backend is unavailable, ${addonLoadError}. ` +
      'Falling back to the pure-JavaScript cpu backend (10-300x slower). ' +
      'To rebuild it: `npm run build:addon` in the contrastive package folder (needs python3, make and a C++17 compiler).',
  );
}
