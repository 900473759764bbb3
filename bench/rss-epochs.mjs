#!/usr/bin/env node
/**
 * Memory over a training run: runs `contrastive train` (the default run unless arguments are
 * given) as a child process and, at every epoch line it prints, reads the child's resident set
 * (VmRSS) and its high-water mark (VmHWM) from /proc/<pid>/status (Linux). A run whose memory is
 * flat has the same VmRSS from epoch 2 on (epoch 1 grows the caches and pools).
 *
 *   node bench/rss-epochs.mjs [train options...]      (default: the default run into a temp dir)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const out = mkdtempSync(join(tmpdir(), 'contrastive-rss-'));
const args = process.argv.slice(2);
const child = spawn(process.execPath, [join(root, 'dist/cli/index.js'), 'train', '--out', out, ...args], { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
const mb = (field) => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const rows = [];
let buffer = '';
child.stderr.on('data', (d) => {
  buffer += d.toString();
  let nl;
  while ((nl = buffer.search(/[\n\r]/)) >= 0) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    const m = /^epoch (\d+)\/(\d+)/.exec(line);
    if (m) {
      const row = { epoch: Number(m[1]), rssMb: Math.round(mb('VmRSS')), peakMb: Math.round(mb('VmHWM')) };
      rows.push(row);
      process.stderr.write(`${line}\n  -> RSS ${row.rssMb} MB, peak ${row.peakMb} MB\n`);
    } else if (line.startsWith('done') || line.startsWith('contrastive')) process.stderr.write(`${line}\n`);
  }
});
child.on('exit', (code) => {
  rmSync(out, { recursive: true, force: true });
  console.log(JSON.stringify({ command: `contrastive train ${args.join(' ')}`.trim(), exitCode: code, epochs: rows }, null, 1));
  const later = rows.slice(1).map((r) => r.rssMb);
  if (later.length) console.log(`RSS from epoch 2 on: min ${Math.min(...later)} MB, max ${Math.max(...later)} MB; peak ${rows.at(-1).peakMb} MB`);
  process.exit(code ?? 1);
});
