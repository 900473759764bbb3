/** Files of a data test in a temporary folder (removed after the file's tests), and the one-line DataError of a load. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { DataError } from '../../src/data/data-error.js';

export function tempFiles(prefix: string) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  /** Writes `data` as `name` in the folder; returns its path. */
  const file = (name: string, data: Uint8Array | string): string => {
    const path = join(root, name);
    writeFileSync(path, data);
    return path;
  };
  /** The message of the DataError that `load` throws, checked to be one line, with the folder as <tmp>. */
  const dataError = (load: () => unknown): string => {
    let err: unknown;
    try {
      load();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    const msg = (err as Error).message;
    expect(msg).not.toMatch(/\n/);
    return msg.split(root).join('<tmp>');
  };
  return { root, file, dataError };
}
