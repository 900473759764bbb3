/**
 * Embedding distillation (Reimers & Gurevych 2020, "Making Monolingual Sentence Embeddings
 * Multilingual using Knowledge Distillation", https://arxiv.org/abs/2004.09813; sentence-transformers
 * `losses/MSELoss.py`): a student encoder learns to reproduce a frozen teacher's embeddings of the
 * same texts, loss = mean squared error (losses/distill.ts). With an offline teacher (USE-lite from
 * its npm package, `UseLite.embed`) this gives a small trainable encoder without labelled pairs.
 *
 * The teacher is one of
 * - a precomputed matrix, row i = the teacher's embedding of item i of the training source
 *   (`teacherEmbeddings(source, teacher)`, once before training: the practical way, since a teacher
 *   such as USE-lite costs more than the student's step), looked up by the batch's item positions;
 * - a function texts -> rows, called every step on the items' texts (`texts` looks them up).
 *
 * Views: with one view (`identityViews(1)`) the student sees the text itself; with more (e.g.
 * `new TextViews({ anchor: 'identity', deletion: 0.1 })`) every view's student embedding is pulled
 * to the teacher's embedding of the original text, and the loss is the mean over views (the student
 * also learns to be invariant to the augmentation).
 *
 * Widths: when the teacher's width differs from the student's (USE-lite's 512 and a 32-wide tiny
 * transformer), the student gets a trainable linear projection (Dense, with bias, seeded) to the
 * teacher's width, as the paper's and sentence-transformers' `Dense` module; it is the method's head,
 * used in training only: the representation downstream (`embed`, the saved encoder) is the
 * backbone's, in the student's width (the projection's pre-image of the teacher's space). Give
 * `head` to choose another projection; with equal widths the default head is the identity.
 *
 * Objective: `'mse'` (default, the paper's) or `'infonce'`: contrastive distillation (Tian, Krishnan,
 * Isola, "Contrastive Representation Distillation", ICLR 2020, https://arxiv.org/abs/1910.10699, in
 * its in-batch form): the student's projection of item i must pick the teacher's embedding of item i
 * among the batch's teacher embeddings (infoNceLoss, cosine, `temperature` default 0.05 = MNRL's
 * scale 20). MSE to a teacher whose embeddings share a large common direction (USE-lite's do: mean
 * cosine between two texts ~0.4) is mostly won by predicting that direction, and a student trained
 * from scratch can reach a low MSE while telling texts apart poorly; the contrastive objective
 * scores only what tells the batch's texts apart, the geometry retrieval needs.
 */
import { type Scalar, type Tensor, addN, div, scalar, tensor2d, tidy } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Batch } from '../data/batch.js';
import type { Source } from '../data/source.js';
import { distillationLoss } from '../losses/distill.js';
import { infoNceLoss } from '../losses/infonce.js';
import { projectionHead } from '../models/heads.js';
import { identityHead } from '../models/identity-head.js';
import { EncoderMethod } from './encoder-method.js';

/** Teacher embeddings as one row-major matrix: row i is item i's embedding. */
export interface TeacherMatrix {
  readonly rows: number;
  readonly dim: number;
  /** rows * dim values. */
  readonly data: Float32Array;
}

/** What a teacher returns for n texts: a row-major n x dim array, n rows, or `{ values, dim }` (UseLite.embed's shape). */
export type TeacherRows = Float32Array | readonly ArrayLike<number>[] | { readonly values: Float32Array; readonly dim: number };

/** A teacher: texts -> their embeddings (synchronous, for use inside a training step). */
export type TeacherFunction = (texts: readonly string[]) => TeacherRows;

export interface DistillOptions {
  /** The student encoder: items -> [N, D_student]. */
  backbone: LayersModel;
  /**
   * Precomputed teacher embeddings by item position (`teacherEmbeddings`), or a teacher function
   * (needs `texts`; called once at construction on item 0 to learn the teacher's width, then on
   * every batch's texts).
   */
  teacher: TeacherMatrix | TeacherFunction;
  /** With a teacher function: the training source (or its item lookup) whose texts the teacher embeds. */
  texts?: Pick<Source<string>, 'item' | 'size'> | ((i: number) => string);
  /**
   * Projection of the student's output to the teacher's width, trained with the student and used in
   * training only. Default: none (identity) when the widths agree, else a linear Dense layer.
   */
  head?: LayersModel;
  /** Seed of the default projection's weights (unseeded when absent). */
  seed?: number;
  /** 'mse' (default: Reimers & Gurevych 2020) or 'infonce' (contrastive distillation, in-batch: see the class comment). */
  objective?: 'mse' | 'infonce';
  /** Temperature of the 'infonce' objective. Default 0.05 (MNRL's scale 20). */
  temperature?: number;
}

