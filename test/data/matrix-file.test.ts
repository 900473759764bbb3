import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/data-error.js';
import { loadMatrix, type MatrixFileOptions } from '../../src/data/matrix-file.js';
import { tempFiles } from './temp-files.js';

const { root, file, dataError } = tempFiles('matrix-file-');

/** A .npy file's bytes, written by hand as NumPy does: magic, version, padded header, data. */
function npy(descr: string, shape: number[], data: ArrayBufferView, options: { version?: 1 | 2 | 3; fortran?: boolean } = {}): Uint8Array {
  const { version = 1, fortran = false } = options;
  const shapeText = `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const pre = version === 1 ? 10 : 12;
  header += ' '.repeat(63 - ((pre + header.length) % 64)) + '\n'; // total a multiple of 64
  const head = new Uint8Array(pre + header.length);
  head.set([0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0)), version, 0]);
  const view = new DataView(head.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  head.set(Array.from(header, (c) => c.charCodeAt(0)), pre);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function message(path: string, options?: MatrixFileOptions): string {
  return dataError(() => loadMatrix(path, options));
}

const values = Float32Array.from([0.1, -2.5, 3e-8, 1e30, 7, -0, 1 / 3, 65504]); // [4, 2]

describe('loadMatrix: .npy', () => {
  it('reads <f4 bit-exact in format 1.0, 2.0 and 3.0; ids are row numbers', () => {
    for (const version of [1, 2, 3] as const) {
      const m = loadMatrix(file(`v${version}.npy`, npy('<f4', [4, 2], values, { version })));
      expect(m.size).toBe(4);
      expect(m.spec).toEqual({ kind: 'vector', dim: 2 });
      expect(bytesOf(m.values)).toEqual(bytesOf(values));
      expect(Array.from(m.item(3))).toEqual([values[6], values[7]]);
      expect(m.id(3)).toBe('3');
      expect(m.labels).toBeUndefined();
      expect(m.name).toBe(`v${version}`);
    }
  });

  it('converts f8, f2, signed, unsigned, 64-bit, bool and big-endian dtypes to float32', () => {
    const f8 = Float64Array.from([1.5, -2.25, 1e-3, 4]);
    expect(Array.from(loadMatrix(file('f8.npy', npy('<f8', [2, 2], f8))).values)).toEqual(Array.from(f8, Math.fround));
    const f2 = Uint16Array.from([0x3c00, 0xc000, 0x3555, 0x0001]); // 1, -2, 0.333251953125, 2^-24
    expect(Array.from(loadMatrix(file('f2.npy', npy('<f2', [1, 4], f2))).values)).toEqual([1, -2, 0.333251953125, 2 ** -24]);
    expect(Array.from(loadMatrix(file('i4.npy', npy('<i4', [2, 1], Int32Array.from([-7, 123456])))).values)).toEqual([-7, 123456]);
    expect(Array.from(loadMatrix(file('i8.npy', npy('<i8', [1, 2], BigInt64Array.from([-5n, 9n])))).values)).toEqual([-5, 9]);
    expect(Array.from(loadMatrix(file('u1.npy', npy('|u1', [1, 3], Uint8Array.from([0, 128, 255])))).values)).toEqual([0, 128, 255]);
    expect(Array.from(loadMatrix(file('u2.npy', npy('<u2', [1, 2], Uint16Array.from([65535, 3])))).values)).toEqual([65535, 3]);
    expect(Array.from(loadMatrix(file('b1.npy', npy('|b1', [1, 3], Uint8Array.from([1, 0, 1])))).values)).toEqual([1, 0, 1]);
    const be = new DataView(new ArrayBuffer(8));
    be.setFloat32(0, 2.5, false);
    be.setFloat32(4, -1, false);
    expect(Array.from(loadMatrix(file('be.npy', npy('>f4', [1, 2], be))).values)).toEqual([2.5, -1]);
  });

  it('takes labels, classNames and ids from a sidecar x.npy.json', () => {
    const path = file('lab.npy', npy('<f4', [4, 2], values));
    file('lab.npy.json', JSON.stringify({ labels: [1, 0, -1, 1], classNames: ['a', 'b'], ids: ['p', 'q', 'r', 7] }));
    const m = loadMatrix(path);
    expect(Array.from(m.labels!)).toEqual([1, 0, -1, 1]);
    expect(m.classNames).toEqual(['a', 'b']);
    expect(m.id(3)).toBe('7');
  });

  it('rejects 1-D, Fortran order, structured and string dtypes, short data, NaN and Inf, bad magic', () => {
    expect(message(file('a.npy', npy('<f4', [8], values)))).toBe('<tmp>/a.npy: expected a 2-D array (rows, dim), found shape (8,)');
    expect(message(file('a.npy', npy('<f4', [2, 2, 2], values)))).toBe('<tmp>/a.npy: expected a 2-D array (rows, dim), found shape (2, 2, 2)');
    expect(message(file('a.npy', npy('<f4', [4, 2], values, { fortran: true })))).toBe('<tmp>/a.npy: expected C order (fortran_order False), found fortran_order True');
    expect(message(file('a.npy', npy('<U4', [1, 2], new Uint8Array(32))))).toBe("<tmp>/a.npy: expected a numeric dtype (f2 f4 f8 i1-i8 u1-u8 b1), found '<U4'");
    expect(message(file('a.npy', npy('<c8', [1, 1], new Uint8Array(8))))).toBe("<tmp>/a.npy: expected a numeric dtype (f2 f4 f8 i1-i8 u1-u8 b1), found '<c8'");
    expect(message(file('a.npy', npy('<f4', [4, 3], values)))).toBe('<tmp>/a.npy: expected 48 bytes of data (4 x 3 x 4), found 32');
    expect(message(file('a.npy', npy('<f4', [0, 3], new Uint8Array(0))))).toBe('<tmp>/a.npy: expected at least one row and one column, found shape (0, 3)');
    const nan = Float32Array.from([1, 2, 3, NaN]);
    expect(message(file('a.npy', npy('<f4', [2, 2], nan)))).toBe('<tmp>/a.npy: row 1 (counted from 0): expected finite float32 values, found NaN in column 1');
    const inf = Float64Array.from([1, 2, -Infinity, 4]);
    expect(message(file('a.npy', npy('<f8', [2, 2], inf)))).toBe('<tmp>/a.npy: row 1 (counted from 0): expected finite float32 values, found -Infinity in column 0');
    const big = Float64Array.from([1, 1e300]);
    expect(message(file('a.npy', npy('<f8', [1, 2], big)))).toBe('<tmp>/a.npy: row 0 (counted from 0): expected values within float32 range, found 1e+300 in column 1');
    expect(message(file('a.npy', 'not numpy at all'))).toBe('<tmp>/a.npy: expected a .npy file (NumPy format 1.0, 2.0 or 3.0), found no \\x93NUMPY magic string at its start');
    expect(message(join(root, 'none.npy'))).toBe('<tmp>/none.npy: expected a .npy file, found nothing at this path');
  });

  it('reads a .npy file written by numpy (skipped without python3 + numpy)', (ctx) => {
    const path = join(root, 'np.npy');
    try {
      execFileSync('python3', ['-c', `import numpy as np; np.save(${JSON.stringify(path)}, (np.arange(12, dtype=np.float64).reshape(3, 4) / 7))`], { stdio: 'ignore' });
    } catch {
      ctx.skip('python3 with numpy is not available');
    }
    const m = loadMatrix(path);
    expect(m.spec).toEqual({ kind: 'vector', dim: 4 });
    expect(Array.from(m.values)).toEqual(Array.from({ length: 12 }, (_, k) => Math.fround(k / 7)));
  });
});

describe('loadMatrix: raw float32', () => {
  it('reads what contrastive embed writes: the matrix and its sidecar (labels, classNames, ids)', () => {
    const path = file('emb.f32', bytesOf(values));
    file('emb.f32.json', JSON.stringify({
      rows: 4, dim: 2, dtype: 'float32', byteOrder: 'little-endian', layout: 'row-major',
      dataset: 'x', classNames: ['a', 'b', 'c'], labels: [2, 0, 1, 2], ids: [10, 11, 12, 13], split: ['train', 'train', 'test', 'train'],
    }));
    const m = loadMatrix(path);
    expect(m.name).toBe('emb');
    expect(bytesOf(m.values)).toEqual(bytesOf(values));
    expect(Array.from(m.labels!)).toEqual([2, 0, 1, 2]);
    expect(m.classNames).toEqual(['a', 'b', 'c']);
    expect(m.id(0)).toBe('10');
    expect(loadMatrix(path, { dim: 2 }).size).toBe(4);
  });

  it('labels without classNames get class names 0..max', () => {
    const path = file('l.bin', bytesOf(values));
    file('l.bin.json', JSON.stringify({ rows: 2, dim: 4, labels: [1, -1] }));
    const m = loadMatrix(path);
    expect(m.classNames).toEqual(['0', '1']);
    expect(Array.from(m.labels!)).toEqual([1, -1]);
  });

  it('reads raw float32 without a sidecar given options.dim', () => {
    const m = loadMatrix(file('raw.bin', bytesOf(values)), { dim: 4 });
    expect([m.size, m.spec.dim]).toEqual([2, 4]);
    expect(Array.from(m.item(1))).toEqual(Array.from(values.subarray(4)));
  });

  it('rejects size mismatches, a bad sidecar, NaN rows, and a file it cannot place', () => {
    const path = file('m.f32', bytesOf(values));
    file('m.f32.json', JSON.stringify({ rows: 3, dim: 2 }));
    expect(message(path)).toBe('<tmp>/m.f32: expected 3 x 2 float32 values (24 bytes, as m.f32.json says), found 32 bytes');
    file('m.f32.json', JSON.stringify({ rows: 4, dim: 2 }));
    expect(message(path, { dim: 3 })).toBe('<tmp>/m.f32: expected rows of 3 values (options.dim), found rows of 2');
    file('m.f32.json', JSON.stringify({ rows: 4, dim: 2, labels: [0, 1] }));
    expect(message(path)).toBe('<tmp>/m.f32.json: expected 4 labels (one per row), found 2');
    file('m.f32.json', JSON.stringify({ rows: 4, dim: 2, labels: [0, 1, 2, 0], classNames: ['a', 'b'] }));
    expect(message(path)).toBe('<tmp>/m.f32.json: expected labels below the number of classNames (2), found label 2');
    file('m.f32.json', JSON.stringify({ rows: 4, dim: 2, labels: [0, 1.5, 0, 0] }));
    expect(message(path)).toBe("<tmp>/m.f32.json: expected 'labels' an array of integers >= -1 (-1: unlabelled), found 1.5 at 1");
    file('m.f32.json', JSON.stringify({ rows: 4 }));
    expect(message(path)).toBe("<tmp>/m.f32.json: expected a positive integer 'dim', found none");
    file('m.f32.json', JSON.stringify({ rows: 4, dim: 2, dtype: 'float64' }));
    expect(message(path)).toBe(`<tmp>/m.f32.json: expected 'dtype' "float32", found "float64"`);
    file('m.f32.json', '{oops');
    expect(message(path)).toMatch(/^<tmp>\/m\.f32\.json: expected a JSON object \(the matrix metadata\), found invalid JSON \(.+\)$/);

    const inf = file('inf.bin', bytesOf(Float32Array.from([1, 2, 3, 4, 5, Infinity])));
    expect(message(inf, { dim: 3 })).toBe('<tmp>/inf.bin: row 1 (counted from 0): expected finite float32 values, found Infinity in column 2');
    expect(message(file('odd.bin', new Uint8Array(10)), { dim: 2 })).toBe('<tmp>/odd.bin: expected rows of 2 float32 values (a positive multiple of 8 bytes), found 10 bytes');
    expect(message(file('lone.bin', new Uint8Array(8)))).toBe(
      '<tmp>/lone.bin: expected a .npy file, or raw float32 with a sidecar lone.bin.json or options.dim, found a .bin without a sidecar');
  });

  it('bad options name the option', () => {
    expect(() => loadMatrix(join(root, 'x.bin'), { dim: 0 })).toThrow('loadMatrix: options.dim must be a positive integer, received 0');
    expect(() => loadMatrix(join(root, 'x.bin'), { rows: 2 } as MatrixFileOptions)).toThrow("loadMatrix: unknown option 'rows', expected one of dim");
  });
});
