import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infoAndAbove, startTestService, type TestService } from './service-harness.js';

let running: TestService;

beforeAll(async () => {
  running = await startTestService();
});

afterAll(async () => {
  await running?.close();
});

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${running.url}/v1/mcp/conversation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const turn = {
  query: 'wireless headphones for running',
  user_id: 'alice-7',
  market_id: 'us',
  conversation_context: { previous_purchases: ['p0002'], preferences: ['bluetooth'] },
};

describe('POST /v1/mcp/conversation', () => {
  it('answers a turn with recommendations from the catalog, and continues the conversation', async () => {
    const first = await post(turn);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ turn: 1, cache_status: 'primary' });
    expect(typeof first.body.answer).toBe('string');
    expect(typeof first.body.processing_time_ms).toBe('number');
    const recommendations = first.body.recommendations as Array<Record<string, unknown>>;
    expect(recommendations.length).toBeGreaterThan(0);
    for (const r of recommendations) {
      expect(Object.keys(r).sort()).toEqual(['id', 'price', 'relevance_score', 'title']);
      expect(r.id).not.toBe('p0002'); // already bought
    }
    // The engine is deterministic: highest relevance first.
    const scores = recommendations.map((r) => r.relevance_score as number);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);

    const id = first.body.conversation_id as string;
    const second = await post({ ...turn, conversation_id: id, query: 'something cheaper' });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ conversation_id: id, turn: 2 });

    const state = await fetch(
      `${running.url}/v1/mcp/conversation/${encodeURIComponent(id)}?user_id=alice-7`,
    );
    expect(state.status).toBe(200);
    const saved = (await state.json()) as { turns: number; messages: Array<{ text: string }> };
    expect(saved.turns).toBe(2);
    expect(saved.messages.map((m) => m.text)).toContain('something cheaper');
  });

  it('recommends the same products for the same request, to any user', async () => {
    const a = await post({ ...turn, user_id: 'same-1' });
    const b = await post({ ...turn, user_id: 'same-2' });
    expect(a.body.recommendations).toEqual(b.body.recommendations);
  });

  it.each([
    ['no query', { ...turn, query: undefined }, /query/],
    ['an empty query', { ...turn, query: '' }, /query/],
    ['a user id with a space', { ...turn, user_id: 'al ice' }, /user_id/],
    ['a market that is not a market id', { ...turn, market_id: 'usa' }, /market_id/],
    [
      'purchases that are not a list',
      { ...turn, conversation_context: { previous_purchases: 'p1' } },
      /previous_purchases/,
    ],
    ['an unknown field', { ...turn, admin: true }, /additional properties/],
    ['a conversation id too long', { ...turn, conversation_id: 'x'.repeat(65) }, /conversation_id/],
  ])('refuses %s with a 400 naming the field', async (_name, body, field) => {
    const { status, body: answer } = await post(body);
    expect(status).toBe(400);
    expect(answer.error).toBe('Bad Request');
    expect(answer.message).toMatch(field);
  });

  it('refuses a body that is not JSON with a 400', async () => {
    const { status, body } = await post('{"query": ');
    expect(status).toBe(400);
    expect(body.error).toBe('Bad Request');
  });

  it('refuses a body over the size limit with a 413', async () => {
    const { status, body } = await post({ ...turn, query: 'x'.repeat(70_000) });
    expect(status).toBe(413);
    expect(body.error).toBe('Payload Too Large');
  });
});

describe('GET /v1/mcp/conversation/:id', () => {
  it('answers 404 for a conversation that does not exist, and for another user', async () => {
    const created = await post({ ...turn, user_id: 'bob' });
    const id = created.body.conversation_id as string;
    const other = await fetch(`${running.url}/v1/mcp/conversation/${id}?user_id=mallory`);
    expect(other.status).toBe(404);
    const none = await fetch(`${running.url}/v1/mcp/conversation/nothing-here?user_id=bob`);
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ error: 'Not Found' });
  });

  it('answers 400 without a user id', async () => {
    const response = await fetch(`${running.url}/v1/mcp/conversation/abc`);
    expect(response.status).toBe(400);
  });
});

describe('health, metrics and the status page', () => {
  it('/healthz is 200 with the store health, /readyz is 200', async () => {
    const health = await fetch(`${running.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      active: 'memory',
      backends: [{ name: 'memory', state: 'closed' }],
    });
    expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
  });

  it('/metrics counts store operations and API requests, with no user id in a label', async () => {
    await post({ ...turn, user_id: 'metrics-user' });
    const text = await (await fetch(`${running.url}/metrics`)).text();
    expect(text).toMatch(
      /resilient_store_operations_total\{store="conversation-service",backend="memory",operation="set",outcome="ok"\} [1-9]\d*/,
    );
    expect(text).toMatch(
      /resilient_store_serving_backend\{store="conversation-service",backend="memory"\} 1/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/v1\/mcp\/conversation",status_code="200"\} \d+/,
    );
    expect(text).not.toContain('metrics-user');
  });

  it('serves the status page and its files, and 404 for anything else', async () => {
    const page = await fetch(`${running.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/status/status.js');
    for (const asset of ['uPlot.js', 'chart.js', 'status.js', 'status.css']) {
      expect((await fetch(`${running.url}/status/${asset}`)).status).toBe(200);
    }
    expect((await fetch(`${running.url}/status/secret.txt`)).status).toBe(404);
    expect((await fetch(`${running.url}/no/such/route`)).status).toBe(404);
  });
});

describe('logging', () => {
  it('says once that it runs on memory alone, and logs no user string at info level', async () => {
    const secrets = { user_id: 'user-secret-42', query: 'query-secret-words' };
    await post({ ...turn, ...secrets });
    await post({ ...turn, ...secrets, market_id: 'bad market' });
    await fetch(`${running.url}/v1/mcp/conversation/conv-secret-9?user_id=user-secret-42`);
    await fetch(`${running.url}/user-secret-42/route-secret`);

    const lines = infoAndAbove(running.logs).map((line) => JSON.stringify(line));
    for (const secret of [
      'user-secret-42',
      'query-secret-words',
      'conv-secret-9',
      'route-secret',
    ]) {
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
    }
    const memoryAlone = lines.filter((line) => line.includes('memory backend alone'));
    expect(memoryAlone).toHaveLength(1);
  });
});
