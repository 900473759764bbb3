/**
 * ContrastiveAdamUpdate (src/ops/adam-update.ts) on the addon (native/src/adam.cc): one pass over
 * param, grad, m, v. With `overwrite` (the optimizer assigns the results to the variables right
 * away) and param's, m's and v's buffers private (each the whole of a pool buffer, never read out,
 * held by one tensor: `refCount` 1), the step is written into those buffers and the results share
 * them; otherwise into three new buffers.
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
  if (attrs.overwrite && distinct && writable(backend, param) && writable(backend, m) && writable(backend, v)) {
    native().adamUpdate(p, g, ms, vs, p, ms, vs, coefs);
    return [param, m, v].map((t) => {
      backend.incRef(t.dataId);
      return { dataId: t.dataId, shape: t.shape, dtype: 'float32' } as TensorInfo;
    });
  }
  // Every element of the three outputs is written.
  const po = alloc(backend, n), mo = alloc(backend, n), vo = alloc(backend, n);
  native().adamUpdate(p, g, ms, vs, po, mo, vo, coefs);
  return [output(backend, param.shape, po), output(backend, param.shape, mo), output(backend, param.shape, vo)];
}

export const adamUpdateConfig: KernelConfig = {
  kernelName: AdamUpdate,
  backendName: 'native',
  kernelFunc: adamUpdate as unknown as KernelFunc,
};
