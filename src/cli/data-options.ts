/** The options every command takes to name its data: a built-in set (--dataset) or a path (--data). */
import { Command } from 'commander';
import { BUILTIN_DATASETS, type DataOptions } from '../data/registry.js';
import { UsageError } from '../util/usage-error.js';
import { integerList, oneOf } from './args.js';

export interface DataArgs {
  dataset?: string;
  data?: string;
  label?: string;
  imageSize?: number[];
  channels?: string;
}

export function withDataOptions(command: Command, what = 'data'): Command {
  return command
    .option('--dataset <name>', `built-in ${what}: ${Object.keys(BUILTIN_DATASETS).join(' or ')}`, oneOf(...Object.keys(BUILTIN_DATASETS)))
    .option('--data <path>', `your ${what}: a folder of PNG/JPEG images (one sub-folder per class, or none), a .csv/.tsv table, a .jsonl/.txt text file or a .npy/.f32 matrix`)
    .option('--label <column>', 'tables: the label column; JSONL: the label field')
    .option('--image-size <h,w>', 'image folders: resize every image to h x w (default: the most common size)', integerList(1))
    .option('--channels <n>', 'image folders: 1 (grayscale) or 3 (RGB) (default: 3 when any image has colour)', oneOf('1', '3'));
}

/** The data options of parsed arguments; `fallback` when neither --dataset nor --data is given. */
export function dataOptions(args: DataArgs, fallback?: string): DataOptions {
  if (args.dataset !== undefined && args.data !== undefined) throw new UsageError('data', `expected --dataset or --data, received both (--dataset ${args.dataset}, --data ${args.data})`);
  if (args.imageSize !== undefined && args.imageSize.length !== 2) throw new UsageError('imageSize', `expected two integers h,w, received ${args.imageSize.join(',')}`);
  const dataset = args.dataset ?? (args.data === undefined ? fallback : undefined);
  return {
    ...(dataset !== undefined ? { dataset } : {}), ...(args.data !== undefined ? { data: args.data } : {}),
    ...(args.label !== undefined ? { label: args.label } : {}),
    ...(args.imageSize ? { imageSize: [args.imageSize[0], args.imageSize[1]] as const } : {}),
    ...(args.channels ? { channels: Number(args.channels) as 1 | 3 } : {}),
  };
}
