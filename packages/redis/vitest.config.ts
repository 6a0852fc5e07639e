import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    passWithNoTests: false,
    // Stops every server a test file started, even when the file fails half-way.
    setupFiles: ['@resilient-store/testkit/vitest-setup'],
  },
});
