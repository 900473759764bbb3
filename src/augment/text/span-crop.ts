/**
 * Random span crop: a contiguous run of words covering a random share in [minShare, maxShare] of
 * the text, at a random position. The "crop" of SimCSE's comparison (Gao et al. 2021,
 * https://arxiv.org/abs/2104.08821, table 2) and the span sampling of DeCLUTR (Giorgi et al. 2021,
 * https://arxiv.org/abs/2006.03659), where two spans of one document are a positive pair.
 */
import type { Rng } from '../../util/random.js';
import { checkShare } from './word-deletion.js';
import { words } from './words.js';

/** A crop of `text` keeping between `minShare` (default 0.5) and `maxShare` (default 1) of its words, at least one. */
export function spanCrop(text: string, rng: Rng, minShare = 0.5, maxShare = 1): string {
  checkShare('spanCrop', 'minShare', minShare, '<=');
  checkShare('spanCrop', 'maxShare', maxShare, '<=');
  if (minShare > maxShare) throw new Error(`spanCrop: minShare must be <= maxShare = ${maxShare}, received ${minShare}`);
  const all = words(text);
  if (all.length <= 1) return all.join(' ');
  const share = minShare + (maxShare - minShare) * rng.next();
  const length = Math.max(1, Math.min(all.length, Math.round(share * all.length)));
  const start = rng.int(all.length - length + 1);
  return all.slice(start, start + length).join(' ');
}
