/**
 * The two encoders of the speed protocol (/BENCHMARKS.md), built with tfjs-layers. bench/torch_ref.py
 * builds the same networks layer by layer in PyTorch; keep the two files in step.
 *
 * Small CNN (input [B, 28, 28, 1], NHWC):
 *   conv3x3 1->32 (same, bias), BN, ReLU, maxpool 2    -> [B, 14, 14, 32]
 *   conv3x3 32->64 (same, bias), BN, ReLU, maxpool 2   -> [B, 7, 7, 64]
 *   conv3x3 64->128 (same, bias), BN, ReLU             -> [B, 7, 7, 128]
 *   global average pool                                -> [B, 128]
 *   head: Linear 128->128, ReLU, Linear 128->64        -> [B, 64]
 *
 * MLP (input [B, 784]):
 *   Linear 784->512, BN, ReLU; Linear 512->512, BN, ReLU; Linear 512->128   -> [B, 128]
 *   head: Linear 128->64                                                      -> [B, 64]
 *
 * Batch norm is the package's `BatchNorm` layer (src/models/layers/batch-norm.ts): training-mode
 * batch statistics with a fused two-pass forward and backward, PyTorch's defaults (momentum 0.1 on
 * the new statistic, unbiased running variance, epsilon 1e-5): the same computation as
 * torch.nn.BatchNorm{1,2}d. tfjs-layers' own BatchNormalization computes the same values but its
 * gradient takes ~25 full-size passes and a JavaScript Tile (55% of the CNN step when we used it).
 * Every layer is float32 with a bias (PyTorch's nn.Linear / nn.Conv2d default). Training mode
 * (batch statistics, running statistics updated) is chosen at call time: model.apply(x, {training: true}).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { loadLibrary } from './library.mjs';

const { BatchNorm } = await loadLibrary();

/** Batch-norm settings equal to torch.nn.BatchNorm{1,2}d(momentum=0.1, eps=1e-5). */
export const BN = Object.freeze({ momentum: 0.1, epsilon: 1e-5 });

/** Input shape (without the batch axis) and the builder of each benchmark model. */
export const MODELS = Object.freeze({
  cnn: { inputShape: [28, 28, 1], build: smallCnn, describe: 'small CNN (3 conv3x3 + BN + ReLU, 2 maxpool, GAP, head 128-128-64)' },
  mlp: { inputShape: [784], build: mlp, describe: 'MLP 784-512-512-128 with BN + ReLU, head 128-64' },
});

/** The small CNN encoder + projection head, [B, 28, 28, 1] -> [B, 64]. */
export function smallCnn() {
  const model = tfl.sequential({ name: 'small_cnn' });
  const block = (filters, pool, inputShape) => {
    model.add(tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: true, ...(inputShape ? { inputShape } : {}) }));
    model.add(new BatchNorm(BN));
    model.add(tfl.layers.reLU());
    if (pool) model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  };
  block(32, true, [28, 28, 1]); // [B, 14, 14, 32]
  block(64, true); //               [B, 7, 7, 64]
  block(128, false); //             [B, 7, 7, 128]
  model.add(tfl.layers.globalAveragePooling2d({})); // [B, 128]
  model.add(tfl.layers.dense({ units: 128 }));
  model.add(tfl.layers.reLU());
  model.add(tfl.layers.dense({ units: 64 })); //      [B, 64]
  return model;
}

/** The MLP encoder + linear head, [B, 784] -> [B, 64]. */
export function mlp() {
  const model = tfl.sequential({ name: 'mlp' });
  model.add(tfl.layers.dense({ units: 512, inputShape: [784] }));
  model.add(new BatchNorm(BN));
  model.add(tfl.layers.reLU());
  model.add(tfl.layers.dense({ units: 512 }));
  model.add(new BatchNorm(BN));
  model.add(tfl.layers.reLU());
  model.add(tfl.layers.dense({ units: 128 })); // encoder output [B, 128]
  model.add(tfl.layers.dense({ units: 64 })); //  head [B, 64]
  return model;
}
