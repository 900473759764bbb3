/**
 * A text file as a `Source<string>` (spec `{kind: 'text'}`), by its extension or `options.format`:
 * - lines (`.txt`, `.text`, no extension): one item per line that is not blank; a line is kept as
 *   written, without its line break.
 * - jsonl (`.jsonl`, `.ndjson`): one JSON object per non-blank line; the item is its `textField`
 *   (default 'text', a string). Labels come from `labelField`: by default 'label' when any line has
 *   it, else none. A label is a string or a number (a number becomes its text); a missing, null or
 *   '' label is unlabelled (-1). Class names are the distinct labels sorted as csv-table.ts sorts
 *   them (numerically when all are numbers).
 * Messages and ids name 1-based line numbers (`line 3`), blank lines counted.
 */
import { basename, extname } from 'node:path';
import { indexClasses } from './class-index.js';
import { readText } from './read-text.js';
import { DataError } from './data-error.js';
import { checkIndex, type Source } from './source.js';

export interface TextFileOptions {
  /** 'lines' or 'jsonl'. Default: by the extension (see the file comment). */
  format?: 'lines' | 'jsonl';
  /** jsonl: the field holding the text (default 'text'). */
  textField?: string;
  /** jsonl: the field holding the label (default 'label', used when any line has it). */
  labelField?: string;
}

const OPTION_KEYS = ['format', 'textField', 'labelField'];
const LINES = ['.txt', '.text', ''];
const JSONL = ['.jsonl', '.ndjson'];

export function loadTextFile(path: string, options: TextFileOptions = {}): Source<string> {
  checkOptions(options);
  const ext = extname(path).toLowerCase();
  const format = options.format ?? (JSONL.includes(ext) ? 'jsonl' : LINES.includes(ext) ? 'lines' : undefined);
  if (!format) throw new DataError(path, 'a .txt or .jsonl file (or options.format)', `a ${ext} file`);
  if (format === 'lines' && (options.textField !== undefined || options.labelField !== undefined)) {
    throw new Error(`loadTextFile: options.textField and options.labelField apply to jsonl files, received them for the lines file ${path}`);
  }

  const all = readText(path, format === 'jsonl' ? 'a JSON Lines file' : 'a text file').replace(/^\uFEFF/, '').split(/\r?\n/);
  const texts: string[] = [];
  const lines: number[] = [];
  const labelValues: unknown[] = [];
  const textField = options.textField ?? 'text';
  all.forEach((line, k) => {
    if (line.trim() === '') return;
    const at = { line: k + 1 };
    if (format === 'lines') {
      texts.push(line);
    } else {
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (err) {
        throw new DataError(path, 'a JSON object', `invalid JSON (${(err as Error).message})`, at);
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new DataError(path, 'a JSON object', describe(obj), at);
      const record = obj as Record<string, unknown>;
      if (!(textField in record)) {
        throw new DataError(path, `a string field '${textField}'`, `no such field (fields: ${Object.keys(record).join(', ') || 'none'})`, at);
      }
      if (typeof record[textField] !== 'string') throw new DataError(path, `a string field '${textField}'`, describe(record[textField]), at);
      texts.push(record[textField] as string);
      labelValues.push(record);
    }
    lines.push(k + 1);
  });
  if (texts.length === 0) throw new DataError(path, format === 'jsonl' ? 'at least one JSON line' : 'at least one non-blank line', 'none');

  let classes: { labels: Int32Array; classNames: string[] } | undefined;
  if (format === 'jsonl') {
    const records = labelValues as Record<string, unknown>[];
    const field = options.labelField ?? 'label';
    const present = records.some((r) => field in r);
    if (options.labelField !== undefined && !present) {
      throw new DataError(path, `a field '${field}' (options.labelField) in some line`, `none (fields of line ${lines[0]}: ${Object.keys(records[0]).join(', ')})`);
    }
    if (present) {
      classes = indexClasses(records.map((r, i) => {
        const v = r[field];
        if (v === undefined || v === null) return '';
        if (typeof v === 'string') return v.trim();
        if (typeof v === 'number' && Number.isFinite(v)) return String(v);
        throw new DataError(path, `a string or number label in field '${field}'`, describe(v), { line: lines[i] });
      }));
    }
  }

  const size = texts.length;
  return {
    name: basename(path, extname(path)), size, spec: { kind: 'text' },
    ...(classes ?? {}),
    item: (i) => {
      checkIndex(`loadTextFile(${path})`, i, size);
      return texts[i];
    },
    id: (i) => `line ${lines[i]}`,
  };
}

/** A JSON value's kind for messages: 'a number', 'an array', 'null'. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  const t = typeof v;
  return t === 'object' ? 'an object' : `a ${t}`;
}

function checkOptions(options: TextFileOptions): void {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new Error(`loadTextFile: unknown option '${key}', expected one of ${OPTION_KEYS.join(', ')}`);
  }
  const { format, textField, labelField } = options;
  if (format !== undefined && format !== 'lines' && format !== 'jsonl') {
    throw new Error(`loadTextFile: options.format must be 'lines' or 'jsonl', received ${JSON.stringify(format)}`);
  }
  for (const [name, v] of [['textField', textField], ['labelField', labelField]] as const) {
    if (v !== undefined && (typeof v !== 'string' || v === '')) throw new Error(`loadTextFile: options.${name} must be a field name, received ${JSON.stringify(v)}`);
  }
  if (textField !== undefined && textField === labelField) throw new Error(`loadTextFile: options.textField and options.labelField must differ, received '${textField}' for both`);
}
