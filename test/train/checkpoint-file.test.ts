/**
 * The checkpoint directory: round trip, every corruption refused with one line naming the file
 * (DataError), only the run's own files removed, leftovers of killed writers cleaned, and the run
 * lock (one writer; a dead writer's lock taken over; shared within one process).
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { DataError } from '../../src/data/data-error.js';
import { directoryStore, loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';
import { removeLeftovers } from '../../src/util/atomic-file.js';
import { acquireLock } from '../../src/util/run-lock.js';
import { UsageError } from '../../src/util/usage-error.js';

const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'contrastive-ckpt-')); dirs.push(d); return d; };
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A pid that does not run: a child that has exited. */
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

function save(dir: string, epoch: number) {
  const a = tf.tensor2d([[1, 2], [3, epoch]]), b = tf.tensor1d([7, 8, 9], 'int32');
  saveCheckpoint(dir, epoch, { epoch }, [{ name: 'a', tensor: a }, { name: 'b', tensor: b }]);
  tf.dispose([a, b]);
}

function refused(dir: string, pattern: RegExp) {
  let error: unknown;
  try {
    loadCheckpoint(dir);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DataError);
  expect((error as Error).message).toMatch(pattern);
  expect((error as Error).message).not.toContain('\n');
}

describe('checkpoint files', () => {
  it('round-trips tensors and state; removes only the previous checkpoint\'s weights, never a user\'s file', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'weights-mine.bin'), 'a user file');
    save(dir, 1);
    save(dir, 2);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'weights-2.bin', 'weights-mine.bin']);
    const ck = loadCheckpoint<{ epoch: number }>(dir)!;
    expect(ck.state.epoch).toBe(2);
    expect(Array.from(ck.tensors[0].tensor.dataSync())).toEqual([1, 2, 3, 2]);
    expect(ck.tensors[1].tensor.dtype).toBe('int32');
    ck.tensors.forEach((t) => t.tensor.dispose());
    const manifest = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
    expect(manifest.checksum.algorithm).toBe('crc32');
    expect(manifest.byteLength).toBe(28);
  });

  it('refuses a truncated, altered, missing or foreign weight file and a garbage manifest, in one line naming the file', () => {
    const dir = tmp();
    save(dir, 3);
    const weights = join(dir, 'weights-3.bin');
    const good = readFileSync(weights);
    truncateSync(weights, 20);
    refused(dir, /weights-3\.bin: expected 28 bytes \(from checkpoint\.json\), found 20 bytes/);
    const flipped = Buffer.from(good);
    flipped[5] ^= 1;
    writeFileSync(weights, flipped);
    refused(dir, /weights-3\.bin: expected crc32 "[0-9a-f]{8}" \(from checkpoint\.json\), found crc32 [0-9a-f]{8} \(the file is corrupted/);
    writeFileSync(weights, new Uint8Array(28)); // zeroed weights of the right length
    refused(dir, /crc32/);
    rmSync(weights);
    refused(dir, /weights-3\.bin: expected the weights that .*checkpoint\.json names, found no such file/);
    writeFileSync(weights, good);
    const manifest = join(dir, 'checkpoint.json');
    const text = readFileSync(manifest, 'utf8');
    writeFileSync(manifest, '{garbage');
    refused(dir, /checkpoint\.json: expected a checkpoint manifest \(JSON\), found unreadable JSON/);
    writeFileSync(manifest, text.slice(0, 100));
    refused(dir, /checkpoint\.json: expected a checkpoint manifest \(JSON\)/);
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(text), format: 'other' }));
    refused(dir, /checkpoint\.json: expected format contrastive-checkpoint-1, found "other"/);
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(text), entries: [{ name: 'a', shape: [-1], dtype: 'float32', offset: 0 }] }));
    refused(dir, /entries\[0\]/);
    writeFileSync(manifest, text);
    const ck = loadCheckpoint(dir)!;
    ck.tensors.forEach((t) => t.tensor.dispose());
  });

  it('cleans the temporary files of killed writers (dead pids; earlier versions\' names too), keeps live ones and users\' files', () => {
    const dir = tmp();
    const dead = deadPid();
    const names = [`.weights-2.bin.tmp-${dead}-abc123`, `weights-2.bin.tmp-${dead}`, `checkpoint.json.tmp-${dead}`, `.checkpoint.json.tmp-${process.pid}-x1`, 'notes.tmp-1', 'weights-7.bin'];
    for (const n of names) writeFileSync(join(dir, n), 'x');
    expect(removeLeftovers(dir).sort()).toEqual(names.slice(0, 3).sort());
    expect(readdirSync(dir).sort()).toEqual(names.slice(3).sort());
    const store = directoryStore(dir); // opening a store cleans too, and takes the lock
    expect(existsSync(join(dir, '.lock'))).toBe(true);
    store.close!();
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });

  it('locks: another live process is refused naming it; a dead one\'s lock is taken over; one process may hold it twice', () => {
    const dir = tmp();
    const lockFile = join(dir, '.lock');
    writeFileSync(lockFile, JSON.stringify({ pid: process.ppid, host: hostname(), command: 'contrastive train', since: '2026-12-05T00:00:00.000Z' }));
    let error: unknown;
    try {
      acquireLock(dir, 'out', 'contrastive train');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).flagMessage).toBe(`--out: '${dir}' is in use by process ${process.ppid} (contrastive train, since 2026-12-05T00:00:00.000Z); wait for it to end or choose another --out`);
    writeFileSync(lockFile, JSON.stringify({ pid: deadPid(), host: hostname(), command: 'contrastive train', since: 'then' }));
    const a = acquireLock(dir, 'out', 'contrastive train');
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
    const b = acquireLock(dir, 'checkpointDir', 'a training run');
    a.release();
    expect(existsSync(lockFile)).toBe(true); // still held by b
    b.release();
    b.release(); // twice: no effect
    expect(existsSync(lockFile)).toBe(false);
  });
});
