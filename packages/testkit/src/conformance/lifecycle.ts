import { expect, it } from 'vitest';
import { activeResources, leftoverResources } from '../resources.js';
import type { ConformanceContext } from './context.js';
import { bytesOf, uniquePrefix } from './fixtures.js';

/** close() is idempotent, leaves nothing running, and a closed backend stays closed. */
export function lifecycleTests({ makeBackend, options }: ConformanceContext): void {
  it('close() is idempotent and releases every socket and timer', async () => {
    const baseline = activeResources();
    const backend = await makeBackend();
    const key = `${uniquePrefix()}lifecycle`;
    await backend.set(key, bytesOf('v'), 60_000);
    await backend.get(key);
    await backend.delete(key);
    await Promise.all([backend.close(), backend.close()]);
    await backend.close();
    // A closed backend must refuse work rather than quietly reconnect.
    await expect(backend.ping()).rejects.toThrow();
    expect(await leftoverResources(baseline, options.closeSettleMs)).toEqual([]);
  });
}
