/**
 * The benchmark measures the package as users get it: the compiled dist/ (built by `npm ci` /
 * `npm run build`) and the addon built by node-gyp (`npm run build:addon`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const distIndex = new URL('../dist/node.js', import.meta.url);
const distAddon = new URL('../dist/backend/addon.js', import.meta.url);

function requireDist() {
  if (!existsSync(fileURLToPath(distIndex))) {
    throw new Error('dist/ is missing: run `npm run build` first (`npm ci` does it too)');
  }
}

/** The package's public API (importing it registers the `native` backend). */
export async function loadLibrary() {
  requireDist();
  return import(distIndex.href);
}

/** The raw addon (null when it did not load) and why it did not load. */
export async function loadAddon() {
  requireDist();
  const { addon, addonLoadError } = await import(distAddon.href);
  return { addon, addonLoadError };
}
