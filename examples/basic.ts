// The API in twenty lines: a store over Redis with the in-process memory fallback.
// Run it: pnpm --filter @resilient-store/examples test (without Redis it runs on memory).
import { strict as assert } from 'node:assert';
import { createStore } from '@resilient-store/core';
// Type-only (erased at run time): lets the compiler check the redis entry's options.
import type {} from '@resilient-store/redis';

const store = await createStore({
  namespace: 'basic-example',
  defaultTtl: '5m',
  backends: [{ type: 'redis', url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }],
});
store.on('failover', ({ from, to, reason }) => console.log(`failover ${from} -> ${to}: ${reason}`));

await store.set('user:1', { name: 'Ada' }, { ttl: '30s' });
assert.deepEqual(await store.get('user:1'), { name: 'Ada' });
const recs = await store.getOrSet('recs:1', async () => ['tea', 'chess'], { ttl: '1m' });
assert.deepEqual(recs, ['tea', 'chess']);
await store.delete('user:1');
assert.equal(await store.has('user:1'), false);
console.log('served by', store.health().active);
await store.clear();
await store.close();
