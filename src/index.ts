/**
 * contrastive: self-supervised contrastive representation learning for TypeScript.
 *
 * The main entry is the library itself: pure, no side effects at import and no `node:*` module
 * in its import graph (a test checks), so that a browser bundle can use it. In Node, import
 * `contrastive/node` instead: the same exports plus the `native` tfjs backend (registered as the
 * default backend), file sources, checkpoints, saved encoders on disk and whole runs.
 */
export { ntXentLoss, type NtXentOptions } from './losses/ntxent.js';
export { batchNormTrain, type BatchNormTrainResult } from './ops/batch-norm-train.js';
// Fused transformer ops (one kernel forward, one backward; native on the `native` backend, reference loops elsewhere).
export { layerNorm } from './ops/layer-norm.js';
export { gelu } from './ops/gelu.js';
export { maskedSoftmax } from './ops/masked-softmax.js';
export { headScores, headContext } from './ops/attention-heads.js';
export { BatchNorm, batchNormLayer, type BatchNormOptions } from './models/layers/batch-norm.js';
// The data path: source -> views -> collate -> batch -> method -> trainer; embed(source, encoder).
export type { ItemSpec, Source } from './data/source.js';
export { subsetSource, requireLabels } from './data/source.js';
export { makeBatch, disposeBatch, isTensor, viewRows, viewTensors, type Batch, type ViewInput, type NamedTensors } from './data/batch.js';
export { collateImages, collateVectors, defaultCollate, type Collate } from './data/collate.js';
export { DataLoader, type Loader, type DataLoaderOptions } from './data/loader.js';
export type { ViewTransform } from './augment/view-transform.js';
export { identityViews } from './augment/view-transform.js';
export type { ImageDataset } from './data/image-dataset.js';
export { subset, imageLength } from './data/image-dataset.js';
export { imageSource, imageLoader, imageAt } from './data/image-source.js';
export { fitStandardizer, standardizedSource, type Standardizer } from './data/standardize.js';
export { protocolItems, monitorItems, seededSample, type ProtocolOptions, type ProtocolItems } from './data/protocol.js';
export { Scarf, type ScarfOptions } from './augment/table/scarf.js';
export { TextViews, type TextViewsOptions } from './augment/text/text-views.js';
export { PairViews, pairScores, type TextPair } from './data/text-pairs.js';
export {
  Tokenizer, TokenizerJSONError, longestFirst, DEFAULT_MAX_LENGTH, type TextInput, type Encoding, type EncodedBatch, type Padding, type EncodeOptions,
  type EncodeBatchOptions, type SpecialTokens, type TokenizerOptions,
} from './models/transformer/tokenizer.js';
export { trainWordPiece, trainWordPieceVocab, type WordPieceTrainerOptions } from './models/transformer/wordpiece-trainer.js';
export { wordPieceTokenizerJSON, parseVocab, vocabText, BERT_SPECIAL_TOKENS, type WordPieceJSONOptions } from './models/transformer/wordpiece-vocab.js';
export { collateTokens, type TokenCollateOptions } from './models/transformer/token-collate.js';
export {
  transformerEncoder, transformerParamCount, resolveTransformerOptions, registerTransformerLayers, TRANSFORMER_INPUTS,
  type TransformerEncoderOptions, type TransformerPooling,
} from './models/transformer/transformer-encoder.js';
export { transformerPreset, TRANSFORMER_PRESET_NAMES, type TransformerPresetName } from './models/transformer/presets.js';
export { parseSafetensors, writeSafetensors } from './models/transformer/safetensors.js';
export { bertOptionsFromConfig, bertConfigFromOptions, loadBertWeights, bertTensorsFromModel, hfBertName } from './models/transformer/hf-bert.js';
export { UseLite, UseLiteTokenizer, USE_LITE_DIM, USE_LITE_MAX_LENGTH, type UseLiteArtifacts, type UseLiteVocabulary, type UseLiteEmbedOptions } from './models/use-lite.js';
export { wordDeletion } from './augment/text/word-deletion.js';
export { spanCrop } from './augment/text/span-crop.js';
export { defaultViews, type DefaultViewOptions } from './augment/presets/default-views.js';
export { embed, embedItems, rawRows, type Embedder } from './embed/embed.js';
export {
  Encoder, crc32, TOKENIZER_FILE, TEXT_INPUT_NAMES, DEFAULT_TEXT_MAX_LENGTH, type EncoderOptions, type EncoderItem, type ImageItem, type VectorItem, type ItemEmbeddings,
  type Preprocessing, type TextPreprocessing, type EncoderManifest,
} from './models/encoder.js';
export { applyModel } from './models/apply-model.js';
export { UsageError } from './util/usage-error.js';
export { MPerClassSampler, type BatchSampler, type MPerClassOptions } from './data/m-per-class-sampler.js';
export { NoDuplicatesSampler, type NoDuplicatesOptions } from './data/no-duplicates-sampler.js';
export { stratifiedSplit, labelledSubset, DEFAULT_SPLIT_SEED, DEFAULT_TEST_FRACTION, type Split, type SplitOptions } from './data/split.js';
export { Rng } from './util/random.js';
export { weightedKnnPredict, weightedKnnAccuracy, topK, type KnnOptions, type Embeddings } from './eval/knn.js';
export { forEachScoreBlock, type ScoreMetric, type ScoreBlockOptions } from './eval/score-blocks.js';
export { l2Normalize } from './eval/points.js';
export { toPoints, toLabels, type Matrix, type Points, type PointsInput, type DenseLabels } from './eval/points.js';
export type { Image, ImageOp } from './augment/image/image.js';
export { RandomResizedCrop, cropResize, type RandomResizedCropOptions } from './augment/image/random-resized-crop.js';
export { RandomHorizontalFlip } from './augment/image/horizontal-flip.js';
export { ColorJitter, adjustBrightness, adjustContrast, adjustSaturation, adjustHue, type ColorJitterOptions, type ColorJitterParams } from './augment/image/color-jitter.js';
export { RandomGrayscale, luma, rgbToGrayscale } from './augment/image/random-grayscale.js';
export { GaussianBlur, blur, gaussianKernel, type GaussianBlurOptions } from './augment/image/gaussian-blur.js';
export { GaussianNoise } from './augment/image/gaussian-noise.js';
export { RandomErasing, type RandomErasingOptions } from './augment/image/random-erasing.js';
export { Compose } from './augment/image/compose.js';
export { MultiView, type ViewBatch } from './augment/multi-view.js';
export { simclrTransform, simclrViews, type SimclrAugmentOptions } from './augment/presets/simclr.js';
export { mlpBackbone, type MlpOptions } from './models/backbones/mlp.js';
export { cnnBackbone, type CnnOptions, type CnnPooling } from './models/backbones/cnn.js';
export { resnetBackbone, type ResNetOptions } from './models/backbones/resnet.js';
export { projectionHead, simclrHead, type HeadBlock, type HeadActivation } from './models/heads.js';
export type { Method } from './methods/method.js';
export { SimCLR, type SimCLROptions } from './methods/simclr.js';
export { SimCSE, type SimCSEOptions } from './methods/simcse.js';
export { MNRL, type MNRLOptions } from './methods/mnrl.js';
export { CoSENT, type CoSENTOptions } from './methods/cosent.js';
export { CachedMNRL, type CachedMNRLOptions, type CachedGradients } from './methods/cached-mnrl.js';
export { Distill, teacherEmbeddings, type DistillOptions, type TeacherMatrix, type TeacherFunction, type TeacherRows, type TeacherEmbeddingsOptions } from './methods/distill.js';
export { SynonymSwap, synonymSwap, EDA_STOP_WORDS, type SynonymLookup, type SynonymSwapOptions } from './augment/text/synonym-swap.js';
export { pairRetrieval, type PairRetrieval } from './eval/pair-retrieval.js';
export { identityHead } from './models/identity-head.js';
export { SupCon, type SupConMethodOptions } from './methods/supcon.js';
export { Triplet, type TripletMethodOptions, type TripletMining } from './methods/triplet.js';
export { Siamese, batchPairs, type SiameseMethodOptions } from './methods/siamese.js';
export { METHODS, METHOD_NAMES, buildMethod, methodEntry, type MethodName, type MethodEntry, type MethodBuildOptions } from './methods/registry.js';
export { buildBackbone, defaultBackbone, BACKBONE_NAMES, type BackboneName, type BackboneOptions } from './models/backbones/registry.js';
export { cosineSchedule, warmupCosineLr } from './train/schedules.js';
export { trainLinearProbe, type LinearProbe, type LinearProbeOptions } from './eval/linear-probe.js';
export { embedDataset, type EmbedOptions } from './embed/embed-dataset.js';
export { LARS, type LarsOptions } from './train/lars.js';
export { ResumableAdam, ResumableAdamW } from './train/adam.js';
export { Trainer, type TrainerOptions, type EpochLog, type OptimizerName } from './train/trainer.js';
export type { TrainerCallback, TrainBeginInfo, StepInfo } from './train/callbacks/callback.js';
export { knnMonitor, type KnnMonitorOptions } from './train/callbacks/knn-monitor.js';
export { memoryStore, type CheckpointStore, type Checkpoint, type NamedTensor } from './train/checkpoint-store.js';
export { fitPca, type Pca } from './eval/pca.js';
export { symmetricEigen } from './eval/symmetric-eigen.js';
export { fitWhitening, ledoitWolfShrinkage, type Whitening, type WhiteningOptions } from './eval/whitening.js';
export type { Distance } from './distances/distance.js';
export { CosineSimilarity, normalizeRows } from './distances/cosine.js';
export { DotProductSimilarity } from './distances/dot.js';
export { EuclideanDistance, type EuclideanOptions } from './distances/euclidean.js';
export type { Labels } from './losses/checks.js';
export { contrastiveLoss, pairContrastiveLoss, type ContrastiveLossOptions, type PairLabels } from './losses/contrastive.js';
export { tripletLoss, type TripletLossOptions } from './losses/triplet.js';
export { infoNceLoss, type InfoNceOptions } from './losses/infonce.js';
export { mnrlLoss, type MnrlOptions } from './losses/mnrl.js';
export { coSentLoss, type CoSentOptions } from './losses/cosent.js';
export { distillationLoss } from './losses/distill.js';
export { supConLoss, type SupConOptions } from './losses/supcon.js';
export {
  batchAllTripletLoss,
  batchHardTripletLoss,
  semiHardTripletLoss,
  indexedTripletLoss,
  minedTripletLoss,
  type BatchTripletOptions,
  type BatchAllTripletLossOptions,
  type BatchHardTripletLossOptions,
  type SemiHardTripletLossOptions,
  type IndexedTripletLossOptions,
} from './losses/batch-triplet.js';
export { allTriplets, hardestTriplets, semiHardTriplets, type TripletIndices } from './miners/triplet-indices.js';
export type { PairIndices, TripletMiner, PairMiner, MinerOptions } from './miners/miner.js';
export { BatchHardMiner, type BatchHardMinerOptions } from './miners/batch-hard.js';
export { SemiHardMiner, type SemiHardMinerOptions } from './miners/semi-hard.js';
export { HardNegativePairMiner, type HardNegativePairMinerOptions } from './miners/hard-negative-pair.js';
export { DistanceWeightedMiner, type DistanceWeightedMinerOptions } from './miners/distance-weighted.js';
export { retrievalMetrics, relevantRanks, type RetrievalOptions, type RetrievalScores, type RetrievalMetrics } from './eval/retrieval.js';
export { nearestNeighbors, type NearestNeighborsOptions, type Neighbors } from './search/exact-knn.js';
export { outputStd, collapseStd } from './eval/collapse.js';
export { adjustedRandIndex } from './eval/clustering/adjusted-rand.js';
export { mutualInfo, normalizedMutualInfo, adjustedMutualInfo, type AverageMethod, type MutualInfoOptions } from './eval/clustering/mutual-info.js';
export { homogeneity, completeness, vMeasure, homogeneityCompletenessVMeasure, type VMeasureOptions, type HomogeneityCompleteness } from './eval/clustering/v-measure.js';
export { silhouetteScore, silhouetteSamples, type SilhouetteOptions } from './eval/clustering/silhouette.js';
export { daviesBouldinIndex } from './eval/clustering/davies-bouldin.js';
export { calinskiHarabaszIndex } from './eval/clustering/calinski-harabasz.js';
export { dunnIndex, type DunnOptions } from './eval/clustering/dunn.js';
export type { PairwiseMetric, DistanceBlockOptions } from './eval/clustering/distance-blocks.js';
export { kMeans, type KMeansOptions, type KMeansResult } from './eval/kmeans.js';
export { evaluateEmbeddings, type EvaluationOptions, type Evaluation, type ClusteringScores, type EvaluationPhase } from './eval/evaluate.js';
export { stopGradient } from './ops/stop-gradient.js';
export { updateMomentum, copyWeights } from './models/momentum.js';
export { MemoryBank, type MemoryBankOptions } from './models/memory-bank.js';
export { EncoderMethod, type WeightPart } from './methods/encoder-method.js';
// Redundancy reduction and nearest-neighbour methods: Barlow Twins, VICReg, NNCLR.
export { barlowTwinsLoss, type BarlowTwinsLossOptions } from './losses/barlow-twins.js';
export { vicregLoss, type VICRegLossOptions } from './losses/vicreg.js';
export { nnclrLoss, type NnclrLossOptions } from './losses/nnclr.js';
export { nearestSupport, type NearestSupport } from './ops/nearest-support.js';
export { barlowTwinsHead, vicregHead, nnclrProjectionHead, nnclrPredictionHead } from './models/heads.js';
export { BarlowTwins, type BarlowTwinsOptions } from './methods/barlow-twins.js';
export { VICReg, type VICRegOptions } from './methods/vicreg.js';
export { NNCLR, type NNCLROptions } from './methods/nnclr.js';
export { negativeCosineLoss } from './losses/negative-cosine.js';
export { byolLoss } from './losses/byol.js';
export {
  mocoV2Head,
  mocoV3Projector,
  mocoV3Predictor,
  byolProjector,
  byolPredictor,
  simsiamProjector,
  simsiamPredictor,
  type HeadBatchNorm,
} from './models/heads.js';
export { MomentumMethod, type MomentumEncoderOptions, type MomentumSchedule } from './methods/momentum-method.js';
export { MoCo, type MoCoOptions } from './methods/moco.js';
export { MoCoV3, type MoCoV3Options } from './methods/mocov3.js';
export { BYOL, type BYOLOptions } from './methods/byol.js';
export { SimSiam, type SimSiamOptions } from './methods/simsiam.js';
