/**
 * A progress bar of training on a stream (stderr by default), one bar per epoch: steps, mean loss,
 * collapse measure, items/s, ETA and the last kNN monitor figure. Uses cli-progress (a well-kept
 * terminal progress bar: redraws in place on a terminal, no output when not enabled).
 */
import cliProgress from 'cli-progress';
import type { EpochLog } from '../epoch-log.js';
import type { TrainerCallback } from './callback.js';

export interface ProgressBarOptions {
  /** Where to draw. Default process.stderr. */
  stream?: NodeJS.WritableStream;
  /** Draw at all. Default: when the stream is a terminal. */
  enabled?: boolean;
  /** What one item is called ('img', 'rows', 'texts'). Default 'items'. */
  unit?: string;
}

export function progressBar(options: ProgressBarOptions = {}): TrainerCallback {
  const stream = options.stream ?? process.stderr;
  const enabled = options.enabled ?? Boolean((stream as { isTTY?: boolean }).isTTY);
  const unit = options.unit ?? 'items';
  if (!enabled) return {};
  const bar = new cliProgress.SingleBar(
    { format: `epoch {epoch}/{epochs} |{bar}| {value}/{total} steps | loss {loss} | std {std} | {ips} ${unit}/s | ETA {eta_formatted}{knn}`, stream, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let last: EpochLog | undefined;
  return {
    onTrainBegin: (info) => { last = info.last; },
    onEpochBegin: (epoch, info) => {
      const knn = last?.knnTop1 === undefined ? '' : ` | kNN ${(100 * last.knnTop1).toFixed(2)}% (epoch ${last.epoch})`;
      bar.start(info.stepsPerEpoch, 0, { epoch, epochs: info.epochs, loss: '-', std: '-', ips: '-', knn });
    },
    onStepEnd: (s) => bar.update(s.step, { loss: s.loss.toFixed(4), std: s.collapseStd === undefined ? '-' : s.collapseStd.toFixed(4), ips: s.itemsPerSecond.toFixed(0) }),
    onEpochEvaluate: (log) => {
      bar.stop();
      last = log;
    },
    onTrainEnd: () => bar.stop(),
  };
}
