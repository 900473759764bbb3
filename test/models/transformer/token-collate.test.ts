/**
 * collateTokens: texts -> named int32 tensors { input_ids, attention_mask, token_type_ids? } [N, L],
 * equal to the tokenizer's encodeBatch, usable as a DataLoader's collate, and leaking no tensor.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../../src/backend/register.js';
import { DataLoader } from '../../../src/data/loader.js';
import { disposeBatch, isTensor, viewTensors, type NamedTensors } from '../../../src/data/batch.js';
import type { Source } from '../../../src/data/source.js';
import { identityViews } from '../../../src/augment/view-transform.js';
import { Tokenizer } from '../../../src/models/transformer/tokenizer.js';
import { collateTokens } from '../../../src/models/transformer/token-collate.js';
import { wordPieceTokenizerJSON } from '../../../src/models/transformer/wordpiece-vocab.js';

/** [PAD] [UNK] [CLS] [SEP] [MASK] = 0-4, the 5, cat 6, sat 7, a 8, dog 9, . 10 */
const tok = () => Tokenizer.fromJSON(wordPieceTokenizerJSON(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'cat', 'sat', 'a', 'dog', '.']));

async function values(t: tf.Tensor): Promise<number[][]> {
  return (await t.array()) as number[][];
}

describe('collateTokens', () => {
  it('input_ids and attention_mask: int32 [N, L], padded to the longest row', async () => {
    const before = tf.memory().numTensors;
    const out = collateTokens(tok())(['the cat sat.', 'a dog']) as NamedTensors;
    expect(Object.keys(out).sort()).toEqual(['attention_mask', 'input_ids']);
    for (const t of Object.values(out)) {
      expect(t.dtype).toBe('int32');
      expect(t.shape).toEqual([2, 6]);
    }
    // [CLS] the cat sat . [SEP] / [CLS] a dog [SEP] [PAD] [PAD]
    expect(await values(out.input_ids)).toEqual([[2, 5, 6, 7, 10, 3], [2, 8, 9, 3, 0, 0]]);
    expect(await values(out.attention_mask)).toEqual([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]]);
    tf.dispose(Object.values(out));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('token_type_ids when asked; pairs; max_length padding and truncation', async () => {
    const collate = collateTokens(tok(), { maxLength: 6, padding: 'max_length', typeIds: true });
    const out = collate([['the cat', 'a dog'], 'the']) as NamedTensors;
    expect(Object.keys(out).sort()).toEqual(['attention_mask', 'input_ids', 'token_type_ids']);
    expect(out.token_type_ids.dtype).toBe('int32');
    // pair: budget 6 - 3 = 3 for 2 + 2 tokens -> 1 + 2
    expect(await values(out.input_ids)).toEqual([[2, 5, 3, 8, 9, 3], [2, 5, 3, 0, 0, 0]]);
    expect(await values(out.attention_mask)).toEqual([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]]);
    expect(await values(out.token_type_ids)).toEqual([[0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 0, 0]]);
    tf.dispose(Object.values(out));
  });

  it('equals encodeBatch for the same options', async () => {
    const t = tok();
    const texts = ['the cat sat.', 'a dog', 'the the the the the the the the'];
    const b = t.encodeBatch(texts, { maxLength: 7 });
    const out = collateTokens(t, { maxLength: 7, typeIds: true })(texts) as NamedTensors;
    expect(out.input_ids.shape).toEqual([b.n, b.length]);
    expect(Array.from(await out.input_ids.data())).toEqual(Array.from(b.ids));
    expect(Array.from(await out.attention_mask.data())).toEqual(Array.from(b.attentionMask));
    expect(Array.from(await out.token_type_ids.data())).toEqual(Array.from(b.typeIds));
    tf.dispose(Object.values(out));
  });

  it('plugs into a DataLoader: two views of N texts, named tensors per view, nothing leaked', async () => {
    const texts = ['the cat', 'a dog sat', 'the dog', 'a cat sat.'];
    const source: Source<string> = { name: 'texts', size: texts.length, spec: { kind: 'text' }, item: (i) => texts[i], id: (i) => `line ${i + 1}` };
    const loader = new DataLoader({ source, views: identityViews<string>(2), collate: collateTokens(tok(), { maxLength: 8 }) });
    const before = tf.memory().numTensors;
    const batch = loader.batch([3, 0, 1], 7);
    expect(batch.size).toBe(3);
    expect(batch.views.length).toBe(2);
    for (const v of batch.views) {
      expect(isTensor(v)).toBe(false);
      expect(viewTensors(v).map((t) => t.shape)).toEqual([[3, 6], [3, 6]]);
    }
    expect(await values((batch.views[0] as NamedTensors).input_ids)).toEqual([[2, 8, 6, 7, 10, 3], [2, 5, 6, 3, 0, 0], [2, 8, 9, 7, 3, 0]]);
    disposeBatch(batch);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('checks its arguments once, when made, and refuses an empty batch', () => {
    const t = tok();
    expect(() => collateTokens({} as never)).toThrow('collateTokens: tokenizer must be a Tokenizer, received an object');
    expect(() => collateTokens(t, { maxLength: 0 })).toThrow('collateTokens: maxLength must be an integer >= 1, received 0');
    expect(() => collateTokens(t, { padding: 'right' as never })).toThrow(`collateTokens: padding must be 'longest' or 'max_length', received "right"`);
    expect(() => collateTokens(t, { typeIds: 'yes' as never })).toThrow('collateTokens: typeIds must be a boolean, received "yes"');
    expect(() => collateTokens(t, { maxLen: 8 } as never)).toThrow("collateTokens: unknown option 'maxLen' (options: maxLength, padding, truncation, typeIds)");
    const before = tf.memory().numTensors;
    expect(() => collateTokens(t)([])).toThrow('collateTokens: expected at least one text, received an array of length 0');
    expect(() => collateTokens(t)(['a', 5 as never])).toThrow('Tokenizer.encodeBatch: inputs[1] must be a string or a [string, string] pair, received 5');
    expect(tf.memory().numTensors).toBe(before);
  });
});
