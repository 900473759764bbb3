import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import type { NativeBackend } from '../../src/backend/native-backend.js';
import { BufferPool } from '../../src/backend/buffer-pool.js';
import { randomArray } from './parity.js';

const n = 300; // 300 x 300 = 90,000 floats: above the pool's minimum length

function backend(): NativeBackend {
  tf.setBackend('native');
  return tf.backend() as NativeBackend;
}

describe('BufferPool', () => {
  it('reuses a buffer once no tensor uses it, and only then', () => {
    const pool = new BufferPool(1 << 30, 4);
    const a = pool.take(8);
    pool.onStore(a);
    const view = a.subarray(2, 4);
    pool.onStore(view); // a second tensor stores a view on the same buffer
    pool.onRelease(a);
    expect(pool.heldBytes).toBe(0);
    pool.onRelease(view);
    expect(pool.heldBytes).toBe(32);
    expect(pool.take(8).buffer).toBe(a.buffer);
    expect(pool.heldBytes).toBe(0);
  });
  it('never recycles exposed buffers or arrays it did not make', () => {
    const pool = new BufferPool(1 << 30, 4);
    const a = pool.take(8);
    pool.onStore(a);
    pool.onExpose(a);
    pool.onRelease(a);
    const user = new Float32Array(8);
    pool.onStore(user);
    pool.onRelease(user);
    expect(pool.heldBytes).toBe(0);
  });
  it('poisons what it hands out under test (CONTRASTIVE_POOL_POISON=1, vitest.config.ts)', () => {
    expect(process.env.CONTRASTIVE_POOL_POISON).toBe('1');
    const pool = new BufferPool(1 << 30, 4);
    expect(Array.from(pool.take(2))).toEqual([Number.NaN, Number.NaN]);
    expect(Array.from(pool.take(8)).every(Number.isNaN)).toBe(true);
  });
  it('keeps at most capBytes, dropping the oldest', () => {
    const pool = new BufferPool(64, 4);
    const bufs = [pool.take(8), pool.take(8), pool.take(8)];
    for (const b of bufs) { pool.onStore(b); pool.onRelease(b); }
    expect(pool.heldBytes).toBe(64);
  });
});

describe('native backend buffer recycling', () => {
  const A = randomArray(n * n, 1), B = randomArray(n * n, 2);

  it('recycles a disposed output for the next output of the same size', () => {
    const be = backend();
    const a = tf.tensor2d(A, [n, n]), b = tf.tensor2d(B, [n, n]);
    const c = tf.matMul(a, b);
    const held = be.pool.heldBytes;
    c.dispose();
    expect(be.pool.heldBytes).toBe(held + n * n * 4);
    const d = tf.matMul(a, b);
    expect(be.pool.heldBytes).toBe(held);
    tf.dispose([a, b, d]);
  });

  it('never overwrites values a user read with dataSync', () => {
    backend();
    const a = tf.tensor2d(A, [n, n]), b = tf.tensor2d(B, [n, n]);
    const c = tf.matMul(a, b);
    const seen = c.dataSync();
    const copy = Float32Array.from(seen);
    c.dispose();
    const d = tf.matMul(b, a); // same size, different values
    expect(seen).toEqual(copy);
    tf.dispose([a, b, d]);
  });

  it('keeps a slice view of a disposed output intact', () => {
    const be = backend();
    const a = tf.tensor2d(A, [n, n]), b = tf.tensor2d(B, [n, n]);
    const c = tf.matMul(a, b);
    const row = tf.slice(c, [5, 0], [1, n]); // cpu Slice returns a subarray view of c's buffer
    const expected = tf.tidy(() => tf.slice(tf.matMul(a, b), [5, 0], [1, n]).dataSync().slice());
    const held = be.pool.heldBytes;
    c.dispose();
    expect(be.pool.heldBytes).toBe(held); // the view still uses the buffer
    const d = tf.matMul(b, a);
    expect(row.dataSync()).toEqual(expected);
    tf.dispose([a, b, d, row]);
  });
});
