import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test file in its own process: the native addon and tfjs's global engine are per process.
    pool: 'forks',
    testTimeout: 120_000,
    // Kernel outputs from the buffer pool start as NaN: an unwritten element fails parity.
    env: { CONTRASTIVE_POOL_POISON: '1' },
  },
});
