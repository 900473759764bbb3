/**
 * Projection heads from block lists, as lightly's `ProjectionHead` (lightly/models/modules/heads.py):
 * each block is [inDim, outDim, batchNorm?, activation?]: a dense layer (no bias when batch norm
 * follows, as there), then optional batch norm, then optional activation.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { BatchNorm } from './layers/batch-norm.js';
import { seededKernel } from './init.js';

export type HeadActivation = 'relu' | 'gelu' | null;

/** [inDim, outDim, batchNorm?, activation?] */
export type HeadBlock = [number, number, boolean?, HeadActivation?];

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
    model.add(tfl.layers.dense({ units: outDim, useBias: !batchNorm, ...seededKernel(seed, i), ...(i === 0 ? { inputShape: [inDim] } : {}) }));
    if (batchNorm) model.add(new BatchNorm());
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
  if (!Number.isInteger(numLayers) || numLayers < 1) throw new Error(`simclrHead: numLayers must be an integer >= 1, received ${numLayers}`);
  const blocks: HeadBlock[] = [];
  for (let i = 0; i < numLayers - 1; i++) blocks.push([i === 0 ? inputDim : hiddenDim, hiddenDim, true, 'relu']);
  blocks.push([numLayers === 1 ? inputDim : hiddenDim, outputDim, false, null]);
  return projectionHead(blocks, 'simclr_head', seed);
}
