/**
 * ContrastiveAdamUpdate (src/ops/adam-update.ts) on the addon (native/src/adam.cc): one pass over
 * param, grad, m, v. With `overwrite` (the optimizer assigns the results to the variables right
 * away), each of param, m, v whose buffer is private (the whole of a pool buffer, never read out,
 * held by one tensor: `refCount` 1) gets its new values written into that buffer, and its result
 * shares it; the others get new buffers.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { AdamUpdate, type AdamUpdateAttrs } from '../../ops/adam-update.js';
import type { BufferPool } from '../buffer-pool.js';
import { alloc, f32, native, output, type KernelArgs } from './util.js';

/** True when the kernel may write into t's buffer: only t's owner can see it. */
function writable(backend: MathBackendCPU, t: TensorInfo): boolean {
  const pool = (backend as { pool?: BufferPool }).pool;
  return pool !== undefined && backend.refCount(t.dataId) === 1 && pool.isPrivate(backend.data.get(t.dataId).values);
}

export function adamUpdate(args: KernelArgs<Record<string, TensorInfo>, AdamUpdateAttrs>): TensorInfo[] {
  const { inputs: { param, grad, m, v }, backend, attrs } = args;
  const p = f32(backend, param), g = f32(backend, grad), ms = f32(backend, m), vs = f32(backend, v);
  const n = p.length;
  if (g.length !== n || ms.length !== n || vs.length !== n) throw new Error('adamUpdate: param, grad, m and v must have one size (internal error)');
  const coefs = Float32Array.from(attrs.coefs);
  const distinct = new Set([param.dataId, grad.dataId, m.dataId, v.dataId]).size === 4;
  // Each of param, m, v in place when its own buffer is private (m and v usually are; param is not
  // after a kernel read it out, e.g. cpu's GatherV2 of an embedding table), else a new buffer.
  const targets = [param, m, v].map((t) => ({ t, inPlace: attrs.overwrite && distinct && writable(backend, t) }));
  // Every element of a new buffer is written.
  const [po, mo, vo] = targets.map(({ t, inPlace }) => (inPlace ? f32(backend, t) : alloc(backend, n)));
  native().adamUpdate(p, g, ms, vs, po, mo, vo, coefs);
  return targets.map(({ t, inPlace }, k) => {
    if (!inPlace) return output(backend, param.shape, [po, mo, vo][k]);
    backend.incRef(t.dataId);
    return { dataId: t.dataId, shape: t.shape, dtype: 'float32' } as TensorInfo;
  });
}

export const adamUpdateConfig: KernelConfig = {
  kernelName: AdamUpdate,
  backendName: 'native',
  kernelFunc: adamUpdate as unknown as KernelFunc,
};
