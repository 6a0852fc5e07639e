import { memoryBackend } from '@resilient-store/core';
import { describeBackendConformance } from '../../src/conformance/index.js';

describeBackendConformance('memory', () => memoryBackend({ name: 'memory-conformance' }), {
  conditionalWrites: true,
});

// Small bounds: the suite's own data must fit, and the large-value test is capped by
// the declared maxValueBytes rather than overflowing the cache.
describeBackendConformance(
  'memory (small bounds)',
  () => memoryBackend({ maxEntries: 5_000, maxBytes: 512 * 1024, maxValueBytes: 64 * 1024 }),
  { conditionalWrites: true },
);
