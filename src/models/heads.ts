/**
 * Projection heads from block lists, as lightly's `ProjectionHead` (lightly/models/modules/heads.py):
 * each block is [inDim, outDim, batchNorm?, activation?]: a dense layer (no bias when batch norm
 * follows, as there), then optional batch norm, then optional activation. `batchNorm: 'no-affine'`
 * is batch norm without learned scale and offset (PyTorch's `BatchNorm1d(d, affine=False)`, the
 * output layer of SimSiam's projector and MoCo v3's MLPs).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { BatchNorm } from './layers/batch-norm.js';
import { seededKernel } from './init.js';

export type HeadActivation = 'relu' | 'gelu' | null;

/** Batch norm after a block's dense layer: none (false), with scale and offset (true), or without ('no-affine'). */
export type HeadBatchNorm = boolean | 'no-affine';

/** [inDim, outDim, batchNorm?, activation?] */
export type HeadBlock = [number, number, HeadBatchNorm?, HeadActivation?];

/** A tfjs-layers model [N, blocks[0][0]] -> [N, last outDim]. */
export function projectionHead(blocks: HeadBlock[], name = 'projection_head', seed?: number): tfl.Sequential {
  if (blocks.length === 0) throw new Error('projectionHead: blocks must not be empty');
  const model = tfl.sequential({ name });
  blocks.forEach(([inDim, outDim, batchNorm = false, activation = null], i) => {
    for (const [what, v] of [['inDim', inDim], ['outDim', outDim]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`projectionHead: blocks[${i}] ${what} must be an integer >= 1, received ${v}`);
    }
    if (i > 0 && blocks[i - 1][1] !== inDim) {
      throw new Error(`projectionHead: blocks[${i}] inDim must equal blocks[${i - 1}] outDim (${blocks[i - 1][1]}), received ${inDim}`);
    }
    if (batchNorm !== true && batchNorm !== false && batchNorm !== 'no-affine') {
      throw new Error(`projectionHead: blocks[${i}] batchNorm must be true, false or 'no-affine', received ${JSON.stringify(batchNorm)}`);
    }
    model.add(tfl.layers.dense({ units: outDim, useBias: !batchNorm, ...seededKernel(seed, i), ...(i === 0 ? { inputShape: [inDim] } : {}) }));
    if (batchNorm) model.add(new BatchNorm(batchNorm === 'no-affine' ? { scale: false, center: false } : {}));
    if (activation === 'relu') model.add(tfl.layers.reLU());
    else if (activation === 'gelu') throw new Error('projectionHead: gelu is not available in tfjs-layers 4.22; use relu');
  });
  return model;
}

/**
 * SimCLR's head (Chen et al. 2020, arXiv:2002.05709; lightly's SimCLRProjectionHead): numLayers
 * blocks, hidden ones Linear + BN + ReLU, the last Linear only. Paper sizes 2048 -> 2048 -> 128.
 */
export function simclrHead(inputDim: number, hiddenDim = 2048, outputDim = 128, numLayers = 2, seed?: number): tfl.Sequential {
  return projectionHead(mlpBlocks('simclrHead', inputDim, hiddenDim, outputDim, numLayers, false), 'simclr_head', seed);
}

// ---- Barlow Twins, VICReg, NNCLR heads (paper sizes by default; pass smaller dims to scale down,
// e.g. for the 256-d small CNN: barlowTwinsHead(256, 512, 512), vicregHead(256, 512, 512),
// nnclrProjectionHead(256, 256, 128), nnclrPredictionHead(128, 512, 128)) ----

