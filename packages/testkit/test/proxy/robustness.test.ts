import { createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startFaultProxy } from '../../src/proxy/index.js';
import { freePort } from '../../src/servers/index.js';
import { useProxyFixture } from './fixture.js';
import { connectError, RespClient, sleep, waitFor } from './resp-client.js';

/** The handle kinds a proxy creates: sockets, its listener, and its timers. */
const TRACKED = new Set(['TCPSocketWrap', 'TCPServerWrap', 'Timeout']);

/**
 * Tracked resources once the test runner's own start-of-test timer (about 100 ms) is done,
 * so the baseline holds only what outlives the proxy under test.
 */
async function baselineResources(): Promise<Record<string, number>> {
  await sleep(200);
  return trackedResources();
}

function trackedResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (TRACKED.has(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/**
 * Fails if more sockets, listeners or timers are active than in `before`. The test runner
 * keeps short timers of its own, so a count is allowed a moment to come back down; the
 * proxy's timers in these tests are set for 10 s, so a leaked one is still there.
 */
async function expectNothingLeaked(before: Record<string, number>): Promise<void> {
  const grown = () =>
    Object.entries(trackedResources()).filter(([kind, count]) => count > (before[kind] ?? 0));
  await waitFor(() => grown().length === 0, 1_000).catch(() => undefined);
  expect(Object.fromEntries(grown())).toEqual({});
}

interface Target {
  readonly port: number;
  /** Destroys every connection the target accepted. */
  dropAll(): void;
  stop(): Promise<void>;
}

/** A target of our own that misbehaves on purpose, so faults on the server side are exact. */
async function startTarget(onConnection: (socket: Socket) => void): Promise<Target> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: address.port,
    dropAll,
    stop: async () => {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Output memory Redis holds for the client named `name`, from CLIENT LIST. */
async function redisOutputMemory(direct: RespClient, name: string): Promise<number> {
  const list = await direct.command('CLIENT', 'LIST');
  const line = list.split('\n').find((entry) => entry.includes(` name=${name} `));
  const match = line?.match(/ omem=(\d+)/);
  if (match?.[1] === undefined) throw new Error(`client ${name} not in CLIENT LIST`);
  return Number(match[1]);
}

describe('fault proxy robustness', () => {
  const fx = useProxyFixture();

  it('close() destroys every socket and timer, even with traffic held by toxics', async () => {
    const { host, port } = fx.redis;
    const before = await baselineResources();
    const proxy = await startFaultProxy({ target: { host, port } });

    const clients = await Promise.all([1, 2, 3].map(() => RespClient.connect(proxy.port)));
    const [first, second, third] = clients;
    expect(await first?.command('PING')).toBe('+PONG\r\n');
    // Hold traffic in timers: delayed PINGs, a slowed close, a reset mid-transfer.
    proxy.latency(10_000);
    proxy.slowClose(10_000);
    first?.send('PING');
    second?.send('PING');
    third?.socket.end();
    // The bytes are already in the proxy's receive buffers; one event-loop turn reads them,
    // leaving two delayed PINGs and one delayed close waiting in the proxy's timers.
    await sleep(50);
    expect(trackedResources().Timeout ?? 0).toBeGreaterThanOrEqual(3);
    expect(proxy.connectionCount).toBe(3);

    await proxy.close();
    expect(proxy.connectionCount).toBe(0);
    await Promise.all(clients.map((client) => client.closed));
    expect((await connectError(proxy.port)).code).toBe('ECONNREFUSED');
    await expectNothingLeaked(before);
  });

  it('a client resetting mid-transfer leaves nothing behind', async () => {
    const { host, port } = fx.redis;
    const value = 'r'.repeat(200_000);
    await (await fx.direct()).command('SET', 'proxy:robust:reset', value);
    const before = await baselineResources();
    const proxy = await startFaultProxy({ target: { host, port } });
    // One slice, then a long wait in a timer: the reset lands while that timer is pending.
    proxy.slicer(1_000, 10_000);

    const client = await RespClient.connect(proxy.port);
    client.send('GET', 'proxy:robust:reset');
    await waitFor(() => client.bytesReceived > 0);
    client.socket.resetAndDestroy();
    await client.closed;
    await waitFor(() => proxy.connectionCount === 0);

    // The proxy keeps serving.
    const next = await RespClient.connect(proxy.port);
    expect(await next.command('PING')).toBe('+PONG\r\n');
    await next.close();
    await proxy.close();
    await expectNothingLeaked(before);
  });

  it('a server reset reaches the client as ECONNRESET', async () => {
    const target = await startTarget((socket) =>
      socket.once('data', () => socket.resetAndDestroy()),
    );
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: target.port } });
    try {
      const client = await RespClient.connect(proxy.port);
      client.send('PING');
      await client.closed;
      expect(client.errors.map((error) => error.code)).toEqual(['ECONNRESET']);
      await waitFor(() => proxy.connectionCount === 0);
    } finally {
      await proxy.close();
      await target.stop();
    }
  });

  it('an unreachable target closes the client connection', async () => {
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: await freePort() } });
    try {
      const client = await RespClient.connect(proxy.port);
      await client.closed;
      expect(client.bytesReceived).toBe(0);
      await waitFor(() => proxy.connectionCount === 0);
    } finally {
      await proxy.close();
    }
  });

  it('survives peers that vanish during faults', async () => {
    // The target answers every byte, so the proxy writes while peers disappear.
    const target = await startTarget((socket) => socket.on('data', (data) => socket.write(data)));
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: target.port } });
    try {
      proxy.slicer(10, 1);
      const clients = await Promise.all(
        Array.from({ length: 6 }, () => RespClient.connect(proxy.port)),
      );
      for (const client of clients) client.socket.write(Buffer.alloc(2_000, 1));
      await sleep(5);
      clients[0]?.socket.resetAndDestroy();
      clients[1]?.socket.destroy();
      clients[2]?.socket.end();
      target.dropAll();
      await proxy.resetPeer();
      await Promise.all(clients.map((client) => client.closed));
      await waitFor(() => proxy.connectionCount === 0);

      await proxy.heal();
      const client = await RespClient.connect(proxy.port);
      expect(await client.command('PING')).toBe('*1\r\n$4\r\nPING\r\n');
      await client.close();
    } finally {
      await proxy.close();
      await target.stop();
    }
  });

  it('respects backpressure: a client that stops reading stalls the server, not proxy memory', async () => {
    const proxy = await fx.proxy();
    const direct = await fx.direct();
    const size = 64 * 1024 * 1024;
    const value = Buffer.alloc(size, 'p');
    expect(await direct.command('SET', 'proxy:robust:huge', value)).toBe('+OK\r\n');

    const client = await fx.client(proxy);
    expect(await client.command('CLIENT', 'SETNAME', 'proxy-backpressure')).toBe('+OK\r\n');
    client.socket.pause();
    client.send('GET', 'proxy:robust:huge');
    await sleep(300);

    // Most of the reply is still queued inside Redis: the proxy stopped reading from it
    // instead of buffering what the client would not take.
    const held = await redisOutputMemory(direct, 'proxy-backpressure');
    expect(held).toBeGreaterThan(size / 4);

    client.socket.resume();
    const reply = await client.read(20_000);
    expect(reply.length).toBe(`$${size}\r\n`.length + size + 2);
    expect(reply.subarray(-3).toString()).toBe('p\r\n');
    await direct.command('DEL', 'proxy:robust:huge');
  });
});
