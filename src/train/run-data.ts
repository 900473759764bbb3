/**
 * The data of a run, for `eval` and `embed`: what the user names (--dataset, --data), or else the
 * data the run was trained on (its run.json: the built-in set or the path, with the same label
 * column, image size and channels).
 */
import { openData, type DataOptions, type OpenedData } from '../data/registry.js';
import { UsageError } from '../util/usage-error.js';
import type { RunConfig } from './run.js';

export async function openRunData(given: DataOptions, config: RunConfig | undefined): Promise<OpenedData> {
  if (given.dataset !== undefined || given.data !== undefined) return openData(given);
  if (!config) throw new UsageError('data', 'expected --dataset or --data (the run directory has no run.json naming its data), received neither');
  return openData({
    ...(config.data !== undefined ? { data: config.data } : { dataset: config.dataset }),
    ...(config.label !== undefined ? { label: config.label } : {}),
    ...(config.imageSize !== undefined ? { imageSize: config.imageSize } : {}),
    ...(config.channels !== undefined ? { channels: config.channels } : {}),
    ...(given.onProgress ? { onProgress: given.onProgress } : {}),
  });
}
