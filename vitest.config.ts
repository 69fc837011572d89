import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests measure latency on a 2-core machine: one test file at a time keeps them from loading each other.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default'],
    globalSetup: ['test/global-setup.ts'],
  },
});
