import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCsvTable, type CsvTableOptions } from '../../src/data/csv-table.js';
import { DataError } from '../../src/data/data-error.js';
import { tempFiles } from './temp-files.js';

const { root, file, dataError } = tempFiles('csv-table-');

/** The DataError message of loading `text` as `name`. */
function message(name: string, text: string, options?: CsvTableOptions): string {
  const path = file(name, text);
  return dataError(() => loadCsvTable(path, options));
}

describe('loadCsvTable', () => {
  it('reads features exactly as float32, labels sorted numerically, ids by line', () => {
    const path = file('iris.csv', 'a,b,species,c\n1.5,-2,10,3e2\n\n 0.1 ,+4,2,.5\n7,8,,9\n1,2,2,3\n');
    const t = loadCsvTable(path, { label: 'species' });
    expect(t.name).toBe('iris');
    expect(t.size).toBe(4);
    expect(t.spec).toEqual({ kind: 'vector', dim: 3, columns: ['a', 'b', 'c'] });
    expect(Array.from(t.item(0))).toEqual([1.5, -2, 300]);
    expect(Array.from(t.item(1))).toEqual([Math.fround(0.1), 4, 0.5]);
    expect(t.classNames).toEqual(['2', '10']);
    expect(Array.from(t.labels!)).toEqual([1, 0, -1, 0]);
    expect([0, 1, 2, 3].map((i) => t.id(i))).toEqual(['row 2', 'row 4', 'row 5', 'row 6']);
    const a = t.item(0);
    a[0] = 99;
    expect(t.item(0)[0]).toBe(1.5); // a fresh copy each time
    expect(() => t.item(4)).toThrow('index must be an integer in [0, 4), received 4');
  });

  it('text labels sort by code unit; columns picks and orders features; no labels without options.label', () => {
    const path = file('t.csv', 'x,y,z,kind\n1,2,3,dog\n4,5,6,cat\n7,8,9,Dog\n');
    const t = loadCsvTable(path, { label: 'kind', columns: ['z', 'x'] });
    expect(t.classNames).toEqual(['Dog', 'cat', 'dog']);
    expect(Array.from(t.labels!)).toEqual([2, 1, 0]);
    expect(Array.from(t.values)).toEqual([3, 1, 6, 4, 9, 7]);
    const plain = loadCsvTable(file('n.csv', 'x,y\n1,2\n'));
    expect(plain.labels).toBeUndefined();
    expect(plain.classNames).toBeUndefined();
  });

  it('tsv by extension, ; sniffed from the header, quoted fields with the delimiter and line breaks', () => {
    const tsv = loadCsvTable(file('a.tsv', 'p\tq\n1\t2\n'));
    expect(Array.from(tsv.values)).toEqual([1, 2]);
    const semi = loadCsvTable(file('a.txt', 'p;q;"note, with comma"\n1;2;3\n'));
    expect(semi.spec.columns).toEqual(['p', 'q', 'note, with comma']);
    const quoted = loadCsvTable(file('q.csv', 'x,label\n1,"multi\nline"\n2,b\n'), { label: 'label' });
    expect(quoted.classNames).toEqual(['b', 'multi\nline']);
    expect([quoted.id(0), quoted.id(1)]).toEqual(['row 2', 'row 4']);
    const bom = loadCsvTable(file('bom.csv', '\uFEFFx,y\r\n1,2\r\n'), { label: 'x' });
    expect(bom.spec.columns).toEqual(['y']);
  });

  it('header: false names columns c0, c1, ...', () => {
    const t = loadCsvTable(file('nh.csv', '1,2,0\n3,4,1\n'), { header: false, label: 'c2' });
    expect(t.spec.columns).toEqual(['c0', 'c1']);
    expect(t.classNames).toEqual(['0', '1']);
    expect(t.id(0)).toBe('row 1');
  });

  it('rejects a non-number cell naming file, row, column and text', () => {
    expect(message('bad.csv', 'a,b\n1,2\n3,abc\n')).toBe(`<tmp>/bad.csv, row 3: expected a finite number in column 'b', found "abc"`);
    expect(message('bad.csv', 'a,b\n1,\n')).toBe(`<tmp>/bad.csv, row 2: expected a finite number in column 'b', found ""`);
    expect(message('bad.csv', 'a,b\nNaN,1\n')).toBe(`<tmp>/bad.csv, row 2: expected a finite number in column 'a', found "NaN"`);
    expect(message('bad.csv', 'a,b\n1,Infinity\n')).toBe(`<tmp>/bad.csv, row 2: expected a finite number in column 'b', found "Infinity"`);
    expect(message('bad.csv', 'a,b\n1,1e39\n')).toBe(`<tmp>/bad.csv, row 2: expected a finite number in column 'b', found "1e39"`);
    expect(message('bad.csv', 'a,b\n1,0x10\n')).toBe(`<tmp>/bad.csv, row 2: expected a finite number in column 'b', found "0x10"`);
  });

  it('rejects ragged rows, unknown columns, empty files, duplicate names, bad quoting', () => {
    expect(message('r.csv', 'a,b,c\n1,2,3\n\n4,5\n')).toBe('<tmp>/r.csv, row 4: expected 3 fields (as the header), found 2');
    expect(message('r.csv', '1,2\n1,2,3\n', { header: false })).toBe('<tmp>/r.csv, row 2: expected 2 fields (as the first row), found 3');
    expect(message('u.csv', 'a,b\n1,2\n', { label: 'y' })).toBe("<tmp>/u.csv: expected a column 'y' (options.label), found the columns a, b");
    expect(message('u.csv', 'a,b\n1,2\n', { columns: ['a', 'q'] })).toBe("<tmp>/u.csv: expected a column 'q' (options.columns), found the columns a, b");
    expect(message('e.csv', '')).toBe('<tmp>/e.csv: expected a header line and at least one row, found an empty file');
    expect(message('e.csv', '\n\n', { header: false })).toBe('<tmp>/e.csv: expected at least one row, found an empty file');
    expect(message('h.csv', 'a,b\n')).toBe('<tmp>/h.csv: expected at least one row after the header, found only the header');
    expect(message('d.csv', 'a,b,a\n1,2,3\n')).toBe("<tmp>/d.csv, row 1: expected distinct column names, found 'a' twice");
    expect(message('l.csv', 'y\n1\n', { label: 'y' })).toBe("<tmp>/l.csv: expected at least one feature column besides the label column 'y', found none");
    expect(message('q.csv', 'a,b\n1,2\n"3,4\n')).toBe(
      '<tmp>/q.csv, row 3: expected fields separated by "," with closed quotes, found Quote Not Closed: the parsing is finished with an opening quote at line 3');
    expect(() => loadCsvTable(join(root, 'none.csv'))).toThrow(`${join(root, 'none.csv')}: expected a CSV file, found nothing at this path`);
  });

  it('bad options name the option', () => {
    const path = file('o.csv', 'a,b\n1,2\n');
    expect(() => loadCsvTable(path, { delimiter: ',,' })).toThrow(`loadCsvTable: options.delimiter must be one character other than a quote or a line break, received ",,"`);
    expect(() => loadCsvTable(path, { label: 'a', columns: ['a'] })).toThrow(`loadCsvTable: options.columns must be names other than the label column 'a', received ["a"]`);
    expect(() => loadCsvTable(path, { columns: ['a', 'a'] })).toThrow('loadCsvTable: options.columns must be distinct names, received ["a","a"]');
    expect(() => loadCsvTable(path, { lable: 'a' } as CsvTableOptions)).toThrow("loadCsvTable: unknown option 'lable', expected one of label, delimiter, columns, header");
  });
});
