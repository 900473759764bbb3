/**
 * The evaluation of a run's text encoder on pairs (what `contrastive eval` does for a run trained
 * on pairs, or with --pairs): each anchor must find its own positive among all positives
 * (eval/pair-retrieval.ts: recall@1, recall@10, MRR, ranks). On the run's own pairs file only the
 * held-out pairs of the run protocol are scored (the 1/7 the run never trained on, data/protocol.ts);
 * on any other file, every pair.
 */
import { resolve } from 'node:path';
import { protocolItems } from '../data/protocol.js';
import { openData } from '../data/registry.js';
import { subsetSource, type Source } from '../data/source.js';
import type { TextPair } from '../data/text-pairs.js';
import { embedItems } from '../embed/embed.js';
import { pairRetrieval, type PairRetrieval } from '../eval/pair-retrieval.js';
import { UsageError } from '../util/usage-error.js';
import { checkFiniteEmbeddings, checkFiniteWeights } from './embed-run.js';
import { restoreEncoder, type RunConfig } from './run.js';

export interface EvaluatePairsRunOptions {
  /** The run directory (or a saved encoder's). */
  checkpoint: string;
  /** The run's run.json when the caller has read it (readRun): not read again. Default: read from `checkpoint`. */
  run?: RunConfig;
  /** A .jsonl file of pairs (default: the run's own, when it trained on pairs). */
  data?: string;
  /** Score a seeded sample of this many pairs (of the held-out ones on the run's own file). */
  limit?: number;
  /** Cut-offs of recall@k. Default 1, 10. */
  k?: number[];
  onProgress?: (phase: string) => (done: number, total: number) => void;
}

export interface EvaluatePairsRunResult extends PairRetrieval {
  dataset: string;
  checkpoint: string;
  /** Whether the pairs are the run's held-out ones (its own file) or all pairs of another file. */
  split: 'held-out' | 'all';
}

export async function evaluatePairsRun(options: EvaluatePairsRunOptions): Promise<EvaluatePairsRunResult> {
  const o = options;
  const restored = await restoreEncoder(o.checkpoint, 'checkpoint', o.run);
  try {
    checkFiniteWeights(o.checkpoint, restored.encoder);
    const run = restored.config;
    if (restored.encoder.input.kind !== 'text') throw new UsageError('pairs', `applies to text encoders, received the ${restored.encoder.input.kind === 'image' ? 'image' : 'row'} encoder of '${o.checkpoint}'`);
    const path = o.data ?? (run?.pairs ? run.data : undefined);
    if (path === undefined) throw new UsageError('data', `expected a .jsonl file of pairs (the run in '${o.checkpoint}' did not train on pairs), received none`);
    const opened = await openData({ data: path, pairs: true });
    let source = opened.source as Source<TextPair>;
    const own = run?.data !== undefined && resolve(path) === resolve(run.data);
    if (own) source = subsetSource(source, protocolItems(source.size, undefined, { seed: run!.seed }).test);
    if (o.limit !== undefined) {
      if (!Number.isInteger(o.limit) || o.limit < 2) throw new UsageError('limit', `expected an integer >= 2, received ${o.limit}`);
      if (o.limit < source.size) source = subsetSource(source, protocolItems(source.size, undefined, { limit: o.limit, seed: run?.seed ?? 0 }).pool);
    }
    if (source.size < 2) throw new UsageError('data', `expected at least 2 pairs to score, received ${source.size} in '${path}'${own ? ' (held out)' : ''}`);
    const k = o.k ?? [1, 10].filter((c) => c <= source.size);
    const tooLarge = k.find((c) => c > source.size);
    if (tooLarge !== undefined) throw new UsageError('k', `expected cut-offs of at most the ${source.size} pairs, received ${tooLarge}`);
    const field = (f: number) => Array.from({ length: source.size }, (_, i) => source.item(i).texts[f]);
    const progress = o.onProgress ?? (() => () => {});
    const embedAll = (texts: string[], phase: string) => {
      const items: Source<string> = { name: phase, size: texts.length, spec: { kind: 'text' }, item: (i) => texts[i], id: (i) => String(i) };
      const e = embedItems(items as never, restored.encoder as never, { onProgress: progress(phase) });
      checkFiniteEmbeddings(o.checkpoint, e);
      return e;
    };
    const anchors = embedAll(field(0), 'embed anchors'), positives = embedAll(field(1), 'embed positives');
    return { dataset: opened.name, checkpoint: o.checkpoint, split: own ? 'held-out' : 'all', ...pairRetrieval(anchors, positives, { k }) };
  } finally {
    restored.dispose();
  }
}
