/**
 * Progress of the CLI's long phases (embedding, kNN, retrieval, UMAP, ...) on stderr with
 * cli-progress, the bar the trainer uses: one bar per phase, shown only when stderr is a terminal,
 * so piped and JSON output stay clean.
 */
import cliProgress from 'cli-progress';

export type OnProgress = (done: number, total: number) => void;

/**
 * `phase(name)` returns an onProgress callback for that phase: a new bar when the name changes,
 * the old one stopped. `stop()` ends the last bar.
 */
export function phaseProgress(enabled = Boolean(process.stderr.isTTY)): { phase: (name: string) => OnProgress; stop: () => void } {
  let bar: cliProgress.SingleBar | null = null, current = '';
  const stop = () => {
    bar?.stop();
    bar = null;
    current = '';
  };
  const phase = (name: string): OnProgress => (done, total) => {
    if (!enabled) return;
    if (name !== current) {
      stop();
      current = name;
      bar = new cliProgress.SingleBar(
        { format: `${name.padEnd(14)} |{bar}| {percentage}% | {value}/{total} | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, done);
    }
    bar?.update(done);
    if (done >= total) stop();
  };
  return { phase, stop };
}
