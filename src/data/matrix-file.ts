/**
 * A matrix file as a `Source<Float32Array>` (spec `{kind: 'vector', dim}`): item i is row i.
 *
 * - `.npy` (NumPy format 1.0, 2.0, 3.0): a 2-D C-order array of a numeric dtype (f2 f4 f8, i1-i8,
 *   u1-u8, b1, either byte order), converted to float32. 1-D, 3-D, Fortran order, structured,
 *   complex, string and object arrays are DataErrors.
 * - raw little-endian float32, row-major, with a sidecar `<file>.json` holding `rows` and `dim`
 *   (what `contrastive embed` writes) and optionally `labels` (-1: unlabelled), `classNames`, `ids`;
 *   or without a sidecar, with `options.dim`.
 * A `.npy` file may have a sidecar too (`x.npy.json`): its labels, classNames and ids are used and
 * its rows and dim, when given, checked.
 *
 * A sidecar may also hold the matrix file's `byteLength` and `checksum: { algorithm: 'crc32', value }`
 * (the CRC-32 of the whole file, 8 lowercase hex digits; `contrastive embed` writes both, and writes
 * the sidecar last, as the pair's commit point). When present they are checked before anything
 * else: a matrix that is not the one its sidecar was written with (a writer killed between the two
 * renames of an older version, a file replaced by hand) is a DataError naming the matrix file, with
 * the expected and the found length or CRC-32, instead of rows paired with another run's labels. Every value must be finite as float32: NaN or an infinity
 * is a DataError naming the row. Rows are numbered from 0 in messages, as NumPy indexes them;
 * ids are the sidecar's, else the row numbers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { VectorTable } from './vector-table.js';
import { crc32 } from '../models/encoder.js';
import { DataError, describeJson } from './data-error.js';
import { checkIndex } from './source.js';

/** A matrix file's rows, with its sidecar as read. */
export interface MatrixTable extends VectorTable {
  /**
   * The sidecar `<file>.json` as read, when there is one: every key, those loadMatrix does not use
   * too (`contrastive embed` records the run's `checkpoint`, the `data` path, the split, ...).
   */
  readonly sidecar?: Readonly<Record<string, unknown>>;
}

export interface MatrixFileOptions {
  /** The row length: needed for a raw float32 file without a sidecar, else checked against the file. */
  dim?: number;
}

/** What a sidecar `<file>.json` may say. */
interface Sidecar {
  rows?: number; dim?: number; labels?: Int32Array; classNames?: string[]; ids?: string[];
  /** The matrix file's length and CRC-32 (as 8 lowercase hex digits), when the writer recorded them. */
  byteLength?: number; crc32?: string;
}

const OPTION_KEYS = ['dim'];
const NPY_MAGIC = '\x93NUMPY';

export function loadMatrix(path: string, options: MatrixFileOptions = {}): MatrixTable {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new Error(`loadMatrix: unknown option '${key}', expected one of ${OPTION_KEYS.join(', ')}`);
  }
  if (options.dim !== undefined && !(Number.isInteger(options.dim) && options.dim > 0)) {
    throw new Error(`loadMatrix: options.dim must be a positive integer, received ${JSON.stringify(options.dim) ?? String(options.dim)}`);
  }
  const isNpy = extname(path).toLowerCase() === '.npy';
  const bytes = readBytes(path, isNpy ? 'a .npy file' : 'a raw float32 matrix file');
  const sidecarPath = `${path}.json`;
  const { sidecar, json } = existsSync(sidecarPath) ? readSidecar(sidecarPath, isNpy) : { sidecar: undefined, json: undefined };
  if (sidecar) checkIntegrity(path, bytes, sidecarPath, sidecar);

  let values: Float32Array, rows: number, dim: number;
  if (isNpy) {
    ({ values, rows, dim } = readNpy(path, bytes));
    if (sidecar?.rows !== undefined && sidecar.rows !== rows) throw new DataError(sidecarPath, `rows ${rows} (as ${basename(path)})`, `${sidecar.rows}`);
    if (sidecar?.dim !== undefined && sidecar.dim !== dim) throw new DataError(sidecarPath, `dim ${dim} (as ${basename(path)})`, `${sidecar.dim}`);
  } else if (sidecar) {
    ({ rows, dim } = sidecar as Required<Sidecar>);
    if (bytes.length !== rows * dim * 4) {
      throw new DataError(path, `${rows} x ${dim} float32 values (${rows * dim * 4} bytes, as ${basename(sidecarPath)} says)`, `${bytes.length} bytes`);
    }
    values = float32s(bytes);
  } else {
    if (options.dim === undefined) {
      throw new DataError(path, `a .npy file, or raw float32 with a sidecar ${basename(sidecarPath)} or options.dim`, `a ${extname(path) || 'file without extension'} without a sidecar`);
    }
    dim = options.dim;
    if (bytes.length === 0 || bytes.length % (4 * dim) !== 0) {
      throw new DataError(path, `rows of ${dim} float32 values (a positive multiple of ${4 * dim} bytes)`, `${bytes.length} bytes`);
    }
    rows = bytes.length / (4 * dim);
    values = float32s(bytes);
  }
  if (options.dim !== undefined && options.dim !== dim) throw new DataError(path, `rows of ${options.dim} values (options.dim)`, `rows of ${dim}`);
  if (sidecar?.labels && sidecar.labels.length !== rows) throw new DataError(sidecarPath, `${rows} labels (one per row)`, `${sidecar.labels.length}`);
  if (sidecar?.ids && sidecar.ids.length !== rows) throw new DataError(sidecarPath, `${rows} ids (one per row)`, `${sidecar.ids.length}`);

  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new DataError(path, 'finite float32 values', `${values[bad]} in column ${bad % dim}`, { item: `row ${Math.floor(bad / dim)} (counted from 0)` });
  }

  const ids = sidecar?.ids;
  const size = rows;
  return {
    name: basename(path, extname(path)), size, spec: { kind: 'vector', dim },
    ...(sidecar?.labels ? { labels: sidecar.labels, classNames: sidecar.classNames! } : {}),
    ...(json ? { sidecar: json } : {}),
    values,
    item: (i) => {
      checkIndex(`loadMatrix(${path})`, i, size);
      return values.slice(i * dim, (i + 1) * dim);
    },
    id: (i) => (ids ? ids[i] : String(i)),
  };
}

