/**
 * Checkpoints of a training run, written atomically: the tensors go to `weights-<epoch>.bin`
 * (written to a temporary file, then renamed), then `checkpoint.json` (same), which names that
 * file: the rename of the JSON is the commit point, so a crash at any moment leaves the previous
 * checkpoint whole. Older weight files are removed after the commit.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tensor, type DataType } from '@tensorflow/tfjs-core';
import type { Checkpoint, CheckpointStore, NamedTensor } from './checkpoint-store.js';

export type { Checkpoint, NamedTensor } from './checkpoint-store.js';

interface Entry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
}

const FORMAT = 'contrastive-checkpoint-1';

function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Writes a checkpoint of `tensors` and `state` into `dir` (created if needed). */
export function saveCheckpoint<S>(dir: string, tag: string | number, state: S, tensors: NamedTensor[]): void {
  mkdirSync(dir, { recursive: true });
  const entries: Entry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const { name, tensor: t } of tensors) {
    if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new Error(`saveCheckpoint: ${name} has dtype ${t.dtype}; float32 or int32 expected`);
    const values = t.dataSync() as Float32Array | Int32Array;
    const bytes = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
    entries.push({ name, shape: t.shape, dtype: t.dtype, offset });
    parts.push(bytes);
    offset += bytes.length;
  }
  const blob = new Uint8Array(offset);
  let o = 0;
  for (const p of parts) {
    blob.set(p, o);
    o += p.length;
  }
  const weightsFile = `weights-${tag}.bin`;
  writeAtomic(join(dir, weightsFile), blob);
  writeAtomic(join(dir, 'checkpoint.json'), JSON.stringify({ format: FORMAT, weightsFile, entries, state }, null, 1));
  for (const f of readdirSync(dir)) {
    if (/^weights-.*\.bin$/.test(f) && f !== weightsFile) rmSync(join(dir, f), { force: true });
  }
}

type Meta<S> = { format: string; weightsFile: string; entries: Entry[]; state: S };

function readMeta<S>(caller: string, dir: string): Meta<S> | null {
  const path = join(dir, 'checkpoint.json');
  if (!existsSync(path)) return null;
  const meta = JSON.parse(readFileSync(path, 'utf8')) as Meta<S>;
  if (meta.format !== FORMAT) throw new Error(`${caller}: ${path} has format ${meta.format}, expected ${FORMAT}`);
  return meta;
}

/** The caller's state of the checkpoint in `dir` (no tensors read), or null when there is none. */
export function loadCheckpointState<S>(dir: string): S | null {
  return readMeta<S>('loadCheckpointState', dir)?.state ?? null;
}

/** The checkpoint in `dir`, or null when there is none. Tensors are new (the caller disposes them). */
export function loadCheckpoint<S>(dir: string): Checkpoint<S> | null {
  const meta = readMeta<S>('loadCheckpoint', dir);
  if (!meta) return null;
  const buf = readFileSync(join(dir, meta.weightsFile));
  const tensors = meta.entries.map((e) => {
    const n = e.shape.reduce((a, b) => a * b, 1);
    const bytes = buf.subarray(e.offset, e.offset + 4 * n);
    const copy = new Uint8Array(bytes).buffer; // aligned copy
    const values = e.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    return { name: e.name, tensor: tensor(values, e.shape, e.dtype as DataType) };
  });
  return { state: meta.state, tensors };
}

/** The checkpoints of a run directory as the trainer's store. */
export function directoryStore(dir: string): CheckpointStore {
  return {
    load: <S>() => loadCheckpoint<S>(dir),
    save: (tag, state, tensors) => saveCheckpoint(dir, tag, state, tensors),
  };
}
