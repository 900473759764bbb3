/**
 * The README's examples run: every ```ts block of README.md, in order, as a module importing the
 * package's source, shrunk by the substitutions below (fewer items and epochs, paths in a temporary
 * folder; the files the examples name are made here). A substitution that no longer matches fails
 * the test, so a README example cannot change without this test seeing it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/util/random.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'test', '.readme');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
afterAll(() => rmSync(work, { recursive: true, force: true }));
const T = (p: string) => JSON.stringify(join(work, p));

/** Per block (in README order): [from, to] replacements, each of which must match. */
const shrink: [string, string][][] = [
  [], // the native backend
  [
    ['subset(data, split.train), test = subset(data, split.test)', 'subset(data, split.train.filter((_, i) => i % 100 === 0)), test = subset(data, split.test.filter((_, i) => i % 40 === 0))'],
    ['monitorItems(split.train, split.test, data.labels)', 'monitorItems(split.train.filter((_, i) => i % 100 === 0), split.test.filter((_, i) => i % 40 === 0), data.labels)'],
    ["epochs: 15, batchSize: 256, checkpointDir: 'runs/mine'", `epochs: 1, batchSize: 128, checkpointDir: ${T('mine')}`],
  ],
  [["'wine.csv'", T('wine.csv')], ['epochs: 50', 'epochs: 2']],
  [
    ["data: 'photos/', epochs: 15, out: 'runs/photos'", `data: ${T('photos')}, epochs: 1, batchSize: 16, widths: [4, 8], pooling: 'global-average', out: ${T('runs/photos')}`],
    ["'runs/photos/vectors.f32'", T('runs/photos/vectors.f32')],
  ],
  [["'runs/photos/encoder'", T('runs/photos/encoder')], ["'cat.jpg'", T('cat.jpg')], ["'exported/photos-encoder'", T('exported/photos-encoder')]],
  [['stratifiedSplit(data.labels).train)', 'stratifiedSplit(data.labels).train.filter((_, i) => i % 100 === 0))'], ['{ m: 32, batchSize: 256 }', '{ m: 32, batchSize: 128 }'], ['epochs: 5, sampler', 'epochs: 1, batchSize: 128, sampler']],
  [['const train = loadFashionMnist();', 'const train = (await import(SRC)).subset(loadFashionMnist(), Array.from({ length: 300 }, (_, i) => i * 200));'], ['epochs: 15', 'epochs: 1']],
  [['epochs: 10, batchSize: 16', 'epochs: 2, batchSize: 16']],
  [
    ['subset(data, split.train), test = subset(data, split.test)', 'subset(data, split.train.filter((_, i) => i % 100 === 0)), test = subset(data, split.test.filter((_, i) => i % 40 === 0))'],
    ["'runs/fashion-mnist-simclr-cnn/encoder'", T('mine/encoder')],
  ],
];

/** The files the examples read: a table, a folder of small RGB pictures in 3 classes, a photo. */
async function makeFiles(): Promise<void> {
  const rng = new Rng(7);
  const lines = ['alcohol,acid,ash,colour,class'];
  for (let i = 0; i < 120; i++) {
    const c = i % 3;
    lines.push([13 + c + rng.next(), 2 + 0.5 * c + rng.next(), 2.3 + rng.next() * 0.2, 3 + 2 * c + rng.next(), `k${c}`].join(','));
  }
  writeFileSync(join(work, 'wine.csv'), `${lines.join('\n')}\n`);
  for (let c = 0; c < 3; c++) {
    const dir = join(work, 'photos', `class-${c}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 16; i++) {
      const px = Buffer.alloc(32 * 32 * 3);
      for (let p = 0; p < 32 * 32; p++) for (let k = 0; k < 3; k++) px[p * 3 + k] = k === c ? 150 + Math.floor(100 * rng.next()) : Math.floor(80 * rng.next());
      await sharp(px, { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(join(dir, `${i}.png`));
    }
  }
  const cat = Buffer.alloc(60 * 80 * 3).map(() => Math.floor(256 * rng.next()));
  await sharp(cat, { raw: { width: 80, height: 60, channels: 3 } }).jpeg().toFile(join(work, 'cat.jpg'));
}

const blocks = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

describe('README examples', () => {
  it('has the blocks this test knows', () => {
    expect(blocks).toHaveLength(shrink.length);
  });

  it('runs every ts block, shrunk, in order', async () => {
    await makeFiles();
    const src = '../../src/node.js'; // relative to test/.readme, where the blocks are written
    const log = console.log;
    console.log = () => {}; // the examples print their results
    try {
      for (const [i, block] of blocks.entries()) {
        let code = block;
        for (const [from, to] of shrink[i]) {
          expect(code.includes(from), `README block ${i + 1} no longer contains ${from}`).toBe(true);
          code = code.split(from).join(to);
        }
        code = code
          .replaceAll("from 'contrastive/node'", `from ${JSON.stringify(src)}`)
          .replaceAll("from 'contrastive/report'", "from '../../src/report/index.js'")
          .replaceAll("from 'contrastive'", "from '../../src/index.js'")
          .replaceAll('import(SRC)', `import(${JSON.stringify(src)})`);
        const file = join(work, `block-${i + 1}.ts`);
        writeFileSync(file, `${code}\nexport {};\n`);
        await import(/* @vite-ignore */ pathToFileURL(file).href);
      }
    } finally {
      console.log = log;
    }
  }, 300_000);
});
