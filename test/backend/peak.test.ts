/**
 * The addon's fp32 peak probe (used by `npm run bench`): it answers with a plausible figure and
 * names its instruction set. No time is asserted beyond "positive and finite".
 */
import { describe, expect, it } from 'vitest';
import { addon } from '../../src/backend/addon.js';

describe('peakGflops', () => {
  it('returns a positive, finite GFLOP/s figure and its instruction set', () => {
    expect(addon).not.toBeNull();
    const gflops = addon!.peakGflops(0.05);
    expect(Number.isFinite(gflops)).toBe(true);
    expect(gflops).toBeGreaterThan(0);
    expect(['avx512', 'avx2', 'generic']).toContain(addon!.peakIsa());
  });
  it('treats a missing or non-positive duration as the default', () => {
    expect(addon!.peakGflops(0)).toBeGreaterThan(0);
  });
});
