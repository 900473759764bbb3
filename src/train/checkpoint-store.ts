/**
 * Where the trainer keeps its checkpoints: an interface, so the training loop needs no file system
 * (`directoryStore` in checkpoint.ts writes a directory in Node; a browser can keep them in memory).
 */
import { tensor, type Tensor } from '@tensorflow/tfjs-core';

export interface NamedTensor {
  name: string;
  tensor: Tensor;
}

export interface Checkpoint<S> {
  /** Caller's state (epoch, history, options, ...), stored as JSON. */
  state: S;
  /** Named tensors (model weights, optimizer slots). */
  tensors: NamedTensor[];
}

export interface CheckpointStore {
  /** The last checkpoint, or null when there is none; its tensors are new (the caller disposes them). */
  load<S>(): Checkpoint<S> | null | Promise<Checkpoint<S> | null>;
  /** Saves a checkpoint whole (a crash leaves the previous one); `tag` names it (the epoch). */
  save<S>(tag: string | number, state: S, tensors: NamedTensor[]): void | Promise<void>;
  /** Called when the trainer is done with the store (a directory store releases its lock). */
  close?(): void;
}

/** A store in memory (tests, browsers): keeps copies of the tensors. */
export function memoryStore(): CheckpointStore & { dispose(): void } {
  let last: { state: unknown; tensors: { name: string; values: Float32Array | Int32Array; shape: number[]; dtype: 'float32' | 'int32' }[] } | null = null;
  return {
    load<S>() {
      if (!last) return null;
      return { state: structuredClone(last.state) as S, tensors: last.tensors.map((t) => ({ name: t.name, tensor: tensor(t.values.slice(), t.shape, t.dtype) })) };
    },
    save(_tag, state, tensors) {
      last = {
        state: structuredClone(state),
        tensors: tensors.map(({ name, tensor: t }) => ({ name, values: (t.dataSync() as Float32Array | Int32Array).slice(), shape: t.shape, dtype: t.dtype as 'float32' | 'int32' })),
      };
    },
    dispose() {
      last = null;
    },
  };
}
