/**
 * Named sizes of the transformer encoder:
 *
 * - `tiny`: hidden 32, 2 layers, 2 heads, intermediate 64, 64 positions; the vocabulary is the
 *   tokenizer's (`vocabSize` is required). For tests and smoke runs: trains in seconds on a CPU.
 * - `small`: hidden 256, 4 layers, 4 heads of 64, intermediate 1024, 128 positions (BERT-mini's
 *   shape, Turc et al. 2019, "Well-Read Students Learn Better", arXiv:1908.08962, with BERT-small's
 *   width); the vocabulary is the tokenizer's. What `contrastive train` builds for texts from
 *   scratch: about 3.2M weights besides the word table, a training step of 64 texts of 64 tokens
 *   in well under a second on two cores.
 * - `minilm-l6`: the dimensions of sentence-transformers/all-MiniLM-L6-v2 (and its base
 *   nreimers/MiniLM-L6-H384-uncased, Wang et al. 2020, arXiv:2002.10957): hidden 384, 6 layers,
 *   12 heads of 32, intermediate 1536, 512 positions, BERT's uncased vocabulary of 30522, 2 token
 *   types: 22.57M parameters without the pooler, 22.71M with it (the "22.7M" of the model card).
 *
 * Both keep BERT's post-LN, GELU, LayerNorm eps 1e-12, dropout 0.1, initializer range 0.02 and
 * mean pooling; any option can be overridden.
 */
import type { TransformerEncoderOptions } from './transformer-encoder.js';

export const TRANSFORMER_PRESET_NAMES = ['tiny', 'small', 'minilm-l6'] as const;
export type TransformerPresetName = (typeof TRANSFORMER_PRESET_NAMES)[number];

const PRESETS: Record<TransformerPresetName, TransformerEncoderOptions> = {
  tiny: { hiddenSize: 32, numLayers: 2, numHeads: 2, intermediateSize: 64, maxPositions: 64, typeVocabSize: 2 },
  small: { hiddenSize: 256, numLayers: 4, numHeads: 4, intermediateSize: 1024, maxPositions: 128, typeVocabSize: 2 },
  'minilm-l6': { vocabSize: 30522, hiddenSize: 384, numLayers: 6, numHeads: 12, intermediateSize: 1536, maxPositions: 512, typeVocabSize: 2 },
};

/**
 * The options of preset `name` with `overrides` on top (a fresh object), e.g.
 * `transformerEncoder(transformerPreset('tiny', { vocabSize: tokenizer.vocabSize, seed: 0 }))`.
 * 'tiny' and 'small' require vocabSize.
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
