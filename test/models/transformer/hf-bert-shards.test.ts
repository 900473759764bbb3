/**
 * A Hugging Face checkpoint saved in shards (model.safetensors.index.json + its shard files, what
 * save_pretrained(max_shard_size=...) writes) loads as the single-file one: the golden fixture
 * split into two shards gives the same outputs bit for bit; a damaged index or shard is one
 * DataError naming the file.
 */
import * as tf from '@tensorflow/tfjs-core';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../../src/backend/register.js';
import { DataError } from '../../../src/data/data-error.js';
import { applyModel } from '../../../src/models/apply-model.js';
import { loadHfBert } from '../../../src/models/transformer/hf-bert-file.js';
import { parseSafetensors, writeSafetensors } from '../../../src/models/transformer/safetensors.js';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'bert-tiny');
const golden = JSON.parse(readFileSync(join(FIXTURE, 'golden.json'), 'utf8')) as { input_ids: number[][]; attention_mask: number[][] };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The fixture as two shards (the first half of the tensors, the rest) and an index; `edit` may change the index. */
function sharded(edit: (map: Record<string, string>) => void = () => {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'hf-shards-'));
  dirs.push(dir);
  copyFileSync(join(FIXTURE, 'config.json'), join(dir, 'config.json'));
  const { tensors } = parseSafetensors(new Uint8Array(readFileSync(join(FIXTURE, 'model.safetensors'))));
  const names = [...tensors.keys()];
  const files = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  const map: Record<string, string> = {};
  names.forEach((n, i) => { map[n] = files[i < names.length / 2 ? 0 : 1]; });
  files.forEach((f) => {
    const part = new Map(names.filter((n) => map[n] === f).map((n) => {
      const t = tensors.get(n)!;
      return [n, { shape: t.shape, data: t.data as Float32Array }];
    }));
    writeFileSync(join(dir, f), writeSafetensors(part));
  });
  edit(map);
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: map }));
  return dir;
}

const outputs = (dir: string) => {
  const { model } = loadHfBert(dir, { pooling: 'none' });
  const ids = golden.input_ids, mask = golden.attention_mask;
  const y = tf.tidy(() => Array.from(applyModel(model, { input_ids: tf.tensor2d(ids, [ids.length, ids[0].length], 'int32'), attention_mask: tf.tensor2d(mask, [mask.length, mask[0].length], 'int32') }, false).dataSync()));
  model.dispose();
  return y;
};

describe('sharded safetensors checkpoints', () => {
  it('load as the single file does, bit for bit', () => {
    expect(outputs(sharded())).toEqual(outputs(FIXTURE));
  });

  it('refuse a shard that is missing or a tensor the index puts elsewhere, naming the file', () => {
    const gone = sharded((map) => { map[Object.keys(map)[0]] = 'model-00003-of-00002.safetensors'; });
    const missing = (() => { try { loadHfBert(gone); } catch (e) { return e as Error; } return null; })();
    expect(missing).toBeInstanceOf(DataError);
    expect(missing!.message).toMatch(/model-00003-of-00002\.safetensors: expected a shard named by model\.safetensors\.index\.json, found nothing at this path/);
    const moved = sharded((map) => { const first = Object.keys(map)[0]; map[first] = 'model-00002-of-00002.safetensors'; });
    const wrong = (() => { try { loadHfBert(moved); } catch (e) { return e as Error; } return null; })();
    expect(wrong!.message).toMatch(/model-00001-of-00002\.safetensors: expected only the tensors model\.safetensors\.index\.json assigns to model-00001-of-00002\.safetensors, found '.*' \(assigned to model-00002-of-00002\.safetensors\)/);
  });
});
