/**
 * The `native` tfjs backend: the cpu backend (every kernel inherited) with the hot kernels replaced
 * by the C++ addon's (see register.ts), and the large outputs of those kernels recycled through a
 * BufferPool. Both classes silence the cpu backend's "install tfjs-node" hint: tfjs-node cannot be
 * installed here, and our own warning says what to do when the addon is missing.
 */
import type { BackendValues, DataId, DataType } from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { BufferPool } from './buffer-pool.js';

/** tfjs's cpu backend without its first-use console hint. */
export class QuietCpuBackend extends MathBackendCPU {
  constructor() {
    super();
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }
}

/** Default cap of recycled buffers: CONTRASTIVE_POOL_MB (0 disables recycling), else 2048 MB. */
function poolCapBytes(): number {
  const env = process.env.CONTRASTIVE_POOL_MB;
  const mb = env !== undefined && env !== '' && Number.isFinite(Number(env)) ? Number(env) : 2048;
  return Math.max(0, mb) * 1024 * 1024;
}

/** The backend class registered as `native`; its kernels are the registry's, not methods. */
export class NativeBackend extends QuietCpuBackend {
  /** Recycler of native kernels' outputs (see buffer-pool.ts for the safety rules). */
  readonly pool = new BufferPool(poolCapBytes());

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    const id = super.write(values, shape, dtype);
    this.pool.onStore(values);
    return id;
  }

  override move(dataId: DataId, values: BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    const old = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
    super.move(dataId, values, shape, dtype, refCount);
    this.pool.onStore(values);
    if (old !== undefined) this.pool.onRelease(old);
  }

  override readSync(dataId: DataId): BackendValues {
    const entry = this.data.get(dataId);
    if (entry) this.pool.onExpose(entry.values);
    return super.readSync(dataId);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
    const released = super.disposeData(dataId, force);
    if (released && values !== undefined && !this.data.has(dataId)) this.pool.onRelease(values);
    return released;
  }

  override dispose(): void {
    this.pool.clear();
    super.dispose();
  }
}
