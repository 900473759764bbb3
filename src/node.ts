/**
 * `contrastive/node`: everything of the main entry, plus what needs Node: the `native` tfjs backend
 * (a C++ addon; importing this module registers it as the default backend, or warns once and
 * keeps `cpu` when the addon cannot load), the built-in data sets and your own files as sources,
 * checkpoints and saved encoders on disk, and whole runs (train, evaluate, embed) as one call.
 */
export * from './index.js';
export { nativeBackendInfo, setNativeThreads, NATIVE_BACKEND, NativeBackend, type NativeBackendInfo } from './backend/index.js';
export { loadFashionMnist, FASHION_MNIST_CLASSES } from './data/fashion-mnist.js';
export { loadMnist, MNIST_CLASSES } from './data/mnist.js';
export { loadImageFolder, type ImageFolderOptions } from './data/image-folder.js';
export { loadCsvTable, type CsvTableOptions } from './data/csv-table.js';
export type { VectorTable } from './data/vector-table.js';
export { loadTextFile, type TextFileOptions } from './data/text-file.js';
export { loadMatrix, type MatrixFileOptions } from './data/matrix-file.js';
export { DataError, type DataLocation } from './data/data-error.js';
export { openData, BUILTIN_DATASETS, type DataOptions, type OpenedData } from './data/registry.js';
export { saveCheckpoint, loadCheckpoint, loadCheckpointState, directoryStore } from './train/checkpoint.js';
export { saveEncoder, loadEncoder } from './models/encoder-file.js';
export { loadTokenizer, saveTokenizer } from './models/transformer/tokenizer-file.js';
export { loadHfBert, saveHfBert } from './models/transformer/hf-bert-file.js';
export { readUseLiteArtifacts, useLiteDir, USE_LITE_PACKAGE } from './models/use-lite-file.js';
export { loadJsonlPairs, type JsonlPairsOptions } from './data/jsonl-pairs.js';
export { wordNetSynonyms, type WordNetSynonymsOptions } from './data/wordnet-synonyms.js';
export { progressBar, type ProgressBarOptions } from './train/callbacks/progress-bar.js';
export { readRun, restoreMethod, restoreEncoder, buildRunMethod, withLegacyDefaults, type RunConfig, type RestoredEncoder } from './train/run.js';
export { trainRun, type TrainRunOptions, type TrainRunResult } from './train/train-run.js';
export { evaluateRun, type EvaluateRunOptions, type EvaluateRunResult } from './train/evaluate-run.js';
export { embedRun, type EmbedRunOptions, type EmbedRunResult } from './train/embed-run.js';
export { evaluatePairsRun, type EvaluatePairsRunOptions, type EvaluatePairsRunResult } from './train/evaluate-pairs-run.js';
export { searchRun, type SearchRunOptions, type SearchResult, type SearchHit } from './search/search-run.js';
