/**
 * Token embeddings, as BERT's `BertEmbeddings`: word + absolute position (+ token type 0)
 * embeddings, summed, then LayerNorm and dropout. input_ids [B, L] int32 -> [B, L, H].
 *
 * Positions are 0..L-1 for every row (BERT pads on the right); the token type is 0 for every token
 * (one-segment input, what sentence embedding models feed), so its row 0 is added and the other
 * rows exist only to hold a loaded checkpoint's table (typeVocabSize 0 drops the table). Weights
 * under BERT's names: `word_embeddings` [V, H], `position_embeddings` [P, H],
 * `token_type_embeddings` [T, H], `LayerNorm.gamma` / `LayerNorm.beta` [H]; tables initialised
 * with a truncated normal of std initializerRange.
 */
import { add, cast, gather, slice, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { deriveSeed, DropoutStream } from './dropout.js';
import { checkInt, checkPositive, checkRate, checkSeed, kernelInitializer } from './options.js';
import { BERT_LAYER_NORM_EPS, layerNorm } from './layer-norm.js';

export interface TokenEmbeddingsOptions {
  /** Rows of the word table (the tokenizer's vocabulary size, vocab_size). Required. */
  vocabSize: number;
  /** Width H (hidden_size). Required. */
  hiddenSize: number;
  /** Longest sequence (max_position_embeddings). Required. */
  maxPositions: number;
  /** Rows of the token-type table (type_vocab_size); 0: no table. Default 2. */
  typeVocabSize?: number;
  /** LayerNorm epsilon (layer_norm_eps). Default 1e-12. */
  layerNormEps?: number;
  /** Dropout after the LayerNorm (hidden_dropout_prob). Default 0.1. */
  hiddenDropout?: number;
  /** Std of the truncated-normal table initialisation (initializer_range). Default 0.02. */
  initializerRange?: number;
  /** Seed of the tables and of the dropout masks (unseeded when absent). */
  seed?: number;
  /** Layer name. Default 'embeddings' in transformerEncoder. */
  name?: string;
  trainable?: boolean;
}

type Kwargs = { training?: boolean };

/** BertEmbeddings as a tfjs-layers layer: input_ids [B, L] -> [B, L, H]. */
export class TokenEmbeddings extends layers.Layer {
  static className = 'ContrastiveTokenEmbeddings';
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly maxPositions: number;
  readonly typeVocabSize: number;
  readonly layerNormEps: number;
  readonly hiddenDropout: number;
  readonly initializerRange: number;
  readonly seed: number | undefined;
  /** Its dropout masks (their position is saved in checkpoints by the method: DropoutState). */
  readonly dropoutStream: DropoutStream;
  private word!: LayerVariable;
  private position!: LayerVariable;
  private tokenType: LayerVariable | null = null;
  private gamma!: LayerVariable;
  private beta!: LayerVariable;

  constructor(options: TokenEmbeddingsOptions) {
    super({ name: options.name, trainable: options.trainable });
    const where = 'TokenEmbeddings';
    this.vocabSize = checkInt(where, 'vocabSize', options.vocabSize, 1);
    this.hiddenSize = checkInt(where, 'hiddenSize', options.hiddenSize, 1);
    this.maxPositions = checkInt(where, 'maxPositions', options.maxPositions, 1);
    this.typeVocabSize = checkInt(where, 'typeVocabSize', options.typeVocabSize ?? 2, 0);
    this.layerNormEps = checkPositive(where, 'layerNormEps', options.layerNormEps ?? BERT_LAYER_NORM_EPS);
    this.hiddenDropout = checkRate(where, 'hiddenDropout', options.hiddenDropout ?? 0.1);
    this.initializerRange = checkPositive(where, 'initializerRange', options.initializerRange ?? 0.02);
    this.seed = checkSeed(where, options.seed);
    this.dropoutStream = new DropoutStream(this.seed === undefined ? undefined : deriveSeed(this.seed, 1000));
  }

  override build(): void {
    const H = this.hiddenSize;
    const init = (k: number) => kernelInitializer(this.initializerRange, this.seed === undefined ? undefined : deriveSeed(this.seed, k));
    this.word = this.addWeight('word_embeddings', [this.vocabSize, H], 'float32', init(0));
    this.position = this.addWeight('position_embeddings', [this.maxPositions, H], 'float32', init(1));
    if (this.typeVocabSize > 0) this.tokenType = this.addWeight('token_type_embeddings', [this.typeVocabSize, H], 'float32', init(2));
    this.gamma = this.addWeight('LayerNorm.gamma', [H], 'float32', initializers.ones());
    this.beta = this.addWeight('LayerNorm.beta', [H], 'float32', initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: (number | null)[] | (number | null)[][]): (number | null)[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    return [shape[0], shape[1], this.hiddenSize];
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const ids = Array.isArray(inputs) ? inputs[0] : inputs;
    if (ids.rank !== 2) throw new Error(`TokenEmbeddings: input_ids must be [batch, seqLen], received [${ids.shape}]`);
    const L = (ids.shape as number[])[1], H = this.hiddenSize;
    if (L > this.maxPositions) throw new Error(`TokenEmbeddings: sequences must be at most maxPositions = ${this.maxPositions} tokens, received ${L}`);
    const training = kwargs?.training === true;
    return tidy(() => {
      const word = gather(this.word.read(), ids.dtype === 'int32' ? ids : cast(ids, 'int32')); // [B, L, H]
      let pos = slice(this.position.read(), [0, 0], [L, H]); // [L, H]
      if (this.tokenType) pos = add(pos, slice(this.tokenType.read(), [0, 0], [1, H])); // + token type 0
      const e = layerNorm(add(word, pos), this.gamma.read(), this.beta.read(), this.layerNormEps);
      return training ? this.dropoutStream.apply(e, this.hiddenDropout) : e;
    });
  }

  override getConfig() {
    return {
      ...super.getConfig(),
      vocabSize: this.vocabSize,
      hiddenSize: this.hiddenSize,
      maxPositions: this.maxPositions,
      typeVocabSize: this.typeVocabSize,
      layerNormEps: this.layerNormEps,
      hiddenDropout: this.hiddenDropout,
      initializerRange: this.initializerRange,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}