function readBytes(path: string, expected: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const found = code === 'ENOENT' ? 'nothing at this path' : code === 'EISDIR' ? 'a folder' : `a file that cannot be read (${code ?? String(err)})`;
    throw new DataError(path, expected, found);
  }
}

/** The matrix file is the one its sidecar was written with: its byteLength and CRC-32, when recorded. */
function checkIntegrity(path: string, bytes: Uint8Array, sidecarPath: string, sidecar: Sidecar): void {
  const says = `as ${basename(sidecarPath)} says`;
  const why = 'the file is not the one its metadata was written with (a write cut between the two, or a file changed since)';
  if (sidecar.byteLength !== undefined && bytes.length !== sidecar.byteLength) {
    throw new DataError(path, `${sidecar.byteLength} bytes (${says})`, `${bytes.length} bytes: ${why}`);
  }
  if (sidecar.crc32 !== undefined) {
    const sum = crc32(bytes);
    if (sum !== sidecar.crc32) throw new DataError(path, `crc32 ${sidecar.crc32} (${says})`, `crc32 ${sum}: ${why}`);
  }
}

/** Little-endian float32 bytes as a new, aligned array. */
function float32s(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** The sidecar's fields, checked (rows and dim are required unless the matrix is a .npy file), and its JSON object. */
function readSidecar(path: string, isNpy: boolean): { sidecar: Sidecar; json: Record<string, unknown> } {
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new DataError(path, 'a JSON object (the matrix metadata)', `invalid JSON (${(err as Error).message})`);
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new DataError(path, 'a JSON object (the matrix metadata)', describeJson(meta));
  const found = (v: unknown) => (v === undefined ? 'none' : describeJson(v));
  const out: Sidecar = {};
  for (const key of ['rows', 'dim'] as const) {
    const v = meta[key];
    if (v === undefined && isNpy) continue;
    if (!(Number.isInteger(v) && (v as number) > 0)) throw new DataError(path, `a positive integer '${key}'`, found(v));
    out[key] = v as number;
  }
  for (const [key, want] of [['dtype', 'float32'], ['byteOrder', 'little-endian'], ['layout', 'row-major']] as const) {
    if (!isNpy && meta[key] !== undefined && meta[key] !== want) throw new DataError(path, `'${key}' ${JSON.stringify(want)}`, found(meta[key]));
  }
  const { byteLength, checksum } = meta;
  if (byteLength !== undefined) {
    if (!(Number.isInteger(byteLength) && (byteLength as number) >= 0)) throw new DataError(path, "'byteLength' an integer >= 0 (the matrix file's length)", found(byteLength));
    out.byteLength = byteLength as number;
  }
  if (checksum !== undefined) {
    const c = checksum as { algorithm?: unknown; value?: unknown } | null;
    if (typeof c !== 'object' || c === null || c.algorithm !== 'crc32' || typeof c.value !== 'string' || !/^[0-9a-f]{8}$/.test(c.value)) {
      throw new DataError(path, "'checksum' { algorithm: 'crc32', value: 8 lowercase hex digits }", found(checksum));
    }
    out.crc32 = c.value;
  }
  const { labels, classNames, ids } = meta;
  if (classNames !== undefined) {
    if (!Array.isArray(classNames) || !classNames.every((c) => typeof c === 'string')) throw new DataError(path, "'classNames' an array of strings", found(classNames));
    if (labels === undefined) throw new DataError(path, "'labels' with 'classNames'", 'none');
  }
  if (labels !== undefined) {
    const k = Array.isArray(labels) ? labels.findIndex((c) => !(Number.isInteger(c) && c >= -1)) : -2;
    if (k !== -1) throw new DataError(path, "'labels' an array of integers >= -1 (-1: unlabelled)", k === -2 ? found(labels) : `${found((labels as unknown[])[k])} at ${k}`);
    out.labels = Int32Array.from(labels as number[]);
    const max = out.labels.reduce((a, b) => Math.max(a, b), -1);
    if (classNames !== undefined && max >= (classNames as string[]).length) {
      throw new DataError(path, `labels below the number of classNames (${(classNames as string[]).length})`, `label ${max}`);
    }
    out.classNames = (classNames as string[] | undefined) ?? Array.from({ length: max + 1 }, (_, c) => String(c));
  }
  if (ids !== undefined) {
    if (!Array.isArray(ids) || !ids.every((v) => typeof v === 'string' || Number.isFinite(v))) throw new DataError(path, "'ids' an array of strings or numbers", found(ids));
    out.ids = ids.map(String);
  }
  return { sidecar: out, json: meta };
}

/** A dtype: how to read one value at a byte offset. */
interface DType { size: number; read: (view: DataView, offset: number) => number }

function dtype(descr: string): DType | undefined {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (!m) return undefined;
  const le = m[1] !== '>';
  const size = Number(m[3]);
  const read: Record<string, DType['read'] | undefined> = {
    f2: (v, o) => half(v.getUint16(o, le)), f4: (v, o) => v.getFloat32(o, le), f8: (v, o) => v.getFloat64(o, le),
    i1: (v, o) => v.getInt8(o), i2: (v, o) => v.getInt16(o, le), i4: (v, o) => v.getInt32(o, le),
    i8: (v, o) => Number(v.getBigInt64(o, le)),
    u1: (v, o) => v.getUint8(o), u2: (v, o) => v.getUint16(o, le), u4: (v, o) => v.getUint32(o, le),
    u8: (v, o) => Number(v.getBigUint64(o, le)), b1: (v, o) => (v.getUint8(o) ? 1 : 0),
  };
  const fn = read[m[2] + m[3]];
  return fn ? { size, read: fn } : undefined;
}

/** An IEEE 754 half-precision bit pattern's value. */
function half(h: number): number {
  const sign = h & 0x8000 ? -1 : 1, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A .npy file's 2-D array as float32; see the file comment. */
function readNpy(path: string, bytes: Uint8Array): { values: Float32Array; rows: number; dim: number } {
  const expected = 'a .npy file (NumPy format 1.0, 2.0 or 3.0)';
  if (bytes.length < 10 || String.fromCharCode(...bytes.subarray(0, 6)) !== NPY_MAGIC) throw new DataError(path, expected, 'no \\x93NUMPY magic string at its start');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  if (major < 1 || major > 3) throw new DataError(path, expected, `format ${major}.${bytes[7]}`);
  const headerStart = major === 1 ? 10 : 12;
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (bytes.length < headerStart + headerLen) throw new DataError(path, `a header of ${headerLen} bytes`, `a file of ${bytes.length} bytes`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLen));

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataError(path, "a header with 'descr' (a plain dtype), 'fortran_order' and 'shape'", header.trim().slice(0, 80));
  }
  const type = dtype(descr);
  if (!type) throw new DataError(path, 'a numeric dtype (f2 f4 f8 i1-i8 u1-u8 b1)', `'${descr}'`);
  if (fortran === 'True') throw new DataError(path, 'C order (fortran_order False)', 'fortran_order True');
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.length !== 2) throw new DataError(path, 'a 2-D array (rows, dim)', `shape (${shape.join(', ')}${shape.length === 1 ? ',' : ''})`);
  const [rows, dim] = shape;
  if (rows < 1 || dim < 1) throw new DataError(path, 'at least one row and one column', `shape (${rows}, ${dim})`);

  const offset = headerStart + headerLen;
  const count = rows * dim;
  if (bytes.length - offset !== count * type.size) {
    throw new DataError(path, `${count * type.size} bytes of data (${rows} x ${dim} x ${type.size})`, `${bytes.length - offset}`);
  }
  if (descr === '<f4') return { values: float32s(bytes.subarray(offset)), rows, dim };
  const values = new Float32Array(count); // [rows, dim]
  for (let p = 0; p < count; p++) {
    const v = type.read(view, offset + p * type.size);
    values[p] = v;
    if (Number.isFinite(v) && !Number.isFinite(values[p])) {
      throw new DataError(path, 'values within float32 range', `${v} in column ${p % dim}`, { item: `row ${Math.floor(p / dim)} (counted from 0)` });
    }
  }
  return { values, rows, dim };
}
