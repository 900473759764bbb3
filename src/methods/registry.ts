/**
 * The method registry: every method by name, with what a run needs to build it (whether it trains
 * with labels, its default temperature or margin, its heads: the papers' heads scaled to the small
 * encoders of this package, a 256-d representation by default). The CLI's `--method` and
 * `buildMethod` read it; a new method is one entry here and one file beside it.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  barlowTwinsHead, byolPredictor, byolProjector, mocoV2Head, mocoV3Predictor, mocoV3Projector, nnclrPredictionHead, nnclrProjectionHead,
  simclrHead, simsiamPredictor, simsiamProjector, vicregHead,
} from '../models/heads.js';
import { BarlowTwins } from './barlow-twins.js';
import { BYOL } from './byol.js';
import { CachedMNRL } from './cached-mnrl.js';
import { CoSENT } from './cosent.js';
import { Distill, type TeacherMatrix } from './distill.js';
import { MNRL } from './mnrl.js';
import { SimCSE } from './simcse.js';
import type { EncoderMethod } from './encoder-method.js';
import { MoCo } from './moco.js';
import { MoCoV3 } from './mocov3.js';
import { NNCLR } from './nnclr.js';
import { Siamese } from './siamese.js';
import { SimCLR } from './simclr.js';
import { SimSiam } from './simsiam.js';
import { SupCon } from './supcon.js';
import { Triplet, type TripletMining } from './triplet.js';
import { VICReg } from './vicreg.js';

/** Every method, in the order of the CLI's help. */
export const METHOD_NAMES = ['simclr', 'supcon', 'triplet', 'siamese', 'moco', 'mocov3', 'byol', 'simsiam', 'barlow', 'vicreg', 'nnclr', 'simcse', 'mnrl', 'cached-mnrl', 'cosent', 'distill'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

export interface MethodBuildOptions {
  /**
   * Builds the encoder: called once for the online encoder and again for each target (momentum)
   * encoder, which must come out with the same architecture (their weights are overwritten).
   */
  backbone: () => LayersModel;
  /** Seed of the heads' initialisation (head seed + 1, predictor seed + 2) and of queues. Default 0. */
  seed?: number;
  /** Softmax temperature, for the methods that have one (default: the entry's). */
  temperature?: number;
  /** triplet and siamese: the margin (default: the entry's). */
  margin?: number;
  /** triplet: which triplets make the loss (default semi-hard). */
  mining?: TripletMining;
  /**
   * cosent: the gold score of every training item (by its position in the source the trainer draws
   * from). A method rebuilt only to hold a checkpoint's weights (eval, embed, --init) needs none.
   */
  scores?: ArrayLike<number>;
  /** cached-mnrl: texts per encoder pass (GradCache's mini-batch). Default 32. */
  miniBatchSize?: number;
  /**
   * distill: the teacher's embedding of every training item (by position). A method rebuilt only
   * to hold a checkpoint's weights needs only `teacherDim`, the teacher's width (it sizes the
   * projection to it when the widths differ).
   */
  teacher?: TeacherMatrix;
  teacherDim?: number;
  /** distill: its objective (Distill's `objective`). Default 'mse'. */
  distillObjective?: 'mse' | 'infonce';
}

/**
 * What a method trains on, beyond any kind of item through the kind's views: `texts` (texts only,
 * two identical views: SimCSE's dropout noise), `pairs` (a JSON Lines file of (anchor, positive[,
 * negative]) texts: each field is a view), `scored-pairs` (pairs with a gold score).
 */
export type MethodItems = 'any' | 'texts' | 'pairs' | 'scored-pairs';

export interface MethodEntry {
  readonly name: MethodName;
  /** One line for help texts. */
  readonly description: string;
  /** Trains with the items' labels. */
  readonly usesLabels: boolean;
  /**
   * Default softmax temperature, for methods that have one: simclr 0.2 (measured best here,
   * BENCHMARKS.md), supcon 0.1 (Khosla et al.), moco 0.2 (MoCo v2), mocov3 0.2 (the paper's ViT
   * value; its ResNet recipe uses 1.0), nnclr 0.1 (Dwibedi et al.).
   */
  readonly temperature?: number;
  /** Default margin (triplet 0.2, siamese 1), for margin losses. */
  readonly margin?: number;
  /** What it trains on (see MethodItems). */
  readonly items: MethodItems;
  build(options: MethodBuildOptions & { dim: number }): EncoderMethod;
}

const entries: MethodEntry[] = [
  {
    name: 'simclr', description: 'SimCLR: NT-Xent over in-batch negatives (Chen et al. 2020)', usesLabels: false, items: 'any', temperature: 0.2,
    build: (o) => new SimCLR({ backbone: o.backbone(), head: simclrHead(o.dim, 128, 64, 2, seed(o) + 1), temperature: o.temperature }),
  },
  {
    name: 'supcon', description: 'supervised contrastive (Khosla et al. 2020)', usesLabels: true, items: 'any', temperature: 0.1,
    build: (o) => new SupCon({ backbone: o.backbone(), head: simclrHead(o.dim, 128, 64, 2, seed(o) + 1), temperature: o.temperature }),
  },
  {
    name: 'triplet', description: 'triplet loss with online mining (FaceNet, Hermans et al.)', usesLabels: true, items: 'any', margin: 0.2,
    build: (o) => new Triplet({ backbone: o.backbone(), head: simclrHead(o.dim, 128, 64, 2, seed(o) + 1), margin: o.margin, mining: o.mining }),
  },
  {
    name: 'siamese', description: 'siamese network, contrastive margin loss (Hadsell et al. 2006)', usesLabels: true, items: 'any', margin: 1,
    build: (o) => new Siamese({ backbone: o.backbone(), head: simclrHead(o.dim, 128, 64, 2, seed(o) + 1), margin: o.margin }),
  },
  {
    name: 'moco', description: 'MoCo v2: momentum encoder and a queue of negatives (He et al. 2020)', usesLabels: false, items: 'any', temperature: 0.2,
    build: (o) => {
      const s = seed(o);
      return new MoCo({ backbone: o.backbone(), head: mocoV2Head(o.dim, 256, 128, s + 1), targetBackbone: o.backbone(), targetHead: mocoV2Head(o.dim, 256, 128, s + 1), temperature: o.temperature, seed: s });
    },
  },
  {
    name: 'mocov3', description: 'MoCo v3: momentum encoder, predictor, in-batch keys (Chen et al. 2021)', usesLabels: false, items: 'any', temperature: 0.2,
    build: (o) => {
      const s = seed(o);
      return new MoCoV3({
        backbone: o.backbone(), head: mocoV3Projector(o.dim, 512, 128, 2, s + 1), targetBackbone: o.backbone(), targetHead: mocoV3Projector(o.dim, 512, 128, 2, s + 1),
        predictor: mocoV3Predictor(128, 512, 128, s + 2), temperature: o.temperature,
      });
    },
  },
  {
    name: 'byol', description: 'BYOL: online/target networks and a predictor, no negatives (Grill et al. 2020)', usesLabels: false, items: 'any',
    build: (o) => {
      const s = seed(o);
      return new BYOL({
        backbone: o.backbone(), head: byolProjector(o.dim, 512, 128, s + 1), targetBackbone: o.backbone(), targetHead: byolProjector(o.dim, 512, 128, s + 1),
        predictor: byolPredictor(128, 512, 128, s + 2),
      });
    },
  },
  {
    name: 'simsiam', description: 'SimSiam: stop-gradient and a predictor (Chen and He 2021)', usesLabels: false, items: 'any',
    build: (o) => new SimSiam({ backbone: o.backbone(), head: simsiamProjector(o.dim, 512, 512, seed(o) + 1), predictor: simsiamPredictor(512, 128, 512, seed(o) + 2) }),
  },
  {
    name: 'barlow', description: 'Barlow Twins: redundancy reduction (Zbontar et al. 2021)', usesLabels: false, items: 'any',
    build: (o) => new BarlowTwins({ backbone: o.backbone(), head: barlowTwinsHead(o.dim, 512, 512, seed(o) + 1) }),
  },
  {
    name: 'vicreg', description: 'VICReg: variance, invariance, covariance (Bardes et al. 2022)', usesLabels: false, items: 'any',
    build: (o) => new VICReg({ backbone: o.backbone(), head: vicregHead(o.dim, 512, 512, 3, seed(o) + 1) }),
  },
  {
    name: 'nnclr', description: 'NNCLR: nearest neighbours from a support set as positives (Dwibedi et al. 2021)', usesLabels: false, items: 'any', temperature: 0.1,
    build: (o) => {
      const s = seed(o);
      return new NNCLR({ backbone: o.backbone(), head: nnclrProjectionHead(o.dim, 256, 128, s + 1), predictor: nnclrPredictionHead(128, 512, 128, s + 2), temperature: o.temperature, seed: s });
    },
  },
  {
    name: 'simcse', description: 'SimCSE: the same text twice, dropout as the only noise, InfoNCE (Gao et al. 2021); texts, or (premise, entailment, contradiction) .jsonl triplets: supervised SimCSE', usesLabels: false, items: 'texts', temperature: 0.05,
    build: (o) => new SimCSE({ backbone: o.backbone(), temperature: o.temperature }),
  },
  {
    name: 'mnrl', description: 'MultipleNegativesRankingLoss on (anchor, positive[, negative]) pairs, in-batch negatives (Henderson et al. 2017, Sentence-BERT); .jsonl pairs', usesLabels: false, items: 'pairs', temperature: 0.05,
    build: (o) => new MNRL({ backbone: o.backbone(), scale: 1 / o.temperature! }),
  },
  {
    name: 'cached-mnrl', description: 'MNRL with GradCache: batches larger than memory, encoded --mini-batch-size texts at a time (Gao et al. 2021); .jsonl pairs', usesLabels: false, items: 'pairs', temperature: 0.05,
    build: (o) => new CachedMNRL({ backbone: o.backbone(), scale: 1 / o.temperature!, ...(o.miniBatchSize !== undefined ? { miniBatchSize: o.miniBatchSize } : {}) }),
  },
  {
    name: 'cosent', description: 'CoSENT: cosines ordered as gold scores (Su 2022); .jsonl pairs with a score', usesLabels: false, items: 'scored-pairs', temperature: 0.05,
    // A method rebuilt to hold a checkpoint's weights computes no loss: any two scores do then.
    build: (o) => new CoSENT({ backbone: o.backbone(), scores: o.scores ?? [0, 0], scale: 1 / o.temperature! }),
  },
  {
    name: 'distill', description: 'embedding distillation: MSE (Reimers & Gurevych 2020) or in-batch InfoNCE (Tian et al. 2020) to a frozen teacher\'s embeddings, e.g. USE-lite; texts', usesLabels: false, items: 'texts',
    build: (o) => {
      const dim = o.teacher?.dim ?? o.teacherDim;
      if (dim === undefined) throw new Error('buildMethod: distill needs the teacher\'s embeddings (teacher) or its width (teacherDim), received neither');
      // Rebuilt to hold weights only: one zero row of the teacher's width (no loss is computed).
      return new Distill({ backbone: o.backbone(), teacher: o.teacher ?? { rows: 1, dim, data: new Float32Array(dim) }, seed: seed(o) + 1, objective: o.distillObjective ?? 'mse' });
    },
  },
];

function seed(o: MethodBuildOptions): number {
  return o.seed ?? 0;
}

/** Every method's entry, by name. */
export const METHODS: Readonly<Record<MethodName, MethodEntry>> = Object.fromEntries(entries.map((e) => [e.name, e])) as Record<MethodName, MethodEntry>;

/** The entry of `name`, or an error listing the methods. */
export function methodEntry(name: string): MethodEntry {
  if (!(METHOD_NAMES as readonly string[]).includes(name)) throw new Error(`method must be one of ${METHOD_NAMES.join(', ')}, received ${JSON.stringify(name)}`);
  return METHODS[name as MethodName];
}

/**
 * Builds method `name` on the encoders `options.backbone()` makes, with the entry's heads; the
 * temperature defaults to the entry's (the methods' own defaults otherwise).
 */
export function buildMethod(name: MethodName, options: MethodBuildOptions): EncoderMethod {
  const entry = methodEntry(name);
  if (typeof options?.backbone !== 'function') throw new Error(`buildMethod: backbone must be a function that builds the encoder, received ${String(options?.backbone)}`);
  if (options.temperature !== undefined && entry.temperature === undefined) throw new Error(`buildMethod: temperature applies to ${entries.filter((e) => e.temperature !== undefined).map((e) => e.name).join(', ')}, received it for ${name}`);
  if (options.margin !== undefined && entry.margin === undefined) throw new Error(`buildMethod: margin applies to triplet and siamese, received it for ${name}`);
  if (options.mining !== undefined && name !== 'triplet') throw new Error(`buildMethod: mining applies to triplet, received it for ${name}`);
  // The representation's width: one probe build (its weights are the online encoder's when no target is needed).
  let probe: LayersModel | null = options.backbone();
  const dim = probe.outputs[0].shape.at(-1);
  if (typeof dim !== 'number') throw new Error(`buildMethod: the backbone must output [N, D] with D known, received [${probe.outputs[0].shape}]`);
  const backbone = () => {
    if (probe) {
      const b = probe;
      probe = null;
      return b;
    }
    return options.backbone();
  };
  return entry.build({ ...options, backbone, dim, temperature: options.temperature ?? entry.temperature });
}
