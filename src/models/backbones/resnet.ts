/**
 * CIFAR-style ResNet-18 (He et al. 2016, arXiv:1512.03385; the small-image variant used by
 * SimCLR's CIFAR experiments and solo-learn): a 3x3 stride-1 stem without max-pooling, four stages
 * of two basic blocks with widths 64, 128, 256, 512 (times `widthMultiplier`) and strides 1, 2, 2, 2,
 * then global average pooling: [N, H, W, C] -> [N, 512 * widthMultiplier]. Convolutions have no
 * bias (batch norm follows each).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { BatchNorm } from '../layers/batch-norm.js';
import { seededKernel } from '../init.js';

export interface ResNetOptions {
  inputShape: [number, number, number];
  /** Scales every stage's width (0.25 gives 16-32-64-128). Default 1. */
  widthMultiplier?: number;
  /** Basic blocks per stage. Default [2, 2, 2, 2] (ResNet-18). */
  blocks?: [number, number, number, number];
  /** Seed of the weight initialisation (unseeded when absent). */
  seed?: number;
}

type Sym = tfl.SymbolicTensor;

/** Seeds each convolution in creation order. */
type Init = () => ReturnType<typeof seededKernel>;

function convBn(x: Sym, filters: number, kernelSize: number, strides: number, relu: boolean, init: Init): Sym {
  let y = tfl.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, ...init() }).apply(x) as Sym;
  y = new BatchNorm().apply(y) as Sym;
  return relu ? (tfl.layers.reLU().apply(y) as Sym) : y;
}

function basicBlock(x: Sym, filters: number, strides: number, init: Init): Sym {
  const inChannels = x.shape[x.shape.length - 1];
  let y = convBn(x, filters, 3, strides, true, init);
  y = convBn(y, filters, 3, 1, false, init);
  const shortcut = strides !== 1 || inChannels !== filters ? convBn(x, filters, 1, strides, false, init) : x;
  return tfl.layers.reLU().apply(tfl.layers.add().apply([y, shortcut]) as Sym) as Sym;
}

export function resnetBackbone(options: ResNetOptions): tfl.LayersModel {
  const { inputShape, widthMultiplier = 1, blocks = [2, 2, 2, 2], seed } = options;
  let layer = 0;
  const init: Init = () => seededKernel(seed, layer++);
  if (!(widthMultiplier > 0) || !Number.isFinite(widthMultiplier)) {
    throw new Error(`resnetBackbone: widthMultiplier must be a finite number > 0, received ${widthMultiplier}`);
  }
  if (blocks.length !== 4 || !blocks.every((b) => Number.isInteger(b) && b >= 1)) {
    throw new Error(`resnetBackbone: blocks must be 4 integers >= 1, received ${JSON.stringify(blocks)}`);
  }
  const widths = [64, 128, 256, 512].map((w) => Math.max(1, Math.round(w * widthMultiplier)));
  const input = tfl.input({ shape: inputShape });
  let x = convBn(input, widths[0], 3, 1, true, init);
  widths.forEach((w, stage) => {
    for (let b = 0; b < blocks[stage]; b++) x = basicBlock(x, w, b === 0 && stage > 0 ? 2 : 1, init);
  });
  const output = tfl.layers.globalAveragePooling2d({}).apply(x) as Sym;
  return tfl.model({ inputs: input, outputs: output, name: 'resnet_backbone' });
}
