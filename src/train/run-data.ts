/**
 * The data of a run, for `eval` and `embed`: what the user names (--dataset, --data), or else the
 * data the run was trained on (its run.json: the built-in set or the path, with the same label
 * column, image size and channels).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ItemSpec } from '../data/source.js';
import { openData, type DataOptions, type OpenedData } from '../data/registry.js';
import { UsageError } from '../util/usage-error.js';
import type { RunConfig } from './run.js';

/**
 * `input`: what the encoder reads. Another image folder is decoded at the encoder's size and
 * channels (sharp's antialiased resize, as for training), unless --image-size / --channels say else.
 */
export async function openRunData(given: DataOptions, config: RunConfig | undefined, input?: ItemSpec): Promise<OpenedData> {
  const sized = input?.kind === 'image' && given.data !== undefined && existsSync(given.data) && statSync(given.data).isDirectory()
    ? { imageSize: given.imageSize ?? ([input.height, input.width] as const), channels: given.channels ?? (input.channels === 3 ? 3 : 1) as 1 | 3 }
    : {};
  const opened = await open({ ...given, ...sized }, config);
  // The encoder reads items of its input's kind.
  const want = input ?? config?.input, got = opened.source.spec;
  if (want && (want.kind !== got.kind || (want.kind === 'vector' && got.kind === 'vector' && want.dim !== got.dim))) {
    const show = (s: typeof got) => (s.kind === 'vector' ? `rows of ${s.dim} numbers` : s.kind === 'image' ? 'images' : 'texts');
    throw new UsageError(given.data !== undefined ? 'data' : 'dataset', `expected ${show(want)} (what the run's encoder reads), received ${show(got)} in '${opened.name}'`);
  }
  return opened;
}

async function open(given: DataOptions, config: RunConfig | undefined): Promise<OpenedData> {
  if (given.data !== undefined && config?.data !== undefined && resolve(given.data) === resolve(config.data)) {
    // The run's own file: with the run's label column, image size and channels unless given.
    return openData({ ...runDataOptions(config), ...given });
  }
  if (given.dataset !== undefined || given.data !== undefined) return openData(given);
  if (!config) throw new UsageError('data', 'expected --dataset or --data (the run directory has no run.json naming its data), received neither');
  // The run's data, read as the run read it; data options given here still apply (and are refused where they do not).
  return openData({
    ...(config.data !== undefined ? { data: config.data } : { dataset: config.dataset }),
    ...runDataOptions(config),
    ...(given.label !== undefined ? { label: given.label } : {}),
    ...(given.imageSize !== undefined ? { imageSize: given.imageSize } : {}),
    ...(given.channels !== undefined ? { channels: given.channels } : {}),
    ...(given.onProgress ? { onProgress: given.onProgress } : {}),
  });
}

/** How the run read its data: label column, image size, channels. */
function runDataOptions(config: RunConfig): DataOptions {
  return {
    ...(config.label !== undefined ? { label: config.label } : {}),
    ...(config.imageSize !== undefined ? { imageSize: config.imageSize } : {}),
    ...(config.channels !== undefined ? { channels: config.channels } : {}),
  };
}
