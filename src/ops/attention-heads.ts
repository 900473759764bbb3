/**
 * The two batched products of multi-head attention (Vaswani et al. 2017, arXiv:1706.03762) read
 * and written in the [batch, seqLen, heads * D] layout of the projections, so that no head is ever
 * transposed to [batch * heads, seqLen, D] and back (tfjs: 4 Transposes forward, 4 backward per
 * layer, each a full copy of the activations):
 *
 *   headScores(q [B, Lq, H], k [B, Lk, H], heads) -> [B, heads, Lq, Lk]:  S_bh = Q_bh K_bh^T
 *   headContext(p [B, heads, Lq, Lk], v [B, Lk, H]) -> [B, Lq, H]:        C_bh = P_bh V_bh
 *
 * where X_bh [L, D] is columns h * D .. (h + 1) * D of x[b] (D = H / heads). Their gradients are
 * the same two products with other operands (dQ = dS K, dK = dS^T Q, dP = dC V^T, dV = P^T dC).
 * The `native` backend runs them on the packed GEMM over strided views (native/src/heads_matmul.cc);
 * every other backend runs the float64 loops below, which are also the reference the tests use.
 */
import {
  engine, type GradConfig, type KernelConfig, type KernelFunc, type NamedAttrMap, type Tensor, type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { cpuValues, referenceRegistrar } from './reference-kernels.js';

export const HeadScores = 'ContrastiveHeadScores';
export const HeadContext = 'ContrastiveHeadContext';

export interface HeadScoresAttrs extends NamedAttrMap {
  numHeads: number;
}

export interface HeadContextAttrs extends NamedAttrMap {
  /** Use P_bh^T (p is [B, heads, Lv, Lout]) instead of P_bh (p is [B, heads, Lout, Lv]). */
  transposeP: boolean;
}

function check3(where: string, name: string, t: Tensor): void {
  if (t.rank !== 3) throw new Error(`${where}: ${name} must be [batch, seqLen, hidden], received [${t.shape}]`);
  if (t.dtype !== 'float32') throw new Error(`${where}: ${name} must be float32, received ${t.dtype}`);
}

/** Per-head scores Q_h K_h^T of q [B, Lq, H] and k [B, Lk, H]: [B, numHeads, Lq, Lk] (unscaled). */
export function headScores(q: Tensor, k: Tensor, numHeads: number): Tensor {
  check3('headScores', 'q', q);
  check3('headScores', 'k', k);
  const [B, , H] = q.shape;
  if (k.shape[0] !== B || k.shape[2] !== H) throw new Error(`headScores: k must be [${B}, seqLen, ${H}] (q's batch and hidden), received [${k.shape}]`);
  if (!Number.isInteger(numHeads) || numHeads < 1 || H % numHeads !== 0) {
    throw new Error(`headScores: numHeads must be an integer >= 1 dividing hidden ${H}, received ${numHeads}`);
  }
  ensureReferenceKernels();
  return engine().runKernel(HeadScores, { a: q, b: k }, { numHeads }) as Tensor;
}

/** Per-head context P_h V_h of p [B, heads, Lq, Lk] and v [B, Lk, H], heads merged: [B, Lq, H]. */
export function headContext(p: Tensor, v: Tensor): Tensor {
  check3('headContext', 'v', v);
  if (p.rank !== 4 || p.dtype !== 'float32') throw new Error(`headContext: p must be float32 [batch, heads, Lq, Lk], received ${p.dtype} [${p.shape}]`);
  const [B, G, , Lk] = p.shape as [number, number, number, number];
  if (v.shape[0] !== B || v.shape[1] !== Lk || (v.shape[2] as number) % G !== 0) {
    throw new Error(`headContext: v must be [${B}, ${Lk}, heads * D] (p's batch and keys, hidden divisible by ${G} heads), received [${v.shape}]`);
  }
  ensureReferenceKernels();
  return engine().runKernel(HeadContext, { p, v }, { transposeP: false }) as Tensor;
}

const ensureReferenceKernels = referenceRegistrar(() => attentionHeadsReferenceKernels('cpu'), () => attentionHeadsGradConfigs);

const scores = (a: Tensor, b: Tensor, numHeads: number) => engine().runKernel(HeadScores, { a, b }, { numHeads }) as Tensor;
const context = (p: Tensor, v: Tensor, transposeP: boolean) => engine().runKernel(HeadContext, { p, v }, { transposeP }) as Tensor;

/** Gradients: dQ = dS K, dK = dS^T Q; dP = dC V^T (or V dC^T when transposed), dV = P^T dC (or P dC). */
export const attentionHeadsGradConfigs: GradConfig[] = [
  {
    kernelName: HeadScores,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
      const [a, b] = saved;
      return { a: () => context(dy as Tensor, b, false), b: () => context(dy as Tensor, a, true) };
    },
  },
  {
    kernelName: HeadContext,
    inputsToSave: ['p', 'v'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [p, v] = saved;
      const G = p.shape[1] as number;
      return (attrs as HeadContextAttrs).transposeP
        ? { p: () => scores(v, dy as Tensor, G), v: () => context(p, dy as Tensor, false) }
        : { p: () => scores(dy as Tensor, v, G), v: () => context(p, dy as Tensor, true) };
    },
  },
];