/** Checks numLayers and returns `numLayers` blocks in -> hidden -> ... -> out, hidden ones Linear + BN + ReLU. */
function mlpBlocks(caller: string, inputDim: number, hiddenDim: number, outputDim: number, numLayers: number, lastBatchNorm: HeadBatchNorm): HeadBlock[] {
  if (!Number.isInteger(numLayers) || numLayers < 1) throw new Error(`${caller}: numLayers must be an integer >= 1, received ${numLayers}`);
  const blocks: HeadBlock[] = [];
  for (let i = 0; i < numLayers - 1; i++) blocks.push([i === 0 ? inputDim : hiddenDim, hiddenDim, true, 'relu']);
  blocks.push([numLayers === 1 ? inputDim : hiddenDim, outputDim, lastBatchNorm, null]);
  return blocks;
}

/**
 * Barlow Twins' projector (Zbontar et al. 2021, arXiv:2103.03230, section 4; lightly's
 * BarlowTwinsProjectionHead): three Linear layers, the first two followed by BN + ReLU. Paper sizes
 * 2048 -> 8192 -> 8192 -> 8192; the loss improves with the output width (the paper's fig. 4), so
 * keep outputDim at least the representation's width when scaling down.
 */
export function barlowTwinsHead(inputDim: number, hiddenDim = 8192, outputDim = 8192, seed?: number): tfl.Sequential {
  return projectionHead(mlpBlocks('barlowTwinsHead', inputDim, hiddenDim, outputDim, 3, false), 'barlow_twins_head', seed);
}

/**
 * VICReg's expander (Bardes et al. 2022, arXiv:2105.04906, section 4.1; lightly's
 * VICRegProjectionHead): numLayers Linear layers, all but the last followed by BN + ReLU. Paper
 * sizes 2048 -> 8192 -> 8192 -> 8192 (three layers).
 */
export function vicregHead(inputDim: number, hiddenDim = 8192, outputDim = 8192, numLayers = 3, seed?: number): tfl.Sequential {
  return projectionHead(mlpBlocks('vicregHead', inputDim, hiddenDim, outputDim, numLayers, false), 'vicreg_head', seed);
}

/**
 * NNCLR's projection MLP (Dwibedi et al. 2021, arXiv:2104.14548, section 4.1; lightly's
 * NNCLRProjectionHead): three Linear layers each followed by BN, the first two by ReLU too. Paper
 * sizes 2048 -> 2048 -> 2048 -> 256.
 */
export function nnclrProjectionHead(inputDim: number, hiddenDim = 2048, outputDim = 256, seed?: number): tfl.Sequential {
  return projectionHead(mlpBlocks('nnclrProjectionHead', inputDim, hiddenDim, outputDim, 3, true), 'nnclr_projection_head', seed);
}

/**
 * NNCLR's prediction MLP (same sources; lightly's NNCLRPredictionHead): Linear + BN + ReLU, then
 * Linear. Paper sizes 256 -> 4096 -> 256.
 */
export function nnclrPredictionHead(inputDim = 256, hiddenDim = 4096, outputDim = 256, seed?: number): tfl.Sequential {
  return projectionHead(mlpBlocks('nnclrPredictionHead', inputDim, hiddenDim, outputDim, 2, false), 'nnclr_prediction_head', seed);
}

/**
 * MoCo v2's head (Chen, Fan, Girshick, He 2020, "Improved Baselines with Momentum Contrastive
 * Learning", https://arxiv.org/abs/2003.04297, section 2; lightly's MoCoProjectionHead): a 2-layer
 * MLP, Linear + ReLU then Linear, no batch norm. Paper sizes 2048 -> 2048 -> 128 (ResNet-50);
 * scale hiddenDim and outputDim down for small backbones (e.g. 256 -> 256 -> 128).
 */
export function mocoV2Head(inputDim: number, hiddenDim = 2048, outputDim = 128, seed?: number): tfl.Sequential {
  return projectionHead([[inputDim, hiddenDim, false, 'relu'], [hiddenDim, outputDim, false, null]], 'moco_head', seed);
}

