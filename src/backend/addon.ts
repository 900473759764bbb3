/**
 * Loads the C++ addon of the `native` backend (built by node-gyp at `npm install`). If it cannot be
 * loaded, `addon` is null and one warning says why and how to rebuild; the library then runs on
 * tfjs's pure-JavaScript `cpu` backend.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Activation codes shared with native/src/gemm.h (enum class Act). */
export const enum ActCode {
  None = 0,
  Relu = 1,
  Relu6 = 2,
  LeakyRelu = 3,
  Elu = 4,
  Sigmoid = 5,
  Prelu = 6,
}

type F32 = Float32Array;

/** The raw-buffer functions the addon exports. Inputs are never written; outputs are preallocated. */
export interface NativeAddon {
  getThreads(): number;
  setThreads(n: number): void;
  kernelName(): string;
  setKernel(name: string): boolean;
  /** out[batch, M, N] = act(a[batchA] x b[batchB] + bias); batchA, batchB equal or 1. */
  matmul(
    a: F32, b: F32, out: F32, batchA: number, batchB: number, M: number, N: number, K: number,
    transposeA: boolean, transposeB: boolean, bias: F32 | null, act: ActCode, alpha: number, prelu: F32 | null,
  ): void;
  /** Measured fp32 FMA throughput of all pool threads together, in GFLOP/s, over about `seconds`. */
  peakGflops(seconds: number): number;
  /** Instruction set of the peakGflops probe: 'avx512', 'avx2' or 'generic'. */
  peakIsa(): string;
  [name: string]: unknown;
}

const here = dirname(fileURLToPath(import.meta.url));
// dist/backend/ or src/backend/ -> package root.
const root = join(here, '..', '..');
const addonPath = join(root, 'native', 'build', 'Release', 'contrastive_native.node');

function load(): { addon: NativeAddon | null; reason: string | null } {
  if (process.env.CONTRASTIVE_BACKEND === 'cpu') return { addon: null, reason: 'CONTRASTIVE_BACKEND=cpu' };
  if (!existsSync(addonPath)) {
    const failed = join(root, 'native', 'build', 'FAILED.txt');
    const why = existsSync(failed) ? readFileSync(failed, 'utf8').trim() : 'it was not built';
    return { addon: null, reason: `${addonPath} is missing (${why})` };
  }
  try {
    const require = createRequire(import.meta.url);
    return { addon: require(addonPath) as NativeAddon, reason: null };
  } catch (e) {
    return { addon: null, reason: `loading ${addonPath} failed: ${(e as Error).message}` };
  }
}

const loaded = load();

/** The addon, or null when it could not be loaded (see `addonLoadError`). */
export const addon: NativeAddon | null = loaded.addon;
/** Why the addon is not available, or null when it is. */
export const addonLoadError: string | null = loaded.reason;

let warned = false;
/** Prints the one warning about the missing addon (once per process). */
export function warnAddonMissing(): void {
  if (warned || addon || process.env.CONTRASTIVE_BACKEND === 'cpu') return;
  warned = true;
  console.warn(
    `contrastive: the native backend is unavailable, ${addonLoadError}. ` +
      'Falling back to the pure-JavaScript cpu backend (10-300x slower). ' +
      'To rebuild it: `npm run build:addon` in the contrastive package folder (needs python3, make and a C++17 compiler).',
  );
}
