/**
 * Named sizes of the transformer encoder:
 *
 * - `tiny`: hidden 32, 2 layers, 2 heads, intermediate 64, 64 positions; the vocabulary is the
 *   tokenizer's (`vocabSize` is required). For tests and smoke runs: trains in seconds on a CPU.
 * - `minilm-l6`: the dimensions of sentence-transformers/all-MiniLM-L6-v2 (and its base
 *   nreimers/MiniLM-L6-H384-uncased, Wang et al. 2020, arXiv:2002.10957): hidden 384, 6 layers,
 *   12 heads of 32, intermediate 1536, 512 positions, BERT's uncased vocabulary of 30522, 2 token
 *   types: 22.57M parameters without the pooler, 22.71M with it (the "22.7M" of the model card).
 *
 * Both keep BERT's post-LN, GELU, LayerNorm eps 1e-12, dropout 0.1, initializer range 0.02 and
 * mean pooling; any option can be overridden.
 */
import type { TransformerEncoderOptions } from './transformer-encoder.js';

export const TRANSFORMER_PRESET_NAMES = ['tiny', 'minilm-l6'] as const;
export type TransformerPresetName = (typeof TRANSFORMER_PRESET_NAMES)[number];

const PRESETS: Record<TransformerPresetName, TransformerEncoderOptions> = {
  tiny: { hiddenSize: 32, numLayers: 2, numHeads: 2, intermediateSize: 64, maxPositions: 64, typeVocabSize: 2 },
  'minilm-l6': { vocabSize: 30522, hiddenSize: 384, numLayers: 6, numHeads: 12, intermediateSize: 1536, maxPositions: 512, typeVocabSize: 2 },
};

/**
 * The options of preset `name` with `overrides` on top (a fresh object), e.g.
 * `transformerEncoder(transformerPreset('tiny', { vocabSize: tokenizer.vocabSize, seed: 0 }))`.
 * 'tiny' requires vocabSize.
 */
export function transformerPreset(name: TransformerPresetName, overrides: TransformerEncoderOptions = {}): TransformerEncoderOptions {
  if (!TRANSFORMER_PRESET_NAMES.includes(name)) {
    throw new Error(`transformerPreset: name must be one of ${TRANSFORMER_PRESET_NAMES.join(', ')}, received ${JSON.stringify(name)}`);
  }
  const options: TransformerEncoderOptions = { pooling: 'mean', ...PRESETS[name], ...overrides };
  if (options.vocabSize === undefined) {
    throw new Error(`transformerPreset('${name}'): vocabSize is required (the tokenizer's vocabulary size), received undefined`);
  }
  return options;
}
