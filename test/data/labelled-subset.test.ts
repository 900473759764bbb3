import { describe, expect, it } from 'vitest';
import { labelledSubset } from '../../src/data/split.js';

describe('labelledSubset', () => {
  const labels = Array.from({ length: 100 }, (_, i) => (i * 7) % 4); // 25 items of each of 4 classes
  const all = Int32Array.from({ length: 100 }, (_, i) => i);

  it('keeps k items of each class, ascending, seeded', () => {
    const s = labelledSubset(all, labels, 3, 5);
    expect(s.length).toBe(12);
    expect(Array.from(s)).toEqual(Array.from(s).sort((a, b) => a - b));
    for (let c = 0; c < 4; c++) expect(Array.from(s).filter((i) => labels[i] === c)).toHaveLength(3);
    expect(Array.from(labelledSubset(all, labels, 3, 5))).toEqual(Array.from(s));
    expect(Array.from(labelledSubset(all, labels, 3, 6))).not.toEqual(Array.from(s));
  });

  it('takes only from the given indices, and all of a class with fewer than k', () => {
    const some = all.filter((i) => i < 10 || labels[i] !== 2);
    const s = labelledSubset(some, labels, 20);
    expect(Array.from(s).every((i) => some.includes(i))).toBe(true);
    expect(Array.from(s).filter((i) => labels[i] === 2)).toHaveLength(some.filter((i) => labels[i] === 2).length);
    expect(s.length).toBe(3 * 20 + some.filter((i) => labels[i] === 2).length);
  });

  it('validates perClass', () => {
    expect(() => labelledSubset(all, labels, 0)).toThrow(/perClass must be an integer >= 1, received 0/);
  });
});
