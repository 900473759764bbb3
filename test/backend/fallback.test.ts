/**
 * From the outside, as a user runs it: the built package (dist/) in a fresh Node process. With the
 * addon present, `native` is the default backend and nothing is printed; with it missing, the cpu
 * backend is used and exactly one warning says why and how to rebuild (and no tfjs-node hint).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = `
import * as tf from '@tensorflow/tfjs-core';
import { nativeBackendInfo } from './dist/node.js';
await tf.ready();
const c = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]]));
console.log(JSON.stringify({ backend: tf.getBackend(), info: nativeBackendInfo(), c: Array.from(c.dataSync()) }));
`;

function run(env: Record<string, string>) {
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root, env: { ...process.env, ...env }, encoding: 'utf8',
  });
  expect(res.status, res.stderr).toBe(0);
  return { out: JSON.parse(res.stdout.trim().split('\n').pop()!), stderr: res.stderr };
}

describe('backend selection from the built package', () => {
  it('uses native by default, silently', () => {
    const { out, stderr } = run({});
    expect(out.backend).toBe('native');
    expect(out.info.available).toBe(true);
    expect(out.c).toEqual([17, 39]);
    expect(stderr).toBe('');
  });
  it('falls back to cpu with one clear warning when the addon is missing', () => {
    const { out, stderr } = run({ CONTRASTIVE_ADDON_PATH: '/nonexistent/contrastive_native.node' });
    expect(out.backend).toBe('cpu');
    expect(out.info.available).toBe(false);
    expect(out.c).toEqual([17, 39]);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/native backend is unavailable.*missing.*npm run build:addon/);
    expect(stderr).not.toMatch(/tfjs-node/);
  });
});
