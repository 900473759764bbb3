import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/data-error.js';
import { loadTextFile, type TextFileOptions } from '../../src/data/text-file.js';
import { tempFiles } from './temp-files.js';

const { root, file, dataError } = tempFiles('text-file-');

function message(name: string, text: string, options?: TextFileOptions): string {
  const path = file(name, text);
  return dataError(() => loadTextFile(path, options));
}

describe('loadTextFile: lines', () => {
  it('one item per non-blank line, kept as written; ids are line numbers', () => {
    const s = loadTextFile(file('s.txt', '\uFEFFa cat sat\r\n\n   \n  indented, "quoted"\nlast'));
    expect(s.name).toBe('s');
    expect(s.spec).toEqual({ kind: 'text' });
    expect(s.size).toBe(3);
    expect([0, 1, 2].map((i) => s.item(i))).toEqual(['a cat sat', '  indented, "quoted"', 'last']);
    expect([0, 1, 2].map((i) => s.id(i))).toEqual(['line 1', 'line 4', 'line 5']);
    expect(s.labels).toBeUndefined();
  });

  it('rejects an empty file, a missing file, an unknown extension', () => {
    expect(message('e.txt', '\n  \n')).toBe('<tmp>/e.txt: expected at least one non-blank line, found none');
    expect(() => loadTextFile(join(root, 'none.txt'))).toThrow(`${join(root, 'none.txt')}: expected a text file, found nothing at this path`);
    expect(message('x.json', '[]')).toBe('<tmp>/x.json: expected a .txt or .jsonl file (or options.format), found a .json file');
    expect(loadTextFile(file('x.dat', 'one\n'), { format: 'lines' }).item(0)).toBe('one');
  });
});

describe('loadTextFile: jsonl', () => {
  it('text and label fields; labels sorted (numerically when all are numbers); missing label = -1', () => {
    const s = loadTextFile(file('d.jsonl', [
      '{"text": "good film", "label": "pos"}',
      '',
      '{"text": "bad film", "label": "neg", "extra": 1}',
      '{"text": "no label"}',
      '{"text": "null label", "label": null}',
    ].join('\n')));
    expect(s.size).toBe(4);
    expect(s.item(1)).toBe('bad film');
    expect(s.classNames).toEqual(['neg', 'pos']);
    expect(Array.from(s.labels!)).toEqual([1, 0, -1, -1]);
    expect(s.id(1)).toBe('line 3');
    const n = loadTextFile(file('n.jsonl', '{"t":"a","y":10}\n{"t":"b","y":2}\n{"t":"c","y":"2"}\n'), { textField: 't', labelField: 'y' });
    expect(n.classNames).toEqual(['2', '10']);
    expect(Array.from(n.labels!)).toEqual([1, 0, 0]);
    const none = loadTextFile(file('u.jsonl', '{"text":"a"}\n'));
    expect(none.labels).toBeUndefined();
  });

  it('rejects bad lines with their 1-based line number', () => {
    expect(message('b.jsonl', '{"text":"a"}\n\n{"text": oops}\n')).toMatch(
      /^<tmp>\/b\.jsonl, line 3: expected a JSON object, found invalid JSON \(.+\)$/);
    expect(message('b.jsonl', '{"text":"a"}\n[1,2]\n')).toBe('<tmp>/b.jsonl, line 2: expected a JSON object, found an array');
    expect(message('b.jsonl', '{"body":"a","id":3}\n')).toBe("<tmp>/b.jsonl, line 1: expected a string field 'text', found no such field (fields: body, id)");
    expect(message('b.jsonl', '{"text":5}\n')).toBe("<tmp>/b.jsonl, line 1: expected a string field 'text', found a number");
    expect(message('b.jsonl', '{"text":"a","label":"x"}\n{"text":"b","label":[1]}\n')).toBe(
      "<tmp>/b.jsonl, line 2: expected a string or number label in field 'label', found an array");
    expect(message('b.jsonl', '{"text":"a"}\n', { labelField: 'cls' })).toBe(
      "<tmp>/b.jsonl: expected a field 'cls' (options.labelField) in some line, found none (fields of line 1: text)");
    expect(message('b.jsonl', '\n')).toBe('<tmp>/b.jsonl: expected at least one JSON line, found none');
  });

  it('bad options name the option', () => {
    const path = file('o.jsonl', '{"text":"a"}\n');
    expect(() => loadTextFile(path, { format: 'csv' as 'lines' })).toThrow(`loadTextFile: options.format must be 'lines' or 'jsonl', received "csv"`);
    expect(() => loadTextFile(path, { textField: '' })).toThrow('loadTextFile: options.textField must be a field name, received ""');
    expect(() => loadTextFile(file('o.txt', 'a\n'), { textField: 't' })).toThrow('loadTextFile: options.textField and options.labelField apply to jsonl files');
  });
});
