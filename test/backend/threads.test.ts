/**
 * The addon's thread pool from the outside: two Node worker_threads calling the GEMM at once (the
 * pool runs one caller's job at a time; the other computes on its own thread) and thread-count
 * validation.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setNativeThreads, nativeBackendInfo } from '../../src/backend/index.js';

const addonPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'native', 'build', 'Release', 'contrastive_native.node');

const workerCode = `
const { parentPort, workerData } = require('node:worker_threads');
const A = require(workerData.addonPath);
const M = 48, N = 40, K = 56;
let s = workerData.seed;
const rnd = (n) => Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296) * 2 - 1);
const a = rnd(M * K), b = rnd(K * N), ref = new Float64Array(M * N);
for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) ref[i * N + j] += a[i * K + k] * b[k * N + j];
let bad = 0;
for (let it = 0; it < 3000; it++) {
  const out = new Float32Array(M * N).fill(NaN);
  A.matmul(a, b, out, 1, 1, M, N, K, false, false, null, 0, 0, null);
  for (let i = 0; i < out.length; i++) if (!(Math.abs(out[i] - ref[i]) < 1e-4)) { bad++; break; }
}
parentPort.postMessage(bad);
`;

describe('native thread pool', () => {
  it('gives correct results to two worker_threads using it at once', async () => {
    const runs = [1, 2].map(
      (seed) =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(workerCode, { eval: true, workerData: { addonPath, seed } });
          w.on('message', resolve);
          w.on('error', reject);
        }),
    );
    expect(await Promise.all(runs)).toEqual([0, 0]);
  });

  it('validates and applies the thread count', () => {
    const before = nativeBackendInfo().threads;
    expect(() => setNativeThreads(0)).toThrow(/threads must be an integer in \[1, 1024\], received 0/);
    expect(() => setNativeThreads(1.5)).toThrow(/received 1.5/);
    setNativeThreads(3);
    expect(nativeBackendInfo().threads).toBe(3);
    setNativeThreads(before);
    expect(nativeBackendInfo().threads).toBe(before);
  });
});
