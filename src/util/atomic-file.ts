/**
 * Files that appear whole or not at all (Node only). A file is written under a temporary name in
 * its own folder (`.<name>.tmp-<pid>-<random>`), flushed to disk, then renamed over the target:
 * a rename within one folder is atomic on POSIX file systems, so a reader sees the old file or the
 * new one, never half of it. A writer killed before the rename leaves its temporary file behind;
 * `removeLeftovers` deletes those of dead processes (and only those: the name carries the pid).
 *
 * Multi-file outputs (a checkpoint's weights and manifest, embeddings and their metadata) write
 * every file this way and rename the manifest last (the commit point); the manifest holds the
 * other files' checksums, so a reader can tell a committed set from a torn one.
 */
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const LEFTOVER = /^\.(.+)\.tmp-(\d+)-[0-9a-z]+$/;
/** Temporary names of earlier versions (`<name>.tmp-<pid>`, `<name>.tmp-<pid>-<random>`), for the files they wrote. */
const EARLIER = /^(weights-[\w.-]+\.bin|checkpoint\.json|run\.json|encoder\.json|weights\.bin)\.tmp-(\d+)(?:-[0-9a-z]+)?$/;

/** The temporary name this process writes `path` under before renaming it. */
export function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
}

/** Writes `data` to `path` and flushes it to disk (no rename). */
export function writeDurable(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `path` atomically: to a temporary file in its folder, flushed, then renamed over `path`. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = temporaryPath(path);
  try {
    writeDurable(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Writes several files as one unit: each to its temporary name first, then renamed in order, the
 * last one (the manifest naming and checking the others) being the commit point.
 */
export function writeFilesAtomic(files: { path: string; data: string | Uint8Array }[]): void {
  const tmps = files.map((f) => temporaryPath(f.path));
  try {
    files.forEach((f, i) => writeDurable(tmps[i], f.data));
    files.forEach((f, i) => renameSync(tmps[i], f.path));
  } finally {
    for (const t of tmps) rmSync(t, { force: true });
  }
}

/**
 * Flushes a folder's entries (files created or renamed in it) to disk, so a rename into it survives
 * a power cut. Where a folder cannot be opened or flushed (Windows), it does nothing.
 */
export function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // EINVAL/EPERM on file systems that cannot flush a folder: nothing more to do.
  } finally {
    closeSync(fd);
  }
}

/** Whether a process with this pid runs on this machine (EPERM: it does, owned by another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files (and folders) that writers killed before their rename left in
 * `dir`: names `.<name>.tmp-<pid>-<random>` of a pid that no longer runs. Returns the names removed.
 */
export function removeLeftovers(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = LEFTOVER.exec(name) ?? EARLIER.exec(name);
    if (!m || Number(m[2]) === process.pid || processAlive(Number(m[2]))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
