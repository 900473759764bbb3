/**
 * `contrastive embed`: the encoder's vectors of every image of a data set: FILE holds the float32
 * matrix (rows x dim, little-endian, row-major), FILE.json its metadata (dim, labels, ids, which
 * split each row belongs to). Both are written to temporary files and renamed: nothing half-written.
 * With `--whiten` the rows are PCA-whitened (whitening.ts) by a whitening fitted on the training
 * split's rows without labels, and FILE.json also holds that whitening (mean, matrix) so that new
 * vectors of the same encoder can be whitened the same way: `(x - mean) matrix`.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { stratifiedSplit } from '../../data/split.js';
import { embedDataset } from '../../embed/embed-dataset.js';
import { fitWhitening, type Whitening } from '../../eval/whitening.js';
import { oneOf } from '../args.js';
import { loadDataset, restoreMethod, type DatasetName } from '../run-config.js';

export function embedCommand(): Command {
  return new Command('embed')
    .description('write the embeddings of every image of a data set (float32 matrix + JSON metadata)')
    .requiredOption('--checkpoint <dir>', 'run directory written by contrastive train')
    .option('--dataset <name>', 'fashion-mnist or mnist', oneOf('fashion-mnist', 'mnist'), 'fashion-mnist')
    .requiredOption('--out <file>', 'output file (its metadata goes to <file>.json)')
    .option('--whiten', 'PCA-whiten the rows (Ledoit-Wolf shrinkage, fitted on the training split without labels); the whitening goes into the metadata')
    .action((args: { checkpoint: string; dataset: DatasetName; out: string; whiten?: boolean }) => {
      const data = loadDataset(args.dataset);
      const method = restoreMethod(args.checkpoint, data);
      let e = embedDataset(data, (x) => method.embed(x));
      method.dispose();
      const split = stratifiedSplit(data.labels);
      let whitening: Whitening | undefined;
      if (args.whiten) {
        const rows = new Float32Array(split.train.length * e.dim);
        split.train.forEach((r, i) => rows.set(e.values.subarray(r * e.dim, (r + 1) * e.dim), i * e.dim));
        whitening = fitWhitening({ values: rows, dim: e.dim });
        e = whitening.transform(e);
      }
      const which = new Array<string>(data.size).fill('train');
      for (const i of split.test) which[i] = 'test';
      const meta = {
        rows: data.size, dim: e.dim, dtype: 'float32', byteOrder: 'little-endian', layout: 'row-major',
        dataset: data.name, classNames: data.classNames, labels: Array.from(data.labels), ids: Array.from(data.ids), split: which,
        checkpoint: args.checkpoint,
        ...(whitening ? {
          whitening: {
            fittedOn: 'train', shrinkage: whitening.shrinkage, mean: Array.from(whitening.mean),
            matrix: Array.from(whitening.matrix), layout: 'row-major [dim, dim]: whitened = (x - mean) matrix',
          },
        } : {}),
      };
      const tmp = `.tmp-${process.pid}`;
      writeFileSync(args.out + tmp, new Uint8Array(e.values.buffer, e.values.byteOffset, e.values.byteLength));
      writeFileSync(`${args.out}.json${tmp}`, JSON.stringify(meta));
      renameSync(args.out + tmp, args.out);
      renameSync(`${args.out}.json${tmp}`, `${args.out}.json`);
      process.stderr.write(`wrote ${data.size} x ${e.dim} float32 to ${args.out} (+ ${args.out}.json)\n`);
    });
}
