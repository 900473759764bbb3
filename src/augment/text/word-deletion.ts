/**
 * Random word deletion: each word is dropped with probability `p`, at least one word kept. EDA's
 * "random deletion" (Wei & Zou 2019, "EDA: Easy Data Augmentation Techniques for Boosting
 * Performance on Text Classification Tasks", https://arxiv.org/abs/1901.11196, section 2, p = 0.1)
 * and one of the discrete augmentations SimCSE compares with dropout noise (Gao, Yao, Chen 2021,
 * https://arxiv.org/abs/2104.08821, table 2: "delete one word").
 */
import type { Rng } from '../../util/random.js';
import { words } from './words.js';

export function checkShare(caller: string, name: string, p: unknown, upper: '<' | '<=' = '<'): number {
  if (typeof p !== 'number' || !(p >= 0) || !(upper === '<' ? p < 1 : p <= 1)) {
    throw new Error(`${caller}: ${name} must be a number in [0, 1${upper === '<' ? ')' : ']'}, received ${JSON.stringify(p)}`);
  }
  return p;
}

/** `text` with each word deleted with probability `p` (default 0.1); never empty unless `text` is. */
export function wordDeletion(text: string, rng: Rng, p = 0.1): string {
  checkShare('wordDeletion', 'p', p);
  const all = words(text);
  if (all.length <= 1) return all.join(' ');
  const kept = all.filter(() => rng.next() >= p);
  return kept.length ? kept.join(' ') : all[rng.int(all.length)];
}
