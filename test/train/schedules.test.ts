import { describe, expect, it } from 'vitest';
import { cosineSchedule, warmupCosineLr } from '../../src/train/schedules.js';

describe('schedules', () => {
  it('cosineSchedule: closed forms at the start, middle and end, flat after', () => {
    expect(cosineSchedule(0, 100, 1, 0)).toBe(1);
    expect(cosineSchedule(50, 100, 1, 0)).toBeCloseTo(0.5, 12);
    expect(cosineSchedule(100, 100, 1, 0)).toBeCloseTo(0, 12);
    expect(cosineSchedule(150, 100, 0.99, 1)).toBe(1);
    expect(cosineSchedule(25, 100, 0.99, 1)).toBeCloseTo(1 - 0.01 * (Math.cos(Math.PI / 4) + 1) / 2, 12);
    expect(() => cosineSchedule(1, 0, 1, 0)).toThrow(/maxSteps must be > 0, received 0/);
  });
  it('warmupCosineLr: linear warm-up then cosine to 0', () => {
    expect(warmupCosineLr(0, 100, 10, 1)).toBeCloseTo(0.1, 12);
    expect(warmupCosineLr(9, 100, 10, 1)).toBeCloseTo(1, 12);
    expect(warmupCosineLr(10, 100, 10, 1)).toBeCloseTo(1, 12);
    expect(warmupCosineLr(55, 100, 10, 1)).toBeCloseTo(0.5, 12);
    expect(warmupCosineLr(100, 100, 10, 1)).toBeCloseTo(0, 12);
    expect(warmupCosineLr(5, 10, 10, 2)).toBeCloseTo(1.2, 12);
    expect(() => warmupCosineLr(0, 10, 11, 1)).toThrow(/warmupSteps must be in \[0, totalSteps = 10\], received 11/);
  });
});
