import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../../src/backend/register.js';
import { transformerPreset } from '../../../src/models/transformer/presets.js';
import { transformerEncoder, transformerParamCount } from '../../../src/models/transformer/transformer-encoder.js';

describe('transformer presets', () => {
  it('small: hidden 256, 4 layers, 4 heads, intermediate 1024, 128 positions: 3,192,832 weights besides the word table', async () => {
    const { transformerParamCount } = await import('../../../src/models/transformer/transformer-encoder.js');
    const o = transformerPreset('small', { vocabSize: 1000 });
    expect([o.hiddenSize, o.numLayers, o.numHeads, o.intermediateSize, o.maxPositions]).toEqual([256, 4, 4, 1024, 128]);
    // Per layer: attention 4 (H^2 + H), feed-forward 2 H I + I + H, two LayerNorms 4 H; plus positions, types and the embeddings' LayerNorm.
    const layer = 4 * (256 * 256 + 256) + 2 * 256 * 1024 + 1024 + 256 + 4 * 256;
    expect(transformerParamCount(o) - 1000 * 256).toBe(4 * layer + 128 * 256 + 2 * 256 + 2 * 256);
    expect(4 * layer + 128 * 256 + 2 * 256 + 2 * 256).toBe(3_192_832);
  });

  it('tiny: hidden 32, 2 layers, 2 heads, intermediate 64, 64 positions; needs the vocabulary size', () => {
    expect(() => transformerPreset('tiny')).toThrow(/transformerPreset\('tiny'\): vocabSize is required/);
    const o = transformerPreset('tiny', { vocabSize: 100, seed: 0 });
    expect(o).toEqual({ pooling: 'mean', hiddenSize: 32, numLayers: 2, numHeads: 2, intermediateSize: 64, maxPositions: 64, typeVocabSize: 2, vocabSize: 100, seed: 0 });
    tf.setBackend('native');
    const model = transformerEncoder(o);
    // embeddings (100 + 64 + 2) * 32 + 2 * 32 = 5376; a layer 4 (32^2 + 32) + (32 * 64 + 64) + (64 * 32 + 32) + 4 * 32 = 8544
    expect(model.countParams()).toBe(5376 + 2 * 8544);
    expect(transformerParamCount(o)).toBe(5376 + 2 * 8544);
    model.dispose();
    expect(() => transformerPreset('huge' as never)).toThrow(/name must be one of tiny, small, minilm-l6, received "huge"/);
  });

  it('minilm-l6: the dimensions of all-MiniLM-L6-v2, 22,565,376 parameters (22,713,216 with the pooler)', () => {
    // embeddings: (30522 + 512 + 2) * 384 + 2 * 384 (LayerNorm)            = 11,918,592
    // per layer:  4 * (384 * 384 + 384) attention (q, k, v, output)          =    591,360
    //             (384 * 1536 + 1536) + (1536 * 384 + 384) feed-forward     =  1,181,568
    //             2 LayerNorms * 2 * 384                                     =      1,536
    //             = 1,774,464; x 6 layers                                   = 10,646,784
    // total 22,565,376; BERT's pooler adds 384 * 384 + 384 = 147,840 -> 22,713,216 (the model card's 22.7M)
    const o = transformerPreset('minilm-l6');
    expect(o).toMatchObject({ vocabSize: 30522, hiddenSize: 384, numLayers: 6, numHeads: 12, intermediateSize: 1536, maxPositions: 512, typeVocabSize: 2, pooling: 'mean' });
    expect(transformerParamCount(o)).toBe(22_565_376);
    expect(transformerParamCount({ ...o, pooling: 'cls', pooler: true })).toBe(22_713_216);
    tf.setBackend('native');
    const before = tf.memory().numTensors;
    const model = transformerEncoder({ ...o, seed: 0 });
    expect(model.countParams()).toBe(22_565_376);
    expect(model.outputs[0].shape).toEqual([null, 384]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