/** `rows` of a teacher's answer for `n` texts, checked, as one row-major n x dim array. */
function teacherMatrix(caller: string, answer: TeacherRows, n: number, dim?: number): TeacherMatrix {
  let data: Float32Array, d: number;
  if (answer instanceof Float32Array) {
    if (n === 0 || answer.length % n !== 0) throw new Error(`${caller}: the teacher returned ${answer.length} values for ${n} texts (expected n x dim)`);
    data = answer;
    d = answer.length / n;
  } else if (Array.isArray(answer)) {
    if (answer.length !== n) throw new Error(`${caller}: the teacher returned ${answer.length} rows for ${n} texts`);
    d = n ? (answer[0] as ArrayLike<number>).length : 0;
    data = new Float32Array(n * d);
    answer.forEach((row: ArrayLike<number>, i: number) => {
      if (row.length !== d) throw new Error(`${caller}: the teacher's rows must all have ${d} values, row ${i} has ${row.length}`);
      data.set(row, i * d);
    });
  } else if (answer && typeof answer === 'object' && (answer as { values?: unknown }).values instanceof Float32Array) {
    const { values, dim: width } = answer as { values: Float32Array; dim: number };
    d = width;
    if (!Number.isInteger(d) || d < 1 || values.length !== n * d) throw new Error(`${caller}: the teacher returned ${values.length} values of dim ${d} for ${n} texts`);
    data = values;
  } else {
    throw new Error(`${caller}: the teacher must return a Float32Array, an array of rows or { values, dim }, received ${String(answer)}`);
  }
  if (d < 1) throw new Error(`${caller}: the teacher returned rows of 0 values`);
  if (dim !== undefined && d !== dim) throw new Error(`${caller}: the teacher's rows must have ${dim} values (its width so far), received ${d}`);
  const bad = data.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new Error(`${caller}: the teacher returned ${data[bad]} at row ${Math.floor(bad / d)}, column ${bad % d}`);
  return { rows: n, dim: d, data };
}

