/**
 * Repetition and statistics for the speed benchmark: warm-up calls, then timed repetitions, each
 * sample the wall time of one synchronous call (the cpu and native backends compute eagerly, so
 * a kernel's result exists when the op returns; see the sgemm case's check in cases.mjs).
 */

/**
 * Runs `fn` `warmup` times untimed, then up to `reps` times timed, within a time budget: warm-up
 * stops early once it used a quarter of `budgetS`, repetitions once the whole case used `budgetS`
 * (there is always at least one timed repetition). `onSample(ms)` sees every sample as it comes.
 * @returns {{samples: number[], warmup: number}} samples in milliseconds, warm-up calls made
 */
export function repeat(fn, { warmup, reps, budgetS = Infinity, onSample = () => {} }) {
  const start = performance.now();
  const elapsedS = () => (performance.now() - start) / 1000;
  let warmed = 0;
  while (warmed < warmup && !(warmed > 0 && elapsedS() > budgetS / 4)) {
    fn();
    warmed++;
  }
  const samples = [];
  while (samples.length < Math.max(1, reps) && !(samples.length > 0 && elapsedS() > budgetS)) {
    const t = performance.now();
    fn();
    const ms = performance.now() - t;
    samples.push(ms);
    onSample(ms);
  }
  return { samples, warmup: warmed };
}

/** The median of numbers (the mean of the middle two for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b), mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median, min and max of samples in ms (the median is what the report quotes). */
export function summarize(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { median_ms: median(s), min_ms: s[0], max_ms: s[s.length - 1], reps: s.length, samples_ms: samples };
}
