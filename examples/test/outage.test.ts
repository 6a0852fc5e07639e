import { DEFAULT_OPERATION_TIMEOUT_MS } from '@resilient-store/core';
import { type RedisServer, startRedis } from '@resilient-store/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { percentile } from '../conversation-service/src/traffic.js';
import { type Answered, HttpLoad } from '../src/http-load.js';
import { startTestService, type TestService, until } from './service-harness.js';

let redis: RedisServer;
let running: TestService;

beforeAll(async () => {
  // A private server: this test kills it.
  redis = await startRedis({ mode: 'local', persistence: true });
  running = await startTestService({ REDIS_URL: redis.url });
});

afterAll(async () => {
  await running?.close();
  await redis?.stop();
});

/** One turn of the conversation `id` of user `continuity`, as a client sends it. */
async function postTurn(id: string): Promise<{ turn: number; cache_status: string }> {
  const response = await fetch(`${running.url}/v1/mcp/conversation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'trail running shoes',
      user_id: 'continuity',
      market_id: 'us',
      conversation_id: id,
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { turn: number; cache_status: string };
}

/** Answers with the given cache_status among those after index `from`. */
const served = (answers: readonly Answered[], from: number, status: string) =>
  answers.slice(from).filter((a) => a.cacheStatus === status).length;

it('keeps answering every request while Redis is killed and restarted under load', async () => {
  const { store } = running.service;
  expect(store.health()).toMatchObject({ status: 'ok', active: 'redis' });
  const events: string[] = [];
  store.on('failover', ({ from, to }) => events.push(`failover ${from}->${to}`));
  store.on('recovered', ({ backend }) => events.push(`recovered ${backend}`));
  let reconciled = false;
  store.on('reconciled', ({ backend }) => {
    if (backend === 'redis') reconciled = true;
  });

  const answers: Answered[] = [];
  const load = new HttpLoad(running.url, 100, (answer) => answers.push(answer));
  load.start();
  try {
    await until(() => served(answers, 0, 'primary') >= 100, '100 answers from redis');

    await redis.kill();
    await until(() => store.health().active === 'memory', 'the store to fail over');
    const killedAt = answers.length;
    await until(
      () => served(answers, killedAt, 'fallback_active') >= 100,
      '100 answers from the fallback',
    );
    // A conversation that lives only in the outage: two turns saved on the fallback.
    expect(await postTurn('started-in-the-outage')).toMatchObject({
      turn: 1,
      cache_status: 'fallback_active',
    });
    expect((await postTurn('started-in-the-outage')).turn).toBe(2);

    await redis.restart();
    await until(() => store.health().status === 'ok', 'the store to recover', 20_000);
    const recoveredAt = answers.length;
    await until(
      () => served(answers, recoveredAt, 'primary') >= 100,
      '100 answers from redis again',
    );
    await until(() => reconciled, 'the outage writes replayed into redis');
    // Continuous across the outage: Redis now holds both turns, and the next one is the third.
    const state = await fetch(
      `${running.url}/v1/mcp/conversation/started-in-the-outage?user_id=continuity`,
    );
    expect(state.status).toBe(200);
    expect(((await state.json()) as { turns: number }).turns).toBe(2);
    expect(await postTurn('started-in-the-outage')).toMatchObject({
      turn: 3,
      cache_status: 'primary',
    });
  } finally {
    await load.stop();
  }

  // Not one request failed: every answer a 2xx, none missing.
  expect(answers.filter((a) => a.problem !== undefined).map((a) => a.problem)).toEqual([]);
  const latencies = answers.map((a) => a.latencyMs).sort((a, b) => a - b);
  // Within the store's deadline for one operation; a turn makes three.
  expect(percentile(latencies, 0.99)).toBeLessThan(DEFAULT_OPERATION_TIMEOUT_MS);
  expect(events).toEqual(['failover redis->memory', 'recovered redis']);
});
