/**
 * One transformer encoder layer, as BERT's `BertLayer` (Devlin et al. 2018, arXiv:1810.04805),
 * with the pre-LN variant of Xiong et al. 2020 (arXiv:2002.04745) as an option:
 *
 * ```
 * post-LN (BERT):  a = LN1(x + drop(attn(x, mask)));   y = LN2(a + drop(ffn(a)))
 * pre-LN:          a = x + drop(attn(LN1(x), mask));   y = a + drop(ffn(LN2(a)))   (a final LN after the last layer)
 * ```
 *
 * `attn` is ./attention.ts (its probabilities dropped out too), `ffn` ./feed-forward.ts, LN
 * ./layer-norm.ts. One tfjs-layers layer per BertLayer, holding its 16 weights under BERT's names
 * (`attention.self.query.kernel`, ..., `output.LayerNorm.beta`; kernels [in, out], the transpose
 * of PyTorch's Linear.weight; in pre-LN, LN1 = attention.output.LayerNorm, LN2 = output.LayerNorm).
 *
 * Seeded dropout is ./dropout.ts; option checks ./options.ts.
 */
import { add, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { extendedAttentionMask, multiHeadSelfAttention } from './attention.js';
import { feedForward } from './feed-forward.js';
import { BERT_LAYER_NORM_EPS, layerNorm } from './layer-norm.js';
import { addLayerNorm } from '../../ops/add-layer-norm.js';
import { DropoutStream, deriveSeed } from './dropout.js';
import { checkInt, checkPositive, checkRate, checkSeed, kernelInitializer } from './options.js';

// ---------------------------------------------------------------------------------------------
// The layer

export type NormPlacement = 'post' | 'pre';

export interface TransformerEncoderLayerOptions {
  /** Width H of every token's vector (BERT's hidden_size). Required. */
  hiddenSize: number;
  /** Attention heads; must divide hiddenSize (num_attention_heads). Required. */
  numHeads: number;
  /** Width of the feed-forward block (intermediate_size). Required. */
  intermediateSize: number;
  /** Dropout after each sublayer (hidden_dropout_prob). Default 0.1. */
  hiddenDropout?: number;
  /** Dropout of the attention probabilities (attention_probs_dropout_prob). Default 0.1. */
  attentionDropout?: number;
  /** LayerNorm epsilon (layer_norm_eps). Default 1e-12. */
  layerNormEps?: number;
  /** Std of the truncated-normal kernel initialisation (initializer_range). Default 0.02. */
  initializerRange?: number;
  /** 'post' (BERT: LN after each residual) or 'pre' (LN before each sublayer). Default 'post'. */
  norm?: NormPlacement;
  /** Seed of the weights and of the dropout masks (unseeded when absent). */
  seed?: number;
  /** Layer name, e.g. 'encoder.layer.0'. */
  name?: string;
  trainable?: boolean;
}

type Kwargs = { training?: boolean };
type Dense = { kernel: LayerVariable; bias: LayerVariable };
type Norm = { gamma: LayerVariable; beta: LayerVariable };

/** One BertLayer: inputs [hidden [B, L, H] float32, attention_mask [B, L]], output [B, L, H]. */
export class TransformerEncoderLayer extends layers.Layer {
  static className = 'ContrastiveTransformerEncoderLayer';
  readonly hiddenSize: number;
  readonly numHeads: number;
  readonly intermediateSize: number;
  readonly hiddenDropout: number;
  readonly attentionDropout: number;
  readonly layerNormEps: number;
  readonly initializerRange: number;
  readonly norm: NormPlacement;
  readonly seed: number | undefined;
  /** Its dropout masks (their position is saved in checkpoints by the method: DropoutState). */
  readonly dropoutStream: DropoutStream;
  private w!: { query: Dense; key: Dense; value: Dense; attnOut: Dense; attnNorm: Norm; intermediate: Dense; output: Dense; outNorm: Norm };

  constructor(options: TransformerEncoderLayerOptions) {
    super({ name: options.name, trainable: options.trainable });
    const where = 'TransformerEncoderLayer';
    this.hiddenSize = checkInt(where, 'hiddenSize', options.hiddenSize, 1);
    this.numHeads = checkInt(where, 'numHeads', options.numHeads, 1);
    if (this.hiddenSize % this.numHeads !== 0) throw new Error(`${where}: hiddenSize must be divisible by numHeads ${this.numHeads}, received ${this.hiddenSize}`);
    this.intermediateSize = checkInt(where, 'intermediateSize', options.intermediateSize, 1);
    this.hiddenDropout = checkRate(where, 'hiddenDropout', options.hiddenDropout ?? 0.1);
    this.attentionDropout = checkRate(where, 'attentionDropout', options.attentionDropout ?? 0.1);
    this.layerNormEps = checkPositive(where, 'layerNormEps', options.layerNormEps ?? BERT_LAYER_NORM_EPS);
    this.initializerRange = checkPositive(where, 'initializerRange', options.initializerRange ?? 0.02);
    const norm = options.norm ?? 'post';
    if (norm !== 'post' && norm !== 'pre') throw new Error(`${where}: norm must be 'post' or 'pre', received ${JSON.stringify(norm)}`);
    this.norm = norm;
    this.seed = checkSeed(where, options.seed);
    this.dropoutStream = new DropoutStream(this.seed === undefined ? undefined : deriveSeed(this.seed, 1000));
  }

  override build(inputShape: (number | null)[] | (number | null)[][]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const H = this.hiddenSize, I = this.intermediateSize;
    if (shape.length !== 3 || (shape[2] !== null && shape[2] !== H)) {
      throw new Error(`TransformerEncoderLayer: the hidden input must be [batch, seqLen, ${H}], received [${shape}]`);
    }
    let k = 0;
    const dense = (name: string, din: number, dout: number): Dense => ({
      kernel: this.addWeight(`${name}.kernel`, [din, dout], 'float32', kernelInitializer(this.initializerRange, this.seed === undefined ? undefined : deriveSeed(this.seed, k++))),
      bias: this.addWeight(`${name}.bias`, [dout], 'float32', initializers.zeros()),
    });
    const norm = (name: string): Norm => ({
      gamma: this.addWeight(`${name}.gamma`, [H], 'float32', initializers.ones()),
      beta: this.addWeight(`${name}.beta`, [H], 'float32', initializers.zeros()),
    });
    const query = dense('attention.self.query', H, H);
    const key = dense('attention.self.key', H, H);
    const value = dense('attention.self.value', H, H);
    const attnOut = dense('attention.output.dense', H, H);
    const attnNorm = norm('attention.output.LayerNorm');
    const intermediate = dense('intermediate.dense', H, I);
    const output = dense('output.dense', I, H);
    const outNorm = norm('output.LayerNorm');
    this.w = { query, key, value, attnOut, attnNorm, intermediate, output, outNorm };
    this.built = true;
  }

  override computeOutputShape(inputShape: (number | null)[] | (number | null)[][]): (number | null)[] {
    return [...((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[])];
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) throw new Error('TransformerEncoderLayer: inputs must be [hidden [B, L, H], attention_mask [B, L]]');
    const [x, mask] = inputs;
    if (mask.rank !== 2 || mask.shape[0] !== x.shape[0] || mask.shape[1] !== x.shape[1]) {
      throw new Error(`TransformerEncoderLayer: attention_mask must be [${x.shape[0]}, ${x.shape[1]}] (the hidden input's batch and length), received [${mask.shape}]`);
    }
    const training = kwargs?.training === true;
    const w = this.w;
    const read = (d: Dense) => ({ kernel: d.kernel.read(), bias: d.bias.read() });
    const ln = (t: Tensor, n: Norm) => layerNorm(t, n.gamma.read(), n.beta.read(), this.layerNormEps);
    // LN(x + y): one kernel in inference (src/ops/add-layer-norm.ts), Add then LayerNorm when training
    const addLn = (t: Tensor, r: Tensor, n: Norm) => addLayerNorm(t, r, n.gamma.read(), n.beta.read(), this.layerNormEps);
    const drop = (t: Tensor, rate: number) => (training ? this.dropoutStream.apply(t, rate) : t);
    return tidy(() => {
      const m = extendedAttentionMask(mask); // [B, 1, 1, L]
      const attnW = { query: read(w.query), key: read(w.key), value: read(w.value), output: read(w.attnOut) };
      const ffnW = { intermediate: read(w.intermediate), output: read(w.output) };
      const dropProbs = training && this.attentionDropout > 0 ? (p: Tensor) => drop(p, this.attentionDropout) : undefined;
      const attn = (t: Tensor) => drop(multiHeadSelfAttention(t, m, attnW, this.numHeads, dropProbs), this.hiddenDropout);
      const ffn = (t: Tensor) => drop(feedForward(t, ffnW), this.hiddenDropout);
      const h = x; // [B, L, H]
      if (this.norm === 'post') {
        const a = addLn(h, attn(h), w.attnNorm); // [B, L, H]
        return addLn(a, ffn(a), w.outNorm);
      }
      const a = add(h, attn(ln(h, w.attnNorm)));
      return add(a, ffn(ln(a, w.outNorm)));
    });
  }

  override getConfig() {
    return {
      ...super.getConfig(),
      hiddenSize: this.hiddenSize,
      numHeads: this.numHeads,
      intermediateSize: this.intermediateSize,
      hiddenDropout: this.hiddenDropout,
      attentionDropout: this.attentionDropout,
      layerNormEps: this.layerNormEps,
      initializerRange: this.initializerRange,
      norm: this.norm,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}
