import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/data/data-error.js';
import { parseSafetensors, writeSafetensors, type TensorToWrite } from '../../../src/models/transformer/safetensors.js';

/** A safetensors file by hand: header JSON (unpadded) then the raw data bytes. */
function handmade(header: object | string, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function bytesOf(write: (v: DataView) => void, n: number): Uint8Array {
  const b = new Uint8Array(n);
  write(new DataView(b.buffer));
  return b;
}

describe('parseSafetensors', () => {
  it('reads F32, F16, BF16, I64 and I32 tensors as float32, with metadata', () => {
    const f32 = bytesOf((v) => [1.5, -2, 0.25, 3e-8, 7, -0].forEach((x, i) => v.setFloat32(4 * i, x, true)), 24);
    // F16: 1.0 = 0x3c00, -2.5 = 0xc100, 65504 = 0x7bff, smallest subnormal 0x0001 = 2^-24
    const f16 = bytesOf((v) => [0x3c00, 0xc100, 0x7bff, 0x0001].forEach((x, i) => v.setUint16(2 * i, x, true)), 8);
    // BF16: high halves of float32 1.0 (0x3f80) and -0.5 (0xbf00), 3.140625 (0x4049)
    const bf16 = bytesOf((v) => [0x3f80, 0xbf00, 0x4049].forEach((x, i) => v.setUint16(2 * i, x, true)), 6);
    const i64 = bytesOf((v) => [0n, 5n, -3n].forEach((x, i) => v.setBigInt64(8 * i, x, true)), 24);
    const i32 = bytesOf((v) => [7, -9].forEach((x, i) => v.setInt32(4 * i, x, true)), 8);
    const parts = [f32, f16, bf16, i64, i32];
    const data = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    const offs: [number, number][] = [];
    let o = 0;
    for (const p of parts) {
      data.set(p, o);
      offs.push([o, o + p.length]);
      o += p.length;
    }
    const header = {
      __metadata__: { format: 'pt' },
      a: { dtype: 'F32', shape: [2, 3], data_offsets: offs[0] },
      h: { dtype: 'F16', shape: [4], data_offsets: offs[1] },
      b: { dtype: 'BF16', shape: [3, 1], data_offsets: offs[2] },
      ids: { dtype: 'I64', shape: [1, 3], data_offsets: offs[3] },
      n: { dtype: 'I32', shape: [2], data_offsets: offs[4] },
    };
    const { tensors, metadata } = parseSafetensors(handmade(header, data));
    expect(metadata).toEqual({ format: 'pt' });
    expect([...tensors.keys()]).toEqual(['a', 'h', 'b', 'ids', 'n']);
    expect(tensors.get('a')!.shape).toEqual([2, 3]);
    expect(Array.from(tensors.get('a')!.data)).toEqual([1.5, -2, 0.25, Math.fround(3e-8), 7, -0]);
    expect(Array.from(tensors.get('h')!.data)).toEqual([1, -2.5, 65504, 2 ** -24]);
    expect(Array.from(tensors.get('b')!.data)).toEqual([1, -0.5, 3.140625]);
    expect(tensors.get('b')!.dtype).toBe('BF16');
    expect(Array.from(tensors.get('ids')!.data)).toEqual([0, 5, -3]);
    expect(Array.from(tensors.get('n')!.data)).toEqual([7, -9]);
  });

  it('reads a scalar and an empty tensor, and a buffer at a byte offset', () => {
    const data = bytesOf((v) => v.setFloat32(0, 42, true), 4);
    const file = handmade({ s: { dtype: 'F32', shape: [], data_offsets: [0, 4] }, e: { dtype: 'F32', shape: [0, 3], data_offsets: [4, 4] } }, data);
    const shifted = new Uint8Array(file.length + 3);
    shifted.set(file, 3);
    const { tensors } = parseSafetensors(shifted.subarray(3));
    expect(Array.from(tensors.get('s')!.data)).toEqual([42]);
    expect(tensors.get('e')!.shape).toEqual([0, 3]);
    expect(tensors.get('e')!.data.length).toBe(0);
  });

  it('refuses bad files with one-line DataErrors naming the source', () => {
    const good = handmade({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8));
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(5), /^m\.st: expected a safetensors file .*, found 5 bytes \(truncated\)$/],
      [good.subarray(0, 20), /^m\.st: expected a \d+-byte header after the 8-byte length, found 12 bytes \(truncated\)$/],
      [good.subarray(0, good.length - 2), /^m\.st: expected tensor 'w' data_offsets within the 6 data bytes, found \[0, 8\] \(truncated\)$/],
      [handmade('{"w": ', new Uint8Array(0)), /^m\.st: expected a JSON header, found invalid JSON/],
      [handmade('[1, 2]', new Uint8Array(0)), /^m\.st: expected a JSON object header, found \[1,2\]$/],
      [handmade({ w: { dtype: 'Q8', shape: [2], data_offsets: [0, 2] } }, new Uint8Array(2)), /^m\.st: expected tensor 'w' dtype one of F64, F32, .*, found "Q8"$/],
      [handmade({ w: { dtype: 'F32', shape: [2.5], data_offsets: [0, 8] } }, new Uint8Array(8)), /^m\.st: expected tensor 'w' shape a list of integers >= 0, found \[2\.5\]$/],
      [handmade({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), /^m\.st: expected tensor 'w' of F32 \[3\] to span 12 bytes, found data_offsets \[0, 8\] \(8 bytes\)$/],
      [handmade({ w: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, new Uint8Array(8)), /^m\.st: expected tensor 'w' data_offsets \[begin, end\]/],
      [handmade({ __metadata__: { a: 1 } }, new Uint8Array(0)), /^m\.st: expected __metadata__ to be a map of strings, found \{"a":1\}$/],
    ];
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
    cases.push([huge, /^m\.st: expected a header length <= 100000000, found 1152921504606846976/]);
    for (const [bytes, re] of cases) {
      let err: unknown;
      try {
        parseSafetensors(bytes, 'm.st');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('\n');
    }
  });
});

describe('writeSafetensors', () => {
  it('writes F32 tensors in order with a space-padded 8-byte-aligned header, read back exactly', () => {
    const a = { shape: [2, 2], data: new Float32Array([1, -2, 3.25, Math.fround(0.1)]) };
    const b = { shape: [3], data: [0, 1e-30, -7] };
    const bytes = writeSafetensors(new Map<string, TensorToWrite>([['z.a', a], ['b', b]]), { format: 'pt' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({ __metadata__: { format: 'pt' }, 'z.a': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [3], data_offsets: [16, 28] } });
    expect(bytes.length).toBe(8 + n + 28);
    const { tensors, metadata } = parseSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    expect([...tensors.keys()]).toEqual(['z.a', 'b']);
    expect(Array.from(tensors.get('z.a')!.data)).toEqual(Array.from(a.data));
    expect(Array.from(tensors.get('b')!.data)).toEqual(Array.from(Float32Array.from(b.data)));
  });

  it('refuses a data length that does not match the shape', () => {
    expect(() => writeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } })).toThrow("writeSafetensors: tensor 'w' of shape [2,2] needs 4 values, received 3");
  });
});
