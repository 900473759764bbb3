/**
 * Checkpoints of a training run in a directory (Node). The tensors go to `weights-<epoch>.bin`,
 * then `checkpoint.json` names that file with its byte length and CRC-32: each is written under a
 * temporary name, flushed and renamed (util/atomic-file.ts), and the rename of the JSON is the
 * commit point, so a crash at any moment leaves the previous checkpoint whole. Loading checks the
 * manifest's fields, the file's length and its checksum, and refuses anything else with one line
 * (a DataError naming the file, what was expected and what was found).
 *
 * After the commit, the previous checkpoint's weight file (the one its manifest named) is removed;
 * no other file of the directory is ever touched, except the temporary files of writers that were
 * killed before their rename (removed when the directory is next opened as a store).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tensor, type DataType } from '@tensorflow/tfjs-core';
import { DataError, describeJson } from '../data/data-error.js';
import { crc32 } from '../models/encoder.js';
import { removeLeftovers, writeFileAtomic } from '../util/atomic-file.js';
import { acquireLock } from '../util/run-lock.js';
import type { Checkpoint, CheckpointStore, NamedTensor } from './checkpoint-store.js';

export type { Checkpoint, NamedTensor } from './checkpoint-store.js';

interface Entry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
}

const FORMAT = 'contrastive-checkpoint-1';
const MANIFEST = 'checkpoint.json';

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
  let previous: string | undefined;
  try {
    previous = (JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as { weightsFile?: unknown }).weightsFile as string | undefined;
  } catch {
    previous = undefined; // none (or unreadable: then nothing is removed)
  }
  const weightsFile = `weights-${tag}.bin`;
  writeFileAtomic(join(dir, weightsFile), blob);
  const manifest = { format: FORMAT, weightsFile, byteLength: blob.length, checksum: { algorithm: 'crc32', value: crc32(blob) }, entries, state };
  writeFileAtomic(join(dir, MANIFEST), JSON.stringify(manifest, null, 1)); // the commit point
  if (typeof previous === 'string' && previous !== weightsFile && /^weights-[\w.-]+\.bin$/.test(previous)) rmSync(join(dir, previous), { force: true });
}

type Meta<S> = { format: string; weightsFile: string; byteLength?: number; checksum?: { algorithm: string; value: string }; entries: Entry[]; state: S };

function readMeta<S>(dir: string): Meta<S> | null {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return null;
  let meta: Meta<S>;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8')) as Meta<S>;
  } catch (e) {
    throw new DataError(path, 'a checkpoint manifest (JSON)', `unreadable JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new DataError(path, 'a checkpoint manifest (a JSON object)', describeJson(meta));
  if (meta.format !== FORMAT) throw new DataError(path, `format ${FORMAT}`, describeJson(meta.format));
  if (typeof meta.weightsFile !== 'string' || !/^weights-[\w.-]+\.bin$/.test(meta.weightsFile)) throw new DataError(path, "weightsFile 'weights-<epoch>.bin'", describeJson(meta.weightsFile));
  if (!Array.isArray(meta.entries)) throw new DataError(path, 'entries (an array)', describeJson(meta.entries));
  meta.entries.forEach((e, i) => {
    const ok = e && typeof e.name === 'string' && (e.dtype === 'float32' || e.dtype === 'int32') && Number.isInteger(e.offset) && e.offset >= 0 &&
      Array.isArray(e.shape) && e.shape.every((d) => Number.isInteger(d) && d >= 0);
    if (!ok) throw new DataError(path, `entries[${i}] { name, shape, dtype float32|int32, offset }`, describeJson(e));
  });
  if (typeof meta.state !== 'object' || meta.state === null) throw new DataError(path, 'state (an object)', describeJson(meta.state));
  return meta;
}

/** The caller's state of the checkpoint in `dir` (no tensors read), or null when there is none. */
export function loadCheckpointState<S>(dir: string): S | null {
  return readMeta<S>(dir)?.state ?? null;
}

/** The checkpoint in `dir`, or null when there is none. Tensors are new (the caller disposes them). */
export function loadCheckpoint<S>(dir: string): Checkpoint<S> | null {
  const meta = readMeta<S>(dir);
  if (!meta) return null;
  const file = join(dir, meta.weightsFile);
  if (!existsSync(file)) throw new DataError(file, `the weights that ${join(dir, MANIFEST)} names`, 'no such file');
  const buf = readFileSync(file);
  const need = meta.entries.reduce((end, e) => Math.max(end, e.offset + 4 * e.shape.reduce((a, b) => a * b, 1)), 0);
  const length = meta.byteLength ?? need;
  if (buf.length !== length || need > length) throw new DataError(file, `${Math.max(length, need)} bytes (from ${MANIFEST})`, `${buf.length} bytes (truncated or another checkpoint's)`);
  if (meta.checksum) {
    const sum = crc32(buf);
    if (meta.checksum.algorithm !== 'crc32' || sum !== meta.checksum.value) {
      throw new DataError(file, `crc32 ${describeJson(meta.checksum.value)} (from ${MANIFEST})`, `crc32 ${sum} (the file is corrupted or not the one the manifest was written with)`);
    }
  }
  const tensors = meta.entries.map((e) => {
    const n = e.shape.reduce((a, b) => a * b, 1);
    const bytes = buf.subarray(e.offset, e.offset + 4 * n);
    const copy = new Uint8Array(bytes).buffer; // aligned copy
    const values = e.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    return { name: e.name, tensor: tensor(values, e.shape, e.dtype as DataType) };
  });
  return { state: meta.state, tensors };
}

/**
 * The checkpoints of a run directory as the trainer's store. Opening it creates `dir` if needed,
 * takes its lock (util/run-lock.ts: a second process writing the same directory is refused with
 * one line; `close()` releases it) and removes what writers killed before their rename left there
 * (temporary files of dead processes).
 */
export function directoryStore(dir: string): CheckpointStore {
  mkdirSync(dir, { recursive: true });
  const lock = acquireLock(dir, 'checkpointDir', 'a training run');
  removeLeftovers(dir);
  return {
    load: <S>() => loadCheckpoint<S>(dir),
    save: (tag, state, tensors) => saveCheckpoint(dir, tag, state, tensors),
    close: () => lock.release(),
  };
}
