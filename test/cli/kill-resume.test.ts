/**
 * Resume survives kill -9: a real `contrastive train` process is killed with SIGKILL at seeded
 * random moments (loading, training, in the middle of writing a checkpoint or the encoder) and
 * resumed with --resume each time, until it finishes. Its final weights, loss history and kNN
 * monitor history must equal an uninterrupted run's bit for bit, and the run directory must hold
 * exactly the files of the uninterrupted run (no temporary file of a killed writer, no lock).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/random.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/cli/index.js');
const tmp = mkdtempSync(join(tmpdir(), 'contrastive-kill-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const args = (out: string) => ['train', '--dataset', 'mnist', '--limit', '600', '--epochs', '5', '--batch-size', '32', '--seed', '5', '--widths', '4,8', '--pooling', 'global-average', '--out', out];

interface Outcome { code: number | null; signal: NodeJS.Signals | null; started: number; ended: number }

/** Runs the CLI; with `killAfter`, sends SIGKILL that many ms after training starts (its first log line). */
function run(argv: string[], killAfter?: number): Promise<Outcome> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...argv], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let started = NaN, timer: NodeJS.Timeout | undefined, stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (Number.isNaN(started) && stderr.includes('contrastive train:')) {
        started = performance.now();
        if (killAfter !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), killAfter);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0 && signal !== 'SIGKILL') throw new Error(`contrastive ${argv.join(' ')} failed (${code}):\n${stderr}`);
      done({ code, signal, started, ended: performance.now() });
    });
  });
}

const history = (dir: string) => (JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as { state: { history: { loss: number; knnTop1?: number; collapseStd?: number }[] } })
  .state.history.map((h) => ({ loss: h.loss, knnTop1: h.knnTop1, collapseStd: h.collapseStd }));
const listing = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listing(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name])).sort();

describe('contrastive train killed with SIGKILL and resumed', () => {
  it('ends with the weights and history of an uninterrupted run, bit for bit (>= 5 kills)', async () => {
    const straight = join(tmp, 'straight');
    const ref = await run(args(straight));
    const span = ref.ended - ref.started; // training time of a whole run, from its first log line
    const rng = new Rng(2026);
    let kills = 0, sequences = 0;
    while (kills < 5) {
      const out = join(tmp, `killed-${sequences++}`);
      for (;;) {
        const resume = existsSync(join(out, 'run.json'));
        // Five kills at seeded moments of the run's training time, then one run to the end.
        const r = await run([...args(out), ...(resume ? ['--resume'] : [])], kills < 5 ? rng.next() * span : undefined);
        if (r.signal === 'SIGKILL') {
          kills++;
          continue;
        }
        break; // finished (after the fifth kill, or a kill came after the end)
      }
      expect(history(out)).toEqual(history(straight));
      expect(readFileSync(join(out, 'weights-5.bin')).equals(readFileSync(join(straight, 'weights-5.bin')))).toBe(true);
      expect(readFileSync(join(out, 'encoder/weights.bin')).equals(readFileSync(join(straight, 'encoder/weights.bin')))).toBe(true);
      expect(listing(out)).toEqual(listing(straight));
    }
    expect(kills).toBeGreaterThanOrEqual(5);
    console.log(`kill test: ${kills} SIGKILLs over ${sequences} killed run(s), each resumed to the uninterrupted run's weights bit for bit`);
  }, 600_000);

  it('a second writer is refused while the first trains, with one line naming --out; a dead writer\'s lock is taken over', async () => {
    const out = join(tmp, 'locked');
    // The first writer trains long enough to be still running, however slow the machine.
    const long = args(out).map((a, i, all) => (all[i - 1] === '--epochs' ? '1000' : a));
    const first = spawn(process.execPath, [cli, ...long], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((ok) => {
      let s = '';
      first.stderr.on('data', (d: Buffer) => { s += d.toString(); if (s.includes('contrastive train:')) ok(); });
    });
    const second = spawnSync(process.execPath, [cli, ...args(out), '--resume'], { cwd: root, encoding: 'utf8' });
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`^contrastive: --out: '${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' is in use by process ${first.pid} \\(contrastive train, since [^)]+\\); wait for it to end or choose another --out\\n$`));
    first.kill('SIGKILL');
    await new Promise((ok) => first.on('exit', ok));
    expect(existsSync(join(out, '.lock'))).toBe(true); // left by the killed process ...
    const third = await run([...args(out), '--resume']); // ... and taken over
    expect(third.code).toBe(0);
    expect(existsSync(join(out, '.lock'))).toBe(false);
  }, 300_000);
});
