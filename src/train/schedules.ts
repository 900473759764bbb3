/**
 * Learning-rate and momentum schedules, small pure functions (lightly `models/utils.py`).
 */

/**
 * Cosine decay from `start` (step 0) to `end` (step `maxSteps`), as lightly's `cosine_schedule`:
 * end - (end - start) * (cos(pi * step / maxSteps) + 1) / 2. Steps past maxSteps stay at `end`.
 *
 * @example cosineSchedule(0, 100, 1, 0) === 1; cosineSchedule(50, 100, 1, 0) === 0.5; cosineSchedule(100, 100, 1, 0) === 0
 */
export function cosineSchedule(step: number, maxSteps: number, start: number, end: number): number {
  if (!(maxSteps > 0)) throw new Error(`cosineSchedule: maxSteps must be > 0, received ${maxSteps}`);
  if (!(step >= 0)) throw new Error(`cosineSchedule: step must be >= 0, received ${step}`);
  const t = Math.min(step, maxSteps) / maxSteps;
  return end - (end - start) * (Math.cos(Math.PI * t) + 1) / 2;
}

/**
 * SimCLR's learning rate (Chen et al. 2020, arXiv:2002.05709, B.1): linear warm-up from 0 to
 * `baseLr` over `warmupSteps`, then cosine decay to 0 at `totalSteps`.
 */
export function warmupCosineLr(step: number, totalSteps: number, warmupSteps: number, baseLr: number): number {
  if (!(totalSteps > 0)) throw new Error(`warmupCosineLr: totalSteps must be > 0, received ${totalSteps}`);
  if (!(warmupSteps >= 0 && warmupSteps <= totalSteps)) {
    throw new Error(`warmupCosineLr: warmupSteps must be in [0, totalSteps = ${totalSteps}], received ${warmupSteps}`);
  }
  if (step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
  const decaySteps = totalSteps - warmupSteps;
  return decaySteps === 0 ? baseLr : cosineSchedule(step - warmupSteps, decaySteps, baseLr, 0);
}
