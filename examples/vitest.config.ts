import { packageConfig } from '../vitest.shared.js';

export default packageConfig({
  test: {
    // Stops every server a test file started, even when the file fails half-way.
    setupFiles: ['@resilient-store/testkit/vitest-setup'],
    // One file at a time: the outage and browser tests put the service under load and
    // time a failover; a neighbouring file's load would starve them of CPU.
    fileParallelism: false,
    // The store loads backend packages with a dynamic import() from core, as it does in
    // production; loaded through vitest's module runner instead, core could not find
    // them from the application's directory. Core runs natively here, as in the service.
    server: { deps: { external: [/packages\/core\/dist\//] } },
  },
});
