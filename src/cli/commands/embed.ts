/**
 * `contrastive embed`: `embedRun` (a run's encoder over every item of the data, float32 matrix (raw,
 * or .npy when the file name ends in .npy) + JSON metadata with its checksum, written as a pair).
 */
import { Command } from 'commander';
import { embedRun } from '../../train/embed-run.js';
import { integer, oneOf } from '../args.js';
import { dataOptions, withDataOptions, type DataArgs } from '../data-options.js';
import { phaseProgress } from '../progress.js';

interface EmbedArgs extends DataArgs {
  checkpoint: string;
  out: string;
  whiten?: boolean;
  limit?: number;
  seed?: number;
  longText?: 'truncate' | 'windows';
  stride?: number;
}

export function embedCommand(): Command {
  const command = new Command('embed')
    .description('write the embeddings of every item of the data (float32 matrix + JSON metadata)')
    .requiredOption('--checkpoint <dir>', 'run directory written by contrastive train (or by the library\'s Trainer), or a saved encoder');
  withDataOptions(command, 'data (default: the run\'s own)')
    .requiredOption('--out <file>', 'output file: raw float32, or a NumPy .npy file when it ends in .npy (its metadata, with its CRC-32, goes to <file>.json)')
    .option('--limit <n>', 'only the seeded sample of n training items (the one train --limit n trains on) and n/6 held-out items', integer(2))
    .option('--seed <n>', 'seed of the --limit sample (default: the run\'s)', integer(0))
    .option('--long-text <mode>', 'texts longer than the encoder reads: truncate (its first max-length tokens) or windows (all of it: the token-weighted mean of windows of max-length tokens)', oneOf('truncate', 'windows'))
    .option('--stride <n>', 'with --long-text windows: tokens between window starts (default: a window\'s length, no overlap)', integer(1))
    .option('--whiten', 'PCA-whiten the rows (Ledoit-Wolf shrinkage, fitted on the training split without labels); the whitening goes into the metadata')
    .action(async (args: EmbedArgs) => {
      const progress = phaseProgress();
      const r = await embedRun({
        ...dataOptions(args), checkpoint: args.checkpoint, out: args.out, limit: args.limit, seed: args.seed, whiten: Boolean(args.whiten),
        longText: args.longText, stride: args.stride,
        onEmbedProgress: progress.phase('embed'),
      });
      progress.stop();
      process.stderr.write(`wrote ${r.rows} x ${r.dim} float32 to ${r.out} (+ ${r.out}.json)\n`);
    });
  return command;
}
