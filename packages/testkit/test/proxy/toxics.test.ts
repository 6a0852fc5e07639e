import { describe, expect, it } from 'vitest';
import { useProxyFixture } from './fixture.js';
import { medianPing, type RespClient, sleep } from './resp-client.js';

/** Slack for timer granularity and scheduling on a busy machine, per measured interval. */
const TOLERANCE_MS = 15;

/**
 * How early, by `performance.now()`, one proxy timer (or one chain of them) may end. Node arms
 * a timer from the event loop's cached clock, which lags real time by whatever ran since the
 * loop last woke, so a 150 ms delay can measure 149.x ms. Lower bounds subtract this per timer
 * that a measured interval crosses.
 */
const EARLY_MS = 5;

/** The least an interval crossing `timers` proxy delays of `ms` each can measure. */
const atLeast = (ms: number, timers = 1) => timers * (ms - EARLY_MS);

/** Stores `value` under `key` straight on Redis, so only the read goes through the proxy. */
async function seed(direct: RespClient, key: string, value: string): Promise<void> {
  expect(await direct.command('SET', key, value)).toBe('+OK\r\n');
}

/** Sends GET and resolves with the raw reply and how long it took to arrive. */
async function timedGet(client: RespClient, key: string): Promise<{ reply: string; ms: number }> {
  const started = performance.now();
  const reply = (await client.command('GET', key)).toString();
  return { reply, ms: performance.now() - started };
}

const bulk = (value: string) => `$${value.length}\r\n${value}\r\n`;