export interface TeacherEmbeddingsOptions {
  /** Texts per teacher call. Default 32. */
  batchSize?: number;
  /** Called after each teacher call with the items done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The teacher's embeddings of every text of `source`, in item order, once: the matrix `Distill`
 * looks rows up in. The teacher may be asynchronous here (e.g. `(t) => use.embed(t)` or a remote
 * model).
 *
 * @example
 * const use = await UseLite.load();
 * const teacher = await teacherEmbeddings(texts, (t) => use.embed(t), { onProgress: (d, n) => log(`${d}/${n}`) });
 * const method = new Distill({ backbone: transformerEncoder(preset), teacher, seed: 1 });
 */
export async function teacherEmbeddings(
  source: Pick<Source<string>, 'item' | 'size'>,
  teacher: (texts: readonly string[]) => TeacherRows | Promise<TeacherRows>,
  options: TeacherEmbeddingsOptions = {},
): Promise<TeacherMatrix> {
  const caller = 'teacherEmbeddings';
  const { batchSize = 32, onProgress } = options;
  if (!source || !Number.isInteger(source.size) || source.size < 1 || typeof source.item !== 'function') throw new Error(`${caller}: source must be a source of at least 1 text, received ${String(source)}`);
  if (typeof teacher !== 'function') throw new Error(`${caller}: teacher must be a function texts -> embeddings, received ${String(teacher)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`${caller}: batchSize must be an integer >= 1, received ${JSON.stringify(batchSize)}`);
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new Error(`${caller}: onProgress must be a function, received ${String(onProgress)}`);
  const n = source.size;
  let out: Float32Array | undefined, dim: number | undefined;
  for (let start = 0; start < n; start += batchSize) {
    const texts = Array.from({ length: Math.min(batchSize, n - start) }, (_, k) => {
      const t = source.item(start + k);
      if (typeof t !== 'string') throw new Error(`${caller}: item ${start + k} of the source is not a text, received ${typeof t}`);
      return t;
    });
    const part = teacherMatrix(`${caller}: items ${start} to ${start + texts.length - 1}`, await teacher(texts), texts.length, dim);
    dim = part.dim;
    out ??= new Float32Array(n * dim);
    out.set(part.data, start * dim);
    onProgress?.(start + texts.length, n);
  }
  return { rows: n, dim: dim!, data: out! };
}

function isMatrix(t: unknown): t is TeacherMatrix {
  return typeof t === 'object' && t !== null && (t as TeacherMatrix).data instanceof Float32Array;
}

export class Distill extends EncoderMethod {
  readonly name = 'distill';
  /** The teacher's width (the projections' width). */
  readonly teacherDim: number;
  readonly objective: 'mse' | 'infonce';
  readonly temperature: number;
  private readonly matrix?: TeacherMatrix;
  private readonly teacherFn?: TeacherFunction;
  private readonly text?: (i: number) => string;

  constructor(options: DistillOptions) {
    const { backbone, teacher, texts, head, seed, objective = 'mse', temperature = 0.05 } = options ?? ({} as DistillOptions);
    if (objective !== 'mse' && objective !== 'infonce') throw new Error(`Distill: objective must be 'mse' or 'infonce', received ${JSON.stringify(objective)}`);
    if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0) throw new Error(`Distill: temperature must be a finite number > 0, received ${JSON.stringify(temperature)}`);
    if (!backbone || typeof backbone.apply !== 'function') throw new Error(`Distill: backbone is required (a LayersModel), received ${String(backbone)}`);
    const studentDim = backbone.outputs[0].shape.at(-1) as number;
    // The teacher's width first: it decides the default head.
    let teacherDim: number, matrix: TeacherMatrix | undefined, text: ((i: number) => string) | undefined;
    if (isMatrix(teacher)) {
      const { rows, dim, data } = teacher;
      if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(dim) || dim < 1 || data.length !== rows * dim) {
        throw new Error(`Distill: teacher must be a matrix of rows x dim values (rows, dim >= 1), received rows ${rows}, dim ${dim}, ${data.length} values`);
      }
      const bad = data.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) throw new Error(`Distill: teacher embeddings must be finite, received ${data[bad]} at row ${Math.floor(bad / dim)}`);
      teacherDim = dim;
      matrix = teacher;
    } else if (typeof teacher === 'function') {
      if (typeof texts === 'function') text = texts;
      else if (texts && typeof texts.item === 'function') text = (i) => texts.item(i);
      else throw new Error(`Distill: a teacher function needs texts (the training source, or i -> its text i), received ${String(texts)}`);
      // Its width from one call on item 0.
      teacherDim = teacherMatrix('Distill: teacher', teacher([text(0)]), 1).dim;
    } else {
      throw new Error(`Distill: teacher is required (a TeacherMatrix from teacherEmbeddings, or a function texts -> embeddings), received ${String(teacher)}`);
    }
    if (head !== undefined) {
      const width = head?.outputs?.[0]?.shape.at(-1);
      if (typeof head?.apply !== 'function' || width !== teacherDim) throw new Error(`Distill: head must be a LayersModel with the teacher's width ${teacherDim}, received ${typeof head?.apply === 'function' ? `a head of width ${width}` : String(head)}`);
    }
    if (seed !== undefined && !Number.isInteger(seed)) throw new Error(`Distill: seed must be an integer, received ${JSON.stringify(seed)}`);
    const projection = head ?? (teacherDim === studentDim ? identityHead(studentDim) : projectionHead([[studentDim, teacherDim]], 'distill_projection', seed));
    super('Distill', backbone, projection);
    this.teacherDim = teacherDim;
    this.objective = objective;
    this.temperature = temperature;
    this.matrix = matrix;
    this.teacherFn = matrix ? undefined : (teacher as TeacherFunction);
    this.text = text;
  }

  /** The teacher's embeddings of the batch's items: [N, teacherDim]. */
  private targets(batch: Batch): Tensor {
    const { indices, size } = batch;
    if (!indices) throw new Error('Distill: the batch must carry its items\' positions (indices) to look up their teacher embeddings');
    const d = this.teacherDim;
    if (this.matrix) {
      const rows = new Float32Array(size * d);
      indices.forEach((i, r) => {
        if (!(i >= 0 && i < this.matrix!.rows)) throw new Error(`Distill: item ${i} of the batch has no teacher embedding (the teacher matrix holds ${this.matrix!.rows} rows)`);
        rows.set(this.matrix!.data.subarray(i * d, (i + 1) * d), r * d);
      });
      return tensor2d(rows, [size, d]);
    }
    const texts = Array.from(indices, (i) => this.text!(i));
    return tensor2d(teacherMatrix('Distill: teacher', this.teacherFn!(texts), size, d).data, [size, d]);
  }

  /** Mean over views of the objective (MSE or in-batch InfoNCE) between the student's projections and the teacher's embeddings. */
  loss(batch: Batch): Scalar {
    const { views } = batch;
    if (views.length < 1) throw new Error('Distill: expects at least 1 view, received 0');
    return tidy(() => {
      const target = this.targets(batch); // [N, teacherDim], a constant of the graph
      const one = (student: Tensor) => (this.objective === 'mse' ? distillationLoss(student, target) : infoNceLoss(student, target, undefined, { temperature: this.temperature }));
      const losses = views.map((v) => one(this.project(v, true)));
      return (losses.length === 1 ? losses[0] : div(addN(losses), scalar(losses.length))) as Scalar;
    });
  }
}
