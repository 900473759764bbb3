/**
 * Bad input data: a user's file or folder that cannot become a source (a corrupt image, a text
 * cell where a number belongs, a ragged row). Its message is one line that says where, what was
 * expected and what was found, so the CLI prints it as is and exits 2:
 *
 *   `<file>: expected <...>, found <...>`            (the file or folder as a whole)
 *   `<file>, row N: expected <...>, found <...>`     (a table or matrix row)
 *   `<file>, line N: expected <...>, found <...>`    (a line of a text file, 1-based)
 *   `<file>: <item>: expected <...>, found <...>`    (an item of a folder: its relative path)
 *
 * Bad *arguments* (an option out of range) stay plain `Error`s naming the option: a DataError is
 * about the data, whatever the options.
 */

/** Where in a file the problem is. */
export type DataLocation = { row: number } | { line: number } | { item: string };

export class DataError extends Error {
  /** The file or folder, as the caller named it. */
  readonly file: string;
  /** The row number, line number or item path, when the problem is in one part of the file. */
  readonly item?: number | string;
  /** What kind of place `item` is. */
  readonly at?: 'row' | 'line' | 'item';
  /** What the data should have been, e.g. `a finite number in column 'x'`. */
  readonly expected: string;
  /** What it was, e.g. `"abc"`. */
  readonly found: string;

  constructor(file: string, expected: string, found: string, location?: DataLocation) {
    const where = !location ? file
      : 'row' in location ? `${file}, row ${location.row}`
      : 'line' in location ? `${file}, line ${location.line}`
      : `${file}: ${location.item}`;
    super(oneLine(`${where}: expected ${expected}, found ${found}`));
    this.name = 'DataError';
    this.file = file;
    this.expected = expected;
    this.found = found;
    if (location) {
      if ('row' in location) [this.at, this.item] = ['row', location.row];
      else if ('line' in location) [this.at, this.item] = ['line', location.line];
      else [this.at, this.item] = ['item', location.item];
    }
  }
}

/** Collapses line breaks (and the spaces around them) to one space. */
function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * A received JSON value for a message: its JSON text (String(value) when it has none, as
 * undefined), shortened to 40 characters: `describeJson({ a: 1 })` is '{"a":1}'.
 */
export function describeJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** A received text for a message: quoted, shortened to 40 characters. */
export function quoteFound(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}
