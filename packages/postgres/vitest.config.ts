import { packageConfig } from '../../vitest.shared.js';

export default packageConfig({
  test: {
    // Stops every server a test file started, even when the file fails half-way.
    setupFiles: ['@resilient-store/testkit/vitest-setup'],
    // One file at a time: the failover scenarios time faults in milliseconds under load,
    // and a neighbouring file's load generator or cluster would starve them of CPU (seen
    // as a second failover after recovery). On 2 cores vitest already uses one worker;
    // this keeps machines with more cores from running scenarios side by side.
    fileParallelism: false,
  },
});