describe('fault proxy toxics', () => {
  const fx = useProxyFixture();

  it('latency delays both directions on an open connection until removed', async () => {
    const proxy = await fx.proxy();
    const client = await fx.client(proxy);
    const baseline = await medianPing(client);

    proxy.latency(60);
    const delayed = await medianPing(client);
    // A round trip crosses the proxy twice, once in each direction.
    expect(delayed).toBeGreaterThanOrEqual(atLeast(60, 2));
    expect(delayed - baseline).toBeLessThan(2 * 60 + 8 * TOLERANCE_MS);

    proxy.removeToxic('latency');
    expect(proxy.toxics).toEqual({});
    const restored = await medianPing(client);
    expect(restored).toBeLessThan(baseline + 40);
  });

  it('latency with jitter varies the delay but keeps replies in order', async () => {
    const proxy = await fx.proxy();
    const client = await fx.client(proxy);
    proxy.latency(40, 30);

    // Separate writes become separate chunks, each drawing its own delay.
    const count = 20;
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      client.send('ECHO', `m${i}`);
      await sleep(2);
    }
    const replies: string[] = [];
    for (let i = 0; i < count; i++) replies.push((await client.read()).toString());
    const elapsed = performance.now() - started;

    expect(replies).toEqual(Array.from({ length: count }, (_, i) => bulk(`m${i}`)));
    // Each chunk is delayed at least (40 - 30) ms each way.
    expect(elapsed).toBeGreaterThanOrEqual(atLeast(10, 2));
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(await client.pingTime());
    for (const time of times) expect(time).toBeGreaterThanOrEqual(atLeast(10, 2));
    // With a 60 ms jitter window five round trips do not all take the same time.
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(2);
  });

  it('slicer delivers a large reply in many small chunks that decode correctly', async () => {
    const proxy = await fx.proxy();
    const value = 's'.repeat(20_000);
    await seed(await fx.direct(), 'proxy:toxics:sliced', value);
    const client = await fx.client(proxy);
    const whole = await timedGet(client, 'proxy:toxics:sliced');
    expect(whole.reply).toBe(bulk(value));
    client.chunks.length = 0;

    proxy.slicer(1_000, 2);
    const sliced = await timedGet(client, 'proxy:toxics:sliced');

    expect(sliced.reply).toBe(bulk(value));
    const replyBytes = bulk(value).length;
    const slices = Math.ceil(replyBytes / 1_000);
    expect(client.chunks.length).toBeGreaterThanOrEqual(slices);
    expect(Math.max(...client.chunks.map((chunk) => chunk.bytes))).toBeLessThanOrEqual(1_000);
    // (slices - 1) pauses of at least 2 ms each, one chained after another.
    expect(sliced.ms).toBeGreaterThanOrEqual((slices - 1) * 2 - EARLY_MS);
  });

  it('latency and slicer combine: every slice is also delayed', async () => {
    const proxy = await fx.proxy();
    const client = await fx.client(proxy);
    const baseline = await medianPing(client);
    proxy.latency(50);
    proxy.slicer(2, 10);

    // '+PONG\r\n' (7 bytes) arrives as 4 slices: 50 ms latency, then 3 gaps of 10 ms.
    client.chunks.length = 0;
    const rtt = await client.pingTime();
    expect(client.chunks.map((chunk) => chunk.bytes)).toEqual([2, 2, 2, 1]);
    // The request (14 bytes, 7 slices) also crosses the slicer: 50 + 6 * 10 up, 50 + 3 * 10 down,
    // each direction one chain of timers.
    expect(rtt).toBeGreaterThanOrEqual(atLeast(50 + 60) + atLeast(50 + 30));
    expect(rtt - baseline).toBeLessThan(50 + 60 + 50 + 30 + 10 * TOLERANCE_MS);
    expect(proxy.toxics).toEqual({
      latency: { ms: 50, jitterMs: 0 },
      slicer: { maxChunkBytes: 2, delayMs: 10 },
    });
  });

  it('bandwidth makes a large value take about size / rate', async () => {
    const proxy = await fx.proxy();
    const value = 'w'.repeat(100_000);
    await seed(await fx.direct(), 'proxy:toxics:throttled', value);
    const client = await fx.client(proxy);
    const baseline = await timedGet(client, 'proxy:toxics:throttled');

    const rate = 200_000;
    proxy.bandwidth(rate);
    const throttled = await timedGet(client, 'proxy:toxics:throttled');

    expect(throttled.reply).toBe(bulk(value));
    const expectedMs = (value.length / rate) * 1000;
    // The last 50 ms slice is written without waiting after it, hence the 0.8.
    expect(throttled.ms).toBeGreaterThanOrEqual(expectedMs * 0.8);
    // Generous: a busy machine only makes timers late, but a unit error would be far off.
    expect(throttled.ms - baseline.ms).toBeLessThan(expectedMs * 3);
  });

  it('limitData closes a connection after exactly that many bytes', async () => {
    const proxy = await fx.proxy();
    const value = 'l'.repeat(10_000);
    await seed(await fx.direct(), 'proxy:toxics:limited', value);
    proxy.limitData(1_000);

    const client = await fx.client(proxy);
    client.send('GET', 'proxy:toxics:limited');
    await client.closed;
    expect(client.bytesReceived).toBe(1_000);
    expect(client.errors).toEqual([]);

    // The budget is per connection: a new one starts with its own.
    const next = await fx.client(proxy);
    expect(await next.command('PING')).toBe('+PONG\r\n');

    proxy.removeToxic('limitData');
    expect(await next.command('GET', 'proxy:toxics:limited')).toBe(bulk(value));
  });

  it('limitData counts from when it is set on an open connection', async () => {
    const proxy = await fx.proxy();
    const client = await fx.client(proxy);
    for (let i = 0; i < 10; i++) expect(await client.command('PING')).toBe('+PONG\r\n');

    // Each PING request is 14 bytes: three fit under 50, the fourth crosses it.
    proxy.limitData(50);
    for (let i = 0; i < 3; i++) expect(await client.command('PING')).toBe('+PONG\r\n');
    client.send('PING');
    await client.closed;
    expect(client.bytesReceived).toBe(13 * '+PONG\r\n'.length);
  });

  it('slowClose delays the close a server sends', async () => {
    const proxy = await fx.proxy();
    const closeGap = async (): Promise<number> => {
      const client = await fx.client(proxy);
      client.send('QUIT');
      expect((await client.read()).toString()).toBe('+OK\r\n');
      const replyAt = client.chunks.at(-1)?.at ?? Number.NaN;
      return (await client.ended) - replyAt;
    };
    const baseline = await closeGap();

    proxy.slowClose(300);
    const slowed = await closeGap();
    expect(slowed).toBeGreaterThanOrEqual(atLeast(300));
    expect(slowed - baseline).toBeLessThan(300 + 20 * TOLERANCE_MS);
  });

  it('slowClose delays a client close in each direction it crosses', async () => {
    const proxy = await fx.proxy();
    const roundTrip = async (): Promise<number> => {
      const client = await fx.client(proxy);
      expect(await client.command('PING')).toBe('+PONG\r\n');
      const started = performance.now();
      // FIN to the server, which then closes its side: two closes cross the proxy.
      client.socket.end();
      return (await client.ended) - started;
    };
    const baseline = await roundTrip();

    proxy.slowClose(150);
    const slowed = await roundTrip();
    expect(slowed).toBeGreaterThanOrEqual(atLeast(150, 2));
    expect(slowed - baseline).toBeLessThan(2 * 150 + 20 * TOLERANCE_MS);
  });

  it('toxics switch on and off while a connection stays open', async () => {
    const proxy = await fx.proxy();
    const client = await fx.client(proxy);
    const baseline = await medianPing(client, 3);

    proxy.latency(50);
    expect(await medianPing(client, 3)).toBeGreaterThanOrEqual(atLeast(50, 2));

    proxy.removeToxic('latency');
    proxy.slicer(1, 1);
    client.chunks.length = 0;
    expect(await client.command('PING')).toBe('+PONG\r\n');
    // The proxy writes one byte at a time; the client's socket may still read two that
    // arrived within one turn of its loop as one chunk, so count pieces, not bytes.
    const pieces = client.chunks.length;
    expect(pieces).toBeGreaterThan(1);
    expect(client.chunks.reduce((sum, c) => sum + c.bytes, 0)).toBe('+PONG\r\n'.length);

    await proxy.blackhole();
    client.send('PING');
    await sleep(200);
    expect(client.chunks).toHaveLength(pieces);

    await proxy.heal();
    expect(await client.command('PING')).toBe('+PONG\r\n');
    expect((await medianPing(client, 3)) - baseline).toBeLessThan(40);
    expect(proxy.connectionCount).toBe(1);
  });

  it('rejects invalid toxic settings', async () => {
    const proxy = await fx.proxy();
    expect(() => proxy.latency(-1)).toThrow(RangeError);
    expect(() => proxy.latency(10, Number.NaN)).toThrow(RangeError);
    expect(() => proxy.bandwidth(0)).toThrow(RangeError);
    expect(() => proxy.slicer(0)).toThrow(RangeError);
    expect(() => proxy.slicer(1.5)).toThrow(RangeError);
    expect(() => proxy.limitData(-5)).toThrow(RangeError);
    expect(() => proxy.slowClose(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(proxy.toxics).toEqual({});
  });
});
