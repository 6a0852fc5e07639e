/**
 * List in `vitest.config.ts` → `test.setupFiles` so every server a test file started is stopped
 * when that file ends, whether its tests passed, failed or threw.
 */
import { afterAll } from 'vitest';
import { stopAllServers } from './servers/registry.js';

afterAll(stopAllServers);
