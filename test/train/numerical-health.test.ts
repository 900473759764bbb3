/**
 * Numerical health of a training run: a non-finite loss or weight, or weights growing past the
 * divergence bound, stop training with one line naming the epoch and step (a NumericalError) and
 * keep the last good checkpoint; a collapse monitor under its threshold for a whole epoch gives one
 * warning. Stub methods make each case happen at a chosen step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { viewRows } from '../../src/data/batch.js';
import { DataLoader } from '../../src/data/loader.js';
import { collateVectors } from '../../src/data/collate.js';
import type { Method } from '../../src/methods/method.js';
import { loadCheckpointState } from '../../src/train/checkpoint.js';
import { NumericalError } from '../../src/train/numerical-error.js';
import { Trainer } from '../../src/train/trainer.js';
import { identityViews } from '../../src/augment/view-transform.js';
import type { Source } from '../../src/data/source.js';

const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'contrastive-health-')); dirs.push(d); return d; };
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const rows: Source<Float32Array> = { name: 'rows', size: 32, spec: { kind: 'vector', dim: 2 }, item: (i) => Float32Array.of(i, -i), id: (i) => String(i) };
const loader = () => new DataLoader({ source: rows, views: identityViews<Float32Array>(2), collate: collateVectors });

/** A method whose step `at` (0-based over the run) does `event`; one weight w = [1, 1]. */
function stub(event: (w: tf.Variable, step: number) => number | undefined, extra: Partial<Method> & { projectionDim?: number } = {}): Method & { w: tf.Variable } {
  const w = tf.variable(tf.ones([2]));
  let step = 0;
  return {
    name: 'stub', w, ...extra,
    trainableVariables: () => [w], embed: (x) => tf.zeros([viewRows(x), 2]), getWeights: () => [w], setWeights: (ws) => w.assign(ws[0] as tf.Tensor1D), dispose: () => w.dispose(),
    loss: () => tf.sum(tf.square(w)) as tf.Scalar,
    trainStep: () => event(w, step++) ?? 1,
  };
}

async function failure(p: Promise<unknown>): Promise<NumericalError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NumericalError);
    expect((e as Error).message).not.toContain('\n');
    return e as NumericalError;
  }
  throw new Error('expected a NumericalError');
}

describe('numerical health', () => {
  it('a NaN loss stops at its epoch and step; the last good checkpoint is kept, none is written after it', async () => {
    const dir = tmp();
    const m = stub((_, s) => (s === 5 ? NaN : undefined)); // 4 steps per epoch: epoch 2, step 2
    const e = await failure(new Trainer({ epochs: 3, batchSize: 8, checkpointDir: dir, encoder: false }).fit(m, loader()));
    expect(e.message).toBe('Trainer: the loss became NaN at epoch 2, step 2 of 4: the run diverged (peak learning rate 0.001; try a lower one); the checkpoint of epoch 1 is kept');
    expect([e.epoch, e.step]).toEqual([2, 2]);
    expect(loadCheckpointState<{ epoch: number }>(dir)!.epoch).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'weights-1.bin']);
    m.dispose();
  });

  it('a weight that becomes Infinity or NaN with a finite loss stops at that step', async () => {
    const inf = stub((w, s) => { if (s === 2) w.assign(tf.tensor1d([1, Infinity])); return undefined; });
    expect((await failure(new Trainer({ epochs: 2, batchSize: 8 }).fit(inf, loader()))).message).toMatch(/^Trainer: the weights became infinite at epoch 1, step 3 of 4: the run diverged/);
    const nan = stub((w, s) => { if (s === 0) w.assign(tf.tensor1d([NaN, 1])); return undefined; });
    expect((await failure(new Trainer({ epochs: 2, batchSize: 8 }).fit(nan, loader()))).message).toMatch(/^Trainer: the weights became NaN at epoch 1, step 1 of 4/);
    inf.dispose();
    nan.dispose();
  });

  it('weights growing past the divergence bound (x its initial norm) stop the run; the bound is an option', async () => {
    const grow = () => stub((w) => { w.assign(tf.mul(w, 10) as tf.Tensor1D); return undefined; }); // norm sqrt(2) x 10^steps
    const e = await failure(new Trainer({ epochs: 2, batchSize: 8 }).fit(grow(), loader()));
    expect(e.message).toBe("Trainer: the weights' norm grew to 1.41e+4, past 1000 times its initial 1.41 (the divergence bound), at epoch 1, step 4 of 4: the run diverges (peak learning rate 0.001; try a lower one)");
    const e2 = await failure(new Trainer({ epochs: 2, batchSize: 8, divergenceBound: 50 }).fit(grow(), loader()));
    expect([e2.epoch, e2.step]).toEqual([1, 2]);
    await expect(new Trainer({ epochs: 1, batchSize: 8, divergenceBound: Infinity }).fit(grow(), loader())).resolves.toHaveLength(1);
    expect(() => new Trainer({ epochs: 1, divergenceBound: 1 })).toThrow('Trainer: divergenceBound must be a number > 1 (Infinity: never), received 1');
  });

  it('warns once per epoch when the collapse monitor stays under threshold / sqrt(d) at every step', async () => {
    const warnings: string[] = [];
    let std = 0.001;
    const m = stub(() => undefined, { collapseStd: () => std, projectionDim: 64 });
    const history = await new Trainer({
      epochs: 2, batchSize: 8, onWarning: (l) => warnings.push(l),
      callbacks: [{ onEpochEnd: () => { std = 0.2; } }], // spread in epoch 2
    }).fit(m, loader());
    expect(history.map((h) => h.collapsed)).toEqual([true, undefined]);
    expect(warnings).toEqual([
      'warning: epoch 1: the embeddings collapsed: the collapse monitor (std of the normalised projections) stayed under 0.0125 (0.1/sqrt(d), d = 64) for the whole epoch, at most 0.00100; spread embeddings have about 1/sqrt(d) = 0.125',
    ]);
    m.dispose();
  });
});