/**
 * MoCo v3's projector (Chen, Xie, He 2021, "An Empirical Study of Training Self-Supervised Vision
 * Transformers", https://arxiv.org/abs/2104.02057, section 4 and the official `_build_mlp`):
 * numLayers blocks, hidden ones Linear + BN + ReLU, the output Linear + BN without scale and offset
 * ('no-affine'). Paper sizes: hidden 4096, output 256; 3 layers for ViT, 2 in the official code
 * for ResNet-50 (the default here: our backbones are CNNs). Scale down with e.g. (256, 512, 128).
 */
export function mocoV3Projector(inputDim: number, hiddenDim = 4096, outputDim = 256, numLayers = 2, seed?: number): tfl.Sequential {
  return projectionHead(mlpBlocks('mocoV3Projector', inputDim, hiddenDim, outputDim, numLayers, 'no-affine'), 'mocov3_projector', seed);
}

/**
 * MoCo v3's predictor (arXiv:2104.02057, section 4): 2 layers, Linear + BN + ReLU then Linear + BN
 * without scale and offset, on the query branch only. Paper sizes 256 -> 4096 -> 256; scale down
 * with e.g. (128, 512, 128).
 */
export function mocoV3Predictor(inputDim = 256, hiddenDim = 4096, outputDim = 256, seed?: number): tfl.Sequential {
  return projectionHead(mlpBlocks('mocoV3Predictor', inputDim, hiddenDim, outputDim, 2, 'no-affine'), 'mocov3_predictor', seed);
}

/**
 * BYOL's projector (Grill et al. 2020, "Bootstrap Your Own Latent", https://arxiv.org/abs/2006.07733,
 * section 3.3; lightly's BYOLProjectionHead): Linear + BN + ReLU then Linear. Paper sizes
 * 2048 -> 4096 -> 256; scale down with e.g. (256, 1024, 128).
 */
export function byolProjector(inputDim: number, hiddenDim = 4096, outputDim = 256, seed?: number): tfl.Sequential {
  return projectionHead(mlpBlocks('byolProjector', inputDim, hiddenDim, outputDim, 2, false), 'byol_projector', seed);
}

/**
 * BYOL's predictor (arXiv:2006.07733, section 3.3): the projector's architecture on the online
 * branch only, 256 -> 4096 -> 256 in the paper; scale down with e.g. (128, 1024, 128).
 */
export function byolPredictor(inputDim = 256, hiddenDim = 4096, outputDim = 256, seed?: number): tfl.Sequential {
  return projectionHead(mlpBlocks('byolPredictor', inputDim, hiddenDim, outputDim, 2, false), 'byol_predictor', seed);
}

/**
 * SimSiam's projector (Chen & He 2021, "Exploring Simple Siamese Representation Learning",
 * https://arxiv.org/abs/2011.10566, section 4.1; lightly's SimSiamProjectionHead): 3 layers with BN
 * on every one, including the output (without scale and offset, as the official code), ReLU on
 * the hidden ones. Paper sizes 2048 -> 2048 -> 2048 -> 2048; scale down with e.g. (256, 512, 512).
 */
export function simsiamProjector(inputDim: number, hiddenDim = 2048, outputDim = 2048, seed?: number): tfl.Sequential {
  return projectionHead(mlpBlocks('simsiamProjector', inputDim, hiddenDim, outputDim, 3, 'no-affine'), 'simsiam_projector', seed);
}

/**
 * SimSiam's predictor (arXiv:2011.10566, section 4.1): a bottleneck, Linear + BN + ReLU to
 * hiddenDim = outputDim / 4, then Linear without BN. Paper sizes 2048 -> 512 -> 2048; scale down
 * with e.g. (512, 128, 512).
 */
export function simsiamPredictor(inputDim = 2048, hiddenDim = 512, outputDim = 2048, seed?: number): tfl.Sequential {
  return projectionHead(mlpBlocks('simsiamPredictor', inputDim, hiddenDim, outputDim, 2, false), 'simsiam_predictor', seed);
}
