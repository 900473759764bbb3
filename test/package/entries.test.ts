/**
 * The package's entries: `contrastive` is the pure library (no side effects at import, no `node:*`
 * module and no Node-only package anywhere in its static import graph, so a browser bundle can use
 * it); `contrastive/node` adds the native backend, files and runs; every method is exported.
 * Checked on the built dist/ (what the package ships).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Static imports and re-exports of an ES module's source (type-only ones are gone from JS). */
function staticImports(code: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[;\n])\s*(?:import|export)\s+(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]/g;
  for (const m of code.matchAll(re)) out.push(m[1]);
  return out;
}

/** Every module the entry reaches by static imports: our files and the packages they name. */
function graph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>(), packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files: [...files].map((f) => f.slice(dist.length + 1)), packages: [...packages] };
}

describe('package entries', () => {
  it('contrastive: no node:* module, no Node-only package and no side-effect module in the static import graph', () => {
    expect(existsSync(join(dist, 'index.js')), 'run npm run build first').toBe(true);
    const { files, packages } = graph(join(dist, 'index.js'));
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    expect(packages.filter((p) => p.startsWith('node:') || builtins.has(p.split('/')[0]))).toEqual([]);
    const nodeOnly = ['sharp', 'csv-parse', 'cli-progress', 'pngjs', '@resvg/resvg-js', 'commander', 'fashion-mnist', 'mnist'];
    expect(packages.filter((p) => nodeOnly.some((n) => p === n || p.startsWith(`${n}/`)))).toEqual([]);
    const sideEffects = (pkg.sideEffects as string[]).map((f) => f.replace(/^\.\/dist\//, ''));
    expect(files.filter((f) => sideEffects.includes(f))).toEqual([]);
    expect(files.length).toBeGreaterThan(50);
    // Nor a literal dynamic import, which bundlers follow too (Node-only modules are loaded by a computed specifier).
    const dynamic = files.filter((f) => /\bimport\(\s*['"`]/.test(readFileSync(join(dist, f), 'utf8')));
    expect(dynamic).toEqual([]);
  });

  it('importing contrastive registers no backend; contrastive/node registers native and exports the rest', () => {
    const script = `
      const tf = await import('@tensorflow/tfjs-core');
      const lib = await import(${JSON.stringify(join(dist, 'index.js'))});
      const before = [tf.findBackendFactory('native') != null, typeof lib.SimCLR, typeof lib.nativeBackendInfo];
      const node = await import(${JSON.stringify(join(dist, 'node.js'))});
      console.log(JSON.stringify({ before, after: tf.findBackendFactory('native') != null, info: node.nativeBackendInfo().available }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(out.before).toEqual([false, 'function', 'undefined']);
    expect(out.after).toBe(out.info);
  });

  it('exports every method, the registry, the data path and the ops from contrastive; files and runs from contrastive/node', async () => {
    const lib = await import('../../src/index.js');
    const methods = ['SimCLR', 'SupCon', 'Triplet', 'Siamese', 'MoCo', 'MoCoV3', 'BYOL', 'SimSiam', 'BarlowTwins', 'VICReg', 'NNCLR'];
    for (const name of methods) expect(typeof (lib as Record<string, unknown>)[name], name).toBe('function');
    expect(Object.keys(lib.METHODS).sort()).toEqual([...lib.METHOD_NAMES].sort());
    for (const name of ['DataLoader', 'Trainer', 'Encoder', 'embed', 'collateImages', 'collateVectors', 'imageSource', 'knnMonitor', 'memoryStore', 'Scarf']) {
      expect(typeof (lib as Record<string, unknown>)[name], name).toBe('function');
    }
    // The ops: contrastive's own fused kernels (registered lazily, at the first call).
    for (const name of ['batchNormTrain', 'stopGradient', 'nearestSupport', 'layerNorm', 'gelu', 'maskedSoftmax', 'headScores', 'headContext']) {
      expect(typeof (lib as Record<string, unknown>)[name], name).toBe('function');
    }
    const node = await import('../../src/node.js');
    for (const name of ['loadImageFolder', 'loadCsvTable', 'loadTextFile', 'loadMatrix', 'openData', 'loadEncoder', 'trainRun', 'evaluateRun', 'embedRun', 'progressBar', 'loadFashionMnist', 'nativeBackendInfo', 'SimCLR']) {
      expect(typeof (node as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('package.json: entries, LICENSE shipped, built-in data sets optional', () => {
    expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['.', './node', './report']));
    expect(pkg.files).toContain('LICENSE');
    expect(existsSync(join(root, 'LICENSE'))).toBe(true);
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    for (const name of ['fashion-mnist', 'mnist']) {
      expect(pkg.dependencies[name], name).toBeUndefined();
      expect(pkg.peerDependenciesMeta[name].optional).toBe(true);
      expect(pkg.devDependencies[name]).toBe(pkg.peerDependencies[name]);
    }
  });
});
