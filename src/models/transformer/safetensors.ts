/**
 * The safetensors format (Hugging Face, https://github.com/huggingface/safetensors), pure (no I/O):
 *
 * ```
 * [8 bytes: N, unsigned little-endian 64-bit] [N bytes: JSON header] [data bytes]
 * header = { "<name>": { "dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end] }, ...,
 *            "__metadata__": { "<key>": "<string>" } (optional) }
 * ```
 *
 * `data_offsets` are byte offsets into the data part (after the header); values little-endian,
 * row-major. `parseSafetensors` reads F32, F16, BF16, F64, I64, I32, I16, I8, U8 and BOOL tensors
 * into Float32Arrays (half floats widened exactly; 64-bit values rounded to float32);
 * `writeSafetensors` writes F32 tensors, in the order given, the header padded with spaces to a
 * multiple of 8 bytes as the reference writer does.
 *
 * A buffer that is not a valid file is a one-line DataError: `<source>: expected <...>, found <...>`
 * (truncated, header not JSON, a tensor whose dtype, shape or offsets do not fit).
 */
import { DataError } from '../../data/data-error.js';

/** One tensor, its values as float32 (row-major). */
export interface SafeTensor {
  /** The dtype in the file ('F32', 'F16', 'BF16', ...). */
  dtype: string;
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  /** The tensors by name, in the file's header order. */
  tensors: Map<string, SafeTensor>;
  /** The `__metadata__` string map ({} when absent). */
  metadata: Record<string, string>;
}

/** Bytes per element of each dtype read. */
const ITEM_SIZE: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** The largest header the reference implementation accepts (100 MB). */
const MAX_HEADER = 100_000_000;

/** Float32 of an IEEE half (binary16). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero / subnormal
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decode(dtype: string, bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      break;
    case 'BF16': {
      // bfloat16 is the high half of a float32
      const u = new Uint32Array(1), f = new Float32Array(u.buffer);
      for (let i = 0; i < count; i++) {
        u[0] = view.getUint16(2 * i, true) << 16;
        out[i] = f[0];
      }
      break;
    }
    case 'I64':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(8 * i, true));
      break;
    case 'I32':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
      break;
    case 'I16':
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, true);
      break;
    case 'I8':
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      break;
    case 'U8':
    case 'BOOL':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      break;
    default:
      throw new Error(`decode: unhandled dtype ${dtype}`);
  }
  return out;
}

/**
 * The tensors of a safetensors file's bytes. `source` names the file in errors.
 *
 * @throws DataError (one line) when the bytes are not a valid safetensors file.
 */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors'): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) throw new Error(`parseSafetensors: bytes must be a Uint8Array, received ${String(bytes)}`);
  const fail = (expected: string, found: string): never => {
    throw new DataError(source, expected, found);
  };
  if (bytes.byteLength < 8) fail('a safetensors file (8-byte header length, JSON header, data)', `${bytes.byteLength} bytes (truncated)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) fail(`a header length <= ${MAX_HEADER}`, `${n} (not a safetensors file?)`);
  const headerLen = Number(n);
  if (8 + headerLen > bytes.byteLength) fail(`a ${headerLen}-byte header after the 8-byte length`, `${bytes.byteLength - 8} bytes (truncated)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (err) {
    fail('a JSON header', `invalid JSON (${(err as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) fail('a JSON object header', JSON.stringify(header)?.slice(0, 40) ?? String(header));
  const data = bytes.subarray(8 + headerLen);
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (!entry || typeof entry !== 'object' || Array.isArray(entry) || Object.values(entry).some((v) => typeof v !== 'string')) {
        fail('__metadata__ to be a map of strings', JSON.stringify(entry).slice(0, 60));
      }
      metadata = { ...(entry as Record<string, string>) };
      continue;
    }
    const at = `tensor '${name}'`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) fail(`${at} to be {dtype, shape, data_offsets}`, JSON.stringify(entry)?.slice(0, 60) ?? 'nothing');
    const { dtype, shape, data_offsets: offsets } = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in ITEM_SIZE)) fail(`${at} dtype one of ${Object.keys(ITEM_SIZE).join(', ')}`, JSON.stringify(dtype) ?? 'none');
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) fail(`${at} shape a list of integers >= 0`, JSON.stringify(shape) ?? 'none');
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((d) => !Number.isSafeInteger(d) || d < 0) || offsets[0] > offsets[1]) {
      fail(`${at} data_offsets [begin, end] with 0 <= begin <= end`, JSON.stringify(offsets) ?? 'none');
    }
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const size = ITEM_SIZE[dtype as string];
    if (end - begin !== count * size) fail(`${at} of ${dtype} [${shape}] to span ${count * size} bytes`, `data_offsets [${begin}, ${end}] (${end - begin} bytes)`);
    if (end > data.byteLength) fail(`${at} data_offsets within the ${data.byteLength} data bytes`, `[${begin}, ${end}] (truncated)`);
    tensors.set(name, { dtype: dtype as string, shape: [...(shape as number[])], data: decode(dtype as string, data.subarray(begin, end), count) });
  }
  return { tensors, metadata };
}

/** A tensor to write: float32 values, row-major, shape's product of them. */
export interface TensorToWrite {
  shape: number[];
  data: Float32Array | ArrayLike<number>;
}

/**
 * The bytes of a safetensors file holding the tensors (as F32, in the order given) and the
 * metadata strings.
 */
export function writeSafetensors(tensors: Map<string, TensorToWrite> | Record<string, TensorToWrite>, metadata?: Record<string, string>): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new Error(`writeSafetensors: metadata '${k}' must be a string, received ${typeof v}`);
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new Error("writeSafetensors: '__metadata__' cannot be a tensor name");
    if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new Error(`writeSafetensors: tensor '${name}' shape must be a list of integers >= 0, received ${JSON.stringify(t.shape)}`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count) throw new Error(`writeSafetensors: tensor '${name}' of shape [${t.shape}] needs ${count} values, received ${t.data.length}`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  let pos = 8 + padded;
  for (const [, t] of entries) {
    for (let i = 0; i < t.data.length; i++, pos += 4) view.setFloat32(pos, t.data[i], true);
  }
  return out;
}
