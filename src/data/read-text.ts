/** A user's text file, read whole, with a DataError that says what is at the path when it cannot be read. */
import { readFileSync } from 'node:fs';
import { DataError } from './data-error.js';

/** The file's text (UTF-8), or a DataError saying what is at the path instead. */
export function readText(path: string, expected: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const found = code === 'ENOENT' ? 'nothing at this path' : code === 'EISDIR' ? 'a folder' : `a file that cannot be read (${code ?? String(err)})`;
    throw new DataError(path, expected, found);
  }
}
