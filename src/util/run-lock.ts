/**
 * One writer per output (Node only): a lock file `<dir>/.lock` holding the owner's pid, host,
 * command and start time, created exclusively (O_EXCL). A second writer is refused with one line
 * naming the owner; a lock left by a process that no longer runs (killed, crashed) is taken over.
 * The lock is released by `release()` and, as a fallback, when the process exits. Within one
 * process the lock is shared: a run that holds it (the `train` command) can open the directory
 * again (its Trainer's checkpoint store) and the file goes when the last holder releases it.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { processAlive, temporaryPath } from './atomic-file.js';
import { UsageError } from './usage-error.js';

export const LOCK_FILE = '.lock';

export interface LockOwner {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface RunLock {
  readonly path: string;
  release(): void;
}

/** Locks this process holds: path -> holders and the final release. */
const held = new Map<string, { holders: number; release: () => void }>();

function readOwner(path: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return typeof o.pid === 'number' ? o : null;
  } catch {
    return null; // unreadable or half-written: treated as stale only when old enough (below)
  }
}

/**
 * Takes the lock of `dir` (which must exist) for this process, or throws a UsageError naming
 * `option` (e.g. 'out') when another running process holds it.
 */
export function acquireLock(dir: string, option: string, command: string): RunLock {
  const path = join(dir, LOCK_FILE);
  const mine = held.get(path);
  if (mine) {
    mine.holders++;
    let open = true;
    return { path, release: () => { if (open) { open = false; if (--mine.holders === 0) mine.release(); } } };
  }
  const me: LockOwner = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = readOwner(path);
      if (owner && (owner.host !== me.host || processAlive(owner.pid))) {
        throw new UsageError(option, `'${dir}' is in use by process ${owner.pid}${owner.host !== me.host ? ` on ${owner.host}` : ''} (${owner.command}, since ${owner.since}); wait for it to end or choose another --${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
      }
      if (!owner && attempt < 2) {
        // A lock being written right now has no content for a moment: give its writer that moment.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        continue;
      }
      // Stale (its process is gone): moved aside under a name of ours, so that of two processes
      // taking it over at once only one succeeds; then the exclusive create is tried again.
      const aside = temporaryPath(path);
      try {
        renameSync(path, aside);
        const moved = readOwner(aside);
        // Moved a lock another process took over between our read and our rename: put it back.
        if (moved && (moved.pid !== owner?.pid || moved.since !== owner?.since)) linkSync(aside, path);
        rmSync(aside, { force: true });
      } catch {
        /* another process moved it first */
      }
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    const release = () => {
      if (held.get(path) !== entry) return;
      held.delete(path);
      process.off('exit', release);
      const owner = readOwner(path);
      if (owner && owner.pid === me.pid && owner.since === me.since) rmSync(path, { force: true });
    };
    const entry = { holders: 1, release };
    held.set(path, entry);
    process.on('exit', release);
    let open = true;
    return { path, release: () => { if (open) { open = false; if (--entry.holders === 0) release(); } } };
  }
  throw new UsageError(option, `could not take the lock '${path}' (other processes keep taking it)`);
}
