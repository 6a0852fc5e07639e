import { defineConfig, mergeConfig, type ViteUserConfig } from 'vitest/config';

/**
 * The test settings every package shares; a package adds what is its own
 * (e.g. the testkit's server clean-up as a setup file).
 */
const shared = defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests talk to real servers started on demand; those take seconds, not milliseconds.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    passWithNoTests: false,
  },
});

export function packageConfig(own: ViteUserConfig = {}): ViteUserConfig {
  return mergeConfig(shared, own);
}
