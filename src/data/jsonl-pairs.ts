/**
 * A JSON Lines file of text pairs as a `Source<TextPair>` (spec `{kind: 'text'}`; see
 * text-pairs.ts). Each non-blank line is a JSON object; its text fields are, by default, the
 * first of these layouts that the first line has:
 * - `anchor`, `positive`, optional `negative` (sentence-transformers' (anchor, positive, negative));
 * - `sentence1`, `sentence2` (STS, NLI pairs), with an optional numeric `score` (or `label`);
 * - `text1`, `text2`; `query`, `document`.
 * `options.fields` names them explicitly (2 or 3 fields) and `options.scoreField` the score. Every
 * line must have every field as a non-empty string; messages name the 1-based line.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { DataError } from './data-error.js';
import { readText } from './read-text.js';
import { checkIndex, type Source } from './source.js';
import type { TextPair } from './text-pairs.js';

export interface JsonlPairsOptions {
  /** The text fields, in order (anchor, positive[, negative]). Default: by the first line (see above). */
  fields?: string[];
  /** The field holding a numeric score. Default 'score' when the first line has it (or a numeric 'label'), else none. */
  scoreField?: string;
}

const LAYOUTS = [['anchor', 'positive', 'negative'], ['anchor', 'positive'], ['sentence1', 'sentence2'], ['text1', 'text2'], ['query', 'document']];

const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v) : `a ${typeof v}`);

export function loadJsonlPairs(path: string, options: JsonlPairsOptions = {}): Source<TextPair> {
  for (const key of Object.keys(options)) {
    if (key !== 'fields' && key !== 'scoreField') throw new Error(`loadJsonlPairs: unknown option '${key}', expected fields or scoreField`);
  }
  if (options.fields !== undefined && (!Array.isArray(options.fields) || options.fields.length < 2 || options.fields.length > 3 || options.fields.some((f) => typeof f !== 'string' || f === ''))) {
    throw new Error(`loadJsonlPairs: options.fields must be 2 or 3 field names, received ${JSON.stringify(options.fields)}`);
  }
  const records: { obj: Record<string, unknown>; line: number }[] = [];
  readText(path, 'a JSON Lines file of pairs').replace(/^\uFEFF/, '').split(/\r?\n/).forEach((text, k) => {
    if (text.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw new DataError(path, 'a JSON object', `invalid JSON (${(e as Error).message})`, { line: k + 1 });
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new DataError(path, 'a JSON object', describe(obj), { line: k + 1 });
    records.push({ obj: obj as Record<string, unknown>, line: k + 1 });
  });
  if (records.length === 0) throw new DataError(path, 'at least one JSON line of a pair', 'none');
  const first = records[0].obj;
  const fields = options.fields ?? LAYOUTS.find((l) => l.every((f) => f in first));
  if (!fields) {
    throw new DataError(path, `text fields ${LAYOUTS.map((l) => l.join('/')).join(', ')} (or options.fields)`, `the fields ${Object.keys(first).join(', ') || 'none'}`, { line: records[0].line });
  }
  const scoreField = options.scoreField ?? ('score' in first ? 'score' : typeof first.label === 'number' && fields[0] === 'sentence1' ? 'label' : undefined);
  const pairs: TextPair[] = records.map(({ obj, line }) => {
    const texts = fields.map((f) => {
      const v = obj[f];
      if (typeof v !== 'string' || v.trim() === '') throw new DataError(path, `a non-empty string field '${f}'`, f in obj ? describe(v) : 'no such field', { line });
      return v;
    });
    if (scoreField === undefined) return { texts };
    const score = obj[scoreField];
    if (typeof score !== 'number' || !Number.isFinite(score)) throw new DataError(path, `a finite number in field '${scoreField}'`, scoreField in obj ? describe(score) : 'no such field', { line });
    return { texts, score };
  });
  const size = pairs.length;
  return {
    name: basename(path, extname(path)), size, spec: { kind: 'text' },
    item: (i) => {
      checkIndex(`loadJsonlPairs(${path})`, i, size);
      return pairs[i];
    },
    id: (i) => `line ${records[i].line}`,
  };
}

/**
 * Whether the JSON Lines file at `path` holds pairs rather than texts: its first non-blank line
 * (read from the first 1 MiB) is an object with the fields of a pair layout above and no "text"
 * field. False for anything else (another extension, a file that cannot be read or parsed: the
 * reader that opens it then says why).
 */
export function jsonlHoldsPairs(path: string): boolean {
  if (!['.jsonl', '.ndjson'].includes(extname(path).toLowerCase())) return false;
  let head: string;
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(1 << 20);
      head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  const line = head.replace(/^\uFEFF/, '').split(/\r?\n/).find((l) => l.trim() !== '');
  if (line === undefined) return false;
  try {
    const first = JSON.parse(line) as unknown;
    if (typeof first !== 'object' || first === null || Array.isArray(first) || 'text' in first) return false;
    return LAYOUTS.some((l) => l.every((f) => f in first));
  } catch {
    return false;
  }
}