// ---- reference kernels (float64 accumulation) ----

interface Args<A> { inputs: Record<string, TensorInfo>; backend: MathBackendCPU; attrs: A }

function referenceScores({ inputs, backend, attrs }: Args<HeadScoresAttrs>): TensorInfo {
  const a = cpuValues(backend, inputs.a), b = cpuValues(backend, inputs.b);
  const [B, La, H] = inputs.a.shape, Lb = inputs.b.shape[1], G = attrs.numHeads, D = H / G;
  const out = new Float32Array(B * G * La * Lb);
  for (let n = 0; n < B; n++) {
    for (let g = 0; g < G; g++) {
      for (let i = 0; i < La; i++) {
        for (let j = 0; j < Lb; j++) {
          let s = 0;
          for (let d = 0; d < D; d++) s += a[(n * La + i) * H + g * D + d] * b[(n * Lb + j) * H + g * D + d];
          out[((n * G + g) * La + i) * Lb + j] = s;
        }
      }
    }
  }
  return backend.makeTensorInfo([B, G, La, Lb], 'float32', out);
}

function referenceContext({ inputs, backend, attrs }: Args<HeadContextAttrs>): TensorInfo {
  const p = cpuValues(backend, inputs.p), v = cpuValues(backend, inputs.v);
  const [B, G, P0, P1] = inputs.p.shape, H = inputs.v.shape[2], D = H / G;
  const [Lo, Lv] = attrs.transposeP ? [P1, P0] : [P0, P1];
  const out = new Float32Array(B * Lo * H);
  for (let n = 0; n < B; n++) {
    for (let g = 0; g < G; g++) {
      for (let i = 0; i < Lo; i++) {
        for (let d = 0; d < D; d++) {
          let s = 0;
          for (let j = 0; j < Lv; j++) {
            const pij = attrs.transposeP ? p[((n * G + g) * P0 + j) * P1 + i] : p[((n * G + g) * P0 + i) * P1 + j];
            s += pij * v[(n * Lv + j) * H + g * D + d];
          }
          out[(n * Lo + i) * H + g * D + d] = s;
        }
      }
    }
  }
  return backend.makeTensorInfo([B, Lo, H], 'float32', out);
}

/** The reference kernels, registered for the cpu backend by src/backend/register.ts. */
export function attentionHeadsReferenceKernels(backendName: string): KernelConfig[] {
  return [
    { kernelName: HeadScores, backendName, kernelFunc: referenceScores as unknown as KernelFunc },
    { kernelName: HeadContext, backendName, kernelFunc: referenceContext as unknown as KernelFunc },
  ];
}
