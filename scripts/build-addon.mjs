#!/usr/bin/env node
// Builds the `native` backend addon with node-gyp (run by `npm install`). A failed build does not
// fail the install: the library then runs on tfjs's pure-JavaScript `cpu` backend and prints one
// warning saying why and how to rebuild (see src/backend/addon.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const failureFile = join(root, 'native', 'build', 'FAILED.txt');

if (process.env.CONTRASTIVE_SKIP_NATIVE === '1') {
  console.warn('contrastive: CONTRASTIVE_SKIP_NATIVE=1, not building the native addon (the cpu backend will be used).');
  process.exit(0);
}

function findNodeGyp() {
  // npm sets npm_config_node_gyp to its bundled node-gyp for lifecycle scripts.
  const candidates = [process.env.npm_config_node_gyp];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {}
  const npmDir = process.env.npm_execpath ? join(dirname(process.env.npm_execpath), '..') : null;
  if (npmDir) candidates.push(join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => c && existsSync(c));
}

const gyp = findNodeGyp();
let reason;
if (!gyp) {
  reason = 'node-gyp was not found (it ships with npm)';
} else {
  const args = [gyp, 'rebuild', '--directory', join(root, 'native')];
  const res = spawnSync(process.execPath, args, { stdio: 'inherit', env: process.env });
  if (res.status !== 0) reason = `node-gyp exited with code ${res.status ?? res.signal}`;
}
if (reason) {
  mkdirSync(dirname(failureFile), { recursive: true });
  writeFileSync(failureFile, `${reason}\n`);
  console.warn(
    `\ncontrastive: the native addon could not be built (${reason}).\n` +
      'Everything still works on the slower pure-JavaScript cpu backend.\n' +
      'To rebuild: install python3, make and a C++17 compiler, then run `npm run build:addon` in the package folder.\n',
  );
} else {
  rmSync(failureFile, { force: true });
}
process.exit(0);
