/** Every kernel the `native` backend overrides (one kernel per file, as tfjs's backends do). */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './BatchMatMul.js';
import { conv2DConfig } from './Conv2D.js';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter.js';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput.js';
import { depthwiseConv2dNativeConfig } from './DepthwiseConv2dNative.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './DepthwiseConv2dNativeBackpropFilter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './DepthwiseConv2dNativeBackpropInput.js';
import { fusedConv2DConfig } from './FusedConv2D.js';
import { fusedDepthwiseConv2DConfig } from './FusedDepthwiseConv2D.js';
import { fusedMatMulConfig } from './_FusedMatMul.js';
import { batchNormTrainConfig, batchNormTrainGradConfig } from './BatchNormTrain.js';
import { layerNormConfig, layerNormGradConfig } from './LayerNorm.js';
import { addLayerNormConfig } from './AddLayerNorm.js';
import { geluConfig, geluGradConfig } from './Gelu.js';
import { maskedSoftmaxConfig, maskedSoftmaxGradConfig } from './MaskedSoftmax.js';
import { headContextConfig, headScoresConfig } from './AttentionHeads.js';
import { fusedAttentionConfig } from './FusedAttention.js';
import { denseGeluConfig } from './DenseGelu.js';
import { sliceConfig, splitVConfig } from './Slice.js';
import { gatherNdConfig } from './GatherNd.js';
import { gatherV2Config } from './GatherV2.js';
import { adamUpdateConfig } from './AdamUpdate.js';
import { avgPoolConfig } from './AvgPool.js';
import { avgPoolGradConfig } from './AvgPoolGrad.js';
import { fusedBatchNormConfig } from './FusedBatchNorm.js';
import { maxPoolConfig } from './MaxPool.js';
import { maxPoolGradConfig } from './MaxPoolGrad.js';
import { softmaxConfig } from './Softmax.js';
import { transposeConfig } from './Transpose.js';
import { tileConfig } from './Tile.js';
import { unsortedSegmentSumConfig } from './UnsortedSegmentSum.js';
import { absConfig } from './Abs.js';
import { addConfig } from './Add.js';
import { addNConfig } from './AddN.js';
import { argMaxConfig } from './ArgMax.js';
import { clipByValueConfig } from './ClipByValue.js';
import { eluConfig } from './Elu.js';
import { eluGradConfig } from './EluGrad.js';
import { expConfig } from './Exp.js';
import { leakyReluConfig } from './LeakyRelu.js';
import { logConfig } from './Log.js';
import { log1pConfig } from './Log1p.js';
import { maxConfig } from './Max.js';
import { maximumConfig } from './Maximum.js';
import { meanConfig } from './Mean.js';
import { minConfig } from './Min.js';
import { minimumConfig } from './Minimum.js';
import { multiplyConfig } from './Multiply.js';
import { negConfig } from './Neg.js';
import { preluConfig } from './Prelu.js';
import { realDivConfig } from './RealDiv.js';
import { reciprocalConfig } from './Reciprocal.js';
import { reluConfig } from './Relu.js';
import { relu6Config } from './Relu6.js';
import { rsqrtConfig } from './Rsqrt.js';
import { sigmoidConfig } from './Sigmoid.js';
import { softplusConfig } from './Softplus.js';
import { sqrtConfig } from './Sqrt.js';
import { squareConfig } from './Square.js';
import { squaredDifferenceConfig } from './SquaredDifference.js';
import { stepConfig } from './Step.js';
import { subConfig } from './Sub.js';
import { sumConfig } from './Sum.js';
import { tanhConfig } from './Tanh.js';

export const nativeKernelConfigs: KernelConfig[] = [
  batchMatMulConfig,
  fusedMatMulConfig,
  batchNormTrainConfig,
  batchNormTrainGradConfig,
  layerNormConfig,
  layerNormGradConfig,
  addLayerNormConfig,
  geluConfig,
  geluGradConfig,
  maskedSoftmaxConfig,
  maskedSoftmaxGradConfig,
  headScoresConfig,
  headContextConfig,
  fusedAttentionConfig,
  denseGeluConfig,
  sliceConfig,
  splitVConfig,
  gatherNdConfig,
  gatherV2Config,
  adamUpdateConfig,
  maxPoolConfig,
  maxPoolGradConfig,
  avgPoolConfig,
  avgPoolGradConfig,
  fusedBatchNormConfig,
  softmaxConfig,
  transposeConfig,
  unsortedSegmentSumConfig, tileConfig,
  absConfig,
  addConfig,
  addNConfig,
  argMaxConfig,
  clipByValueConfig,
  eluConfig,
  eluGradConfig,
  expConfig,
  leakyReluConfig,
  logConfig,
  log1pConfig,
  maxConfig,
  maximumConfig,
  meanConfig,
  minConfig,
  minimumConfig,
  multiplyConfig,
  negConfig,
  preluConfig,
  realDivConfig,
  reciprocalConfig,
  reluConfig,
  relu6Config,
  rsqrtConfig,
  sigmoidConfig,
  softplusConfig,
  sqrtConfig,
  squareConfig,
  squaredDifferenceConfig,
  stepConfig,
  subConfig,
  sumConfig,
  tanhConfig,
  conv2DConfig,
  conv2DBackpropInputConfig,
  conv2DBackpropFilterConfig,
  fusedConv2DConfig,
  depthwiseConv2dNativeConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  fusedDepthwiseConv2DConfig,
];
