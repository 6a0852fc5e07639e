import { packageConfig } from '../vitest.shared.js';

export default packageConfig({
  test: {
    // Stops every server a test file started, even when the file fails half-way.
    setupFiles: ['@resilient-store/testkit/vitest-setup'],
  },
});
