/**
 * A CSV or TSV table of numbers as a `Source<Float32Array>`: item i is row i's feature cells as
 * float32, spec `{kind: 'vector', dim, columns}`; with `label` one column holds the classes.
 *
 * Rows are the file's non-empty records after the header; a row's number in messages and ids is
 * its 1-based line in the file (`row 2` is the first row under a header), so an editor finds it.
 * Every feature cell must be a decimal number (spaces around it allowed, e.g. `-1.5e3`) that is
 * finite as float32; an empty cell, `NaN`, `inf` or text is a DataError naming row, column and text.
 *
 * Labels: the label column's distinct values, sorted (as numbers when all are numbers, else by
 * code unit), are `classNames`; an empty label cell is an unlabelled row (-1).
 *
 * Parser: csv-parse (the `csv` project, maintained since 2010, RFC 4180 quoting with delimiters and
 * line breaks inside quoted fields, BOM handling, and the line number of every record), because
 * splitting lines on commas breaks on the first quoted field.
 */
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { indexClasses, NUMBER } from './class-index.js';
import { DataError, quoteFound } from './data-error.js';
import { readText } from './read-text.js';
import type { VectorTable } from './vector-table.js';

export type { VectorTable } from './vector-table.js';
import { checkIndex, type Source } from './source.js';

export interface CsvTableOptions {
  /** The label column's name (with `header: false`, `c<k>`). Default: no labels. */
  label?: string;
  /** Field delimiter, one character. Default: ',' for .csv, tab for .tsv, else the most frequent of , tab ; | in the first line. */
  delimiter?: string;
  /** The feature columns to keep, in this order. Default: every column but the label column, in file order. */
  columns?: readonly string[];
  /** Whether the first line names the columns (default true); without a header columns are `c0`, `c1`, ... */
  header?: boolean;
}


const OPTION_KEYS = ['label', 'delimiter', 'columns', 'header'];
const SNIFFED = [',', '\t', ';', '|'];

export function loadCsvTable(path: string, options: CsvTableOptions = {}): VectorTable {
  checkOptions(options);
  const { header = true } = options;
  const text = readText(path, 'a CSV file');
  const delimiter = options.delimiter ?? defaultDelimiter(path, text);

  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { delimiter, bom: true, info: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (err) {
    const { message, lines } = err as Error & { lines?: number };
    throw new DataError(path, `fields separated by ${JSON.stringify(delimiter)} with closed quotes`, message, lines ? { row: lines } : undefined);
  }
  if (records.length === 0) throw new DataError(path, header ? 'a header line and at least one row' : 'at least one row', 'an empty file');
  // The line a record starts on: its last line less the line breaks inside its quoted fields.
  const lineOf = (r: { record: string[]; info: { lines: number } }) =>
    r.info.lines - r.record.reduce((n, f) => n + (f.match(/\r\n|\r|\n/g)?.length ?? 0), 0);

  const width = records[0].record.length;
  const names = header
    ? records[0].record.map((name, k) => (name.trim() === '' ? `c${k}` : name.trim()))
    : Array.from({ length: width }, (_, k) => `c${k}`);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new DataError(path, 'distinct column names', `'${name}' twice`, { row: lineOf(records[0]) });
    seen.add(name);
  }
  const rows = header ? records.slice(1) : records;
  if (rows.length === 0) throw new DataError(path, 'at least one row after the header', 'only the header');

  const available = `the columns ${names.join(', ')}`;
  const column = (name: string, role: string) => {
    const k = names.indexOf(name);
    if (k < 0) throw new DataError(path, `a column '${name}' (${role})`, available);
    return k;
  };
  const labelCol = options.label === undefined ? -1 : column(options.label, 'options.label');
  const featureCols = options.columns ? options.columns.map((name) => column(name, 'options.columns'))
    : names.map((_, k) => k).filter((k) => k !== labelCol);
  if (featureCols.length === 0) throw new DataError(path, `at least one feature column besides the label column '${options.label}'`, 'none');

  const dim = featureCols.length;
  const values = new Float32Array(rows.length * dim); // [size, dim]
  const lines = new Int32Array(rows.length);
  const labelText: string[] = [];
  rows.forEach((r, i) => {
    const line = lineOf(r);
    lines[i] = line;
    if (r.record.length !== width) {
      throw new DataError(path, `${width} fields (as ${header ? 'the header' : 'the first row'})`, `${r.record.length}`, { row: line });
    }
    featureCols.forEach((k, j) => {
      const cell = r.record[k].trim();
      const v = NUMBER.test(cell) ? Math.fround(Number(cell)) : NaN;
      if (!Number.isFinite(v)) throw new DataError(path, `a finite number in column '${names[k]}'`, quoteFound(r.record[k]), { row: line });
      values[i * dim + j] = v;
    });
    if (labelCol >= 0) labelText.push(r.record[labelCol].trim());
  });

  const classes = labelCol >= 0 ? indexClasses(labelText) : undefined;
  const size = rows.length;
  return {
    name: basename(path, extname(path)), size, spec: { kind: 'vector', dim, columns: featureCols.map((k) => names[k]) },
    ...(classes ?? {}),
    values,
    item: (i) => {
      checkIndex(`loadCsvTable(${path})`, i, size);
      return values.slice(i * dim, (i + 1) * dim);
    },
    id: (i) => `row ${lines[i]}`,
  };
}

function defaultDelimiter(path: string, text: string): string {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return ',';
  if (ext === '.tsv' || ext === '.tab') return '\t';
  const first = text.slice(0, text.search(/\r?\n|$/));
  const counts = SNIFFED.map((d) => first.split(d).length - 1);
  const best = Math.max(...counts);
  return best > 0 ? SNIFFED[counts.indexOf(best)] : ',';
}

function checkOptions(options: CsvTableOptions): void {
  const fail = (name: string, expected: string, received: unknown): never => {
    throw new Error(`loadCsvTable: options.${name} must be ${expected}, received ${JSON.stringify(received) ?? String(received)}`);
  };
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new Error(`loadCsvTable: unknown option '${key}', expected one of ${OPTION_KEYS.join(', ')}`);
  }
  const { label, delimiter, columns, header } = options;
  if (label !== undefined && (typeof label !== 'string' || label === '')) fail('label', 'a column name', label);
  if (delimiter !== undefined && !(typeof delimiter === 'string' && delimiter.length === 1 && !'"\r\n'.includes(delimiter))) {
    fail('delimiter', 'one character other than a quote or a line break', delimiter);
  }
  if (columns !== undefined) {
    if (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === 'string')) fail('columns', 'a non-empty array of column names', columns);
    const dup = columns.find((c, k) => columns.indexOf(c) !== k);
    if (dup !== undefined) fail('columns', 'distinct names', columns);
    if (label !== undefined && columns.includes(label)) fail('columns', `names other than the label column '${label}'`, columns);
  }
  if (header !== undefined && typeof header !== 'boolean') fail('header', 'a boolean', header);
}
