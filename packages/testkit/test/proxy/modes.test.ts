import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/servers/index.js';
import { useProxyFixture } from './fixture.js';
import { connectError, firstError, RespClient, sleep, waitFor } from './resp-client.js';

/** How long a command must stay unanswered to count as never answered. */
const SILENCE_MS = 500;

describe('fault proxy modes', () => {
  const fx = useProxyFixture();

  it('forwards traffic unchanged and counts open connections', async () => {
    const proxy = await fx.proxy();
    expect(proxy.mode).toBe('up');
    expect(proxy.url()).toBe(`redis://127.0.0.1:${proxy.port}`);
    expect(proxy.url('tcp')).toBe(`tcp://127.0.0.1:${proxy.port}`);

    const client = await fx.client(proxy);
    expect(await client.command('PING')).toBe('+PONG\r\n');
    const value = 'x'.repeat(100_000);
    expect(await client.command('SET', 'proxy:modes:plain', value)).toBe('+OK\r\n');
    expect(await client.command('GET', 'proxy:modes:plain')).toBe(
      `$${value.length}\r\n${value}\r\n`,
    );
    await waitFor(() => proxy.connectionCount === 1);

    await client.close();
    await waitFor(() => proxy.connectionCount === 0);
  });

  it('listens on the requested port', async () => {
    const port = await freePort();
    const proxy = await fx.proxy(port);
    expect(proxy.port).toBe(port);
    expect(await (await fx.client(proxy)).command('PING')).toBe('+PONG\r\n');
  });

  it('down() closes open connections and refuses new ones; up() serves on the same port', async () => {
    const proxy = await fx.proxy();
    const port = proxy.port;
    const open = await fx.client(proxy);
    expect(await open.command('PING')).toBe('+PONG\r\n');

    await proxy.down();
    expect(proxy.mode).toBe('down');
    await open.closed;
    expect(open.isClosed).toBe(true);
    expect((await connectError(port)).code).toBe('ECONNREFUSED');
    expect(proxy.connectionCount).toBe(0);

    await proxy.up();
    expect(proxy.port).toBe(port);
    expect(await (await fx.client(proxy)).command('PING')).toBe('+PONG\r\n');
  });

  it('up() rejects while another listener holds the port, and stays down until it can bind', async () => {
    const proxy = await fx.proxy();
    await proxy.down();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(proxy.port, proxy.host, resolve));
    try {
      await expect(proxy.up()).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(proxy.mode).toBe('down');
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
    await proxy.up();
    expect(await (await fx.client(proxy)).command('PING')).toBe('+PONG\r\n');
  });

  it('heal() after down() restores service on the same port and clears toxics', async () => {
    const proxy = await fx.proxy();
    const port = proxy.port;
    proxy.latency(200);
    await proxy.down();
    await proxy.heal();

    expect(proxy.mode).toBe('up');
    expect(proxy.port).toBe(port);
    expect(proxy.toxics).toEqual({});
    expect(await (await fx.client(proxy)).command('PING')).toBe('+PONG\r\n');
  });

  it('resetPeer() resets open and new connections with ECONNRESET', async () => {
    const proxy = await fx.proxy();
    const open = await fx.client(proxy);
    expect(await open.command('PING')).toBe('+PONG\r\n');

    await proxy.resetPeer();
    await open.closed;
    expect(open.errors.map((error) => error.code)).toEqual(['ECONNRESET']);

    // The kernel completes the handshake, then the proxy answers with a RST, which can
    // reach the client before or after it has seen the connection established.
    expect((await firstError(proxy.port)).code).toBe('ECONNRESET');
    expect(proxy.connectionCount).toBe(0);

    await proxy.heal();
    expect(await (await fx.client(proxy)).command('PING')).toBe('+PONG\r\n');
  });

  it('blackhole() answers nothing on open and new connections, which stay open', async () => {
    const proxy = await fx.proxy();
    const open = await fx.client(proxy);
    expect(await open.command('PING')).toBe('+PONG\r\n');

    await proxy.blackhole();
    const fresh = await fx.client(proxy);
    open.send('PING');
    fresh.send('PING');
    await sleep(SILENCE_MS);
    expect(open.bytesReceived).toBe('+PONG\r\n'.length);
    expect(fresh.bytesReceived).toBe(0);
    expect(open.isClosed).toBe(false);
    expect(fresh.isClosed).toBe(false);
    expect(proxy.connectionCount).toBe(2);

    // Blackholed bytes are dropped, not replayed: after up() each PING gets exactly one PONG.
    await proxy.up();
    expect(await open.command('PING')).toBe('+PONG\r\n');
    expect(await fresh.command('PING')).toBe('+PONG\r\n');
    await sleep(50);
    expect(open.bytesReceived).toBe(2 * '+PONG\r\n'.length);
    expect(fresh.bytesReceived).toBe('+PONG\r\n'.length);
  });

  it('blackhole() freezes a reply already in flight', async () => {
    const proxy = await fx.proxy();
    const value = 'b'.repeat(50_000);
    await (await fx.direct()).command('SET', 'proxy:modes:frozen', value);
    const client = await fx.client(proxy);
    proxy.slicer(1_000, 5);

    client.send('GET', 'proxy:modes:frozen');
    await waitFor(() => client.bytesReceived > 0);
    await proxy.blackhole();
    // A slice written just before the switch may still be on its way through loopback.
    await sleep(20);
    const frozenAt = client.bytesReceived;
    await sleep(SILENCE_MS);

    expect(frozenAt).toBeLessThan(value.length);
    expect(client.bytesReceived).toBe(frozenAt);
    expect(client.isClosed).toBe(false);
  });

  it('holds a close back while blackholed and delivers it once up again', async () => {
    const proxy = await fx.proxy();
    const client = await fx.client(proxy);
    expect(await client.command('PING')).toBe('+PONG\r\n');

    await proxy.blackhole();
    client.socket.end();
    await sleep(200);
    expect(client.isClosed).toBe(false);
    expect(proxy.connectionCount).toBe(1);

    await proxy.up();
    await client.closed;
    await waitFor(() => proxy.connectionCount === 0);
  });

  it('mode changes are serialized and the last one wins', async () => {
    const proxy = await fx.proxy();
    const changes = [proxy.down(), proxy.blackhole(), proxy.resetPeer(), proxy.down(), proxy.up()];
    await Promise.all(changes);
    expect(proxy.mode).toBe('up');
    const client = await RespClient.connect(proxy.port);
    try {
      expect(await client.command('PING')).toBe('+PONG\r\n');
    } finally {
      await client.close();
    }
  });

  it('rejects mode changes after close()', async () => {
    const proxy = await fx.proxy();
    await proxy.close();
    await proxy.close();
    await expect(proxy.up()).rejects.toThrow('closed');
    expect((await connectError(proxy.port)).code).toBe('ECONNREFUSED');
  });
});
