/**
 * The status page: `GET /` serves it, `GET /status/:asset` its files, and
 * `GET /status/events` feeds it with server-sent events: `snapshot` once (the kept
 * history and the store's health), then `second` every second and `state` at every
 * change of the store's state, as it happens.
 */
import type { ResilientStore } from '@resilient-store/core';
import type { FastifyInstance } from 'fastify';
import { statusAssets } from './status-assets.js';
import type { Traffic } from './traffic.js';

/** A comment line now and then keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

export function registerStatusPage(
  app: FastifyInstance,
  store: ResilientStore,
  traffic: Traffic,
): void {
  const streams = new Set<() => void>();

  app.get('/', (_request, reply) => {
    const page = statusAssets()['index.html']!;
    return reply.type(page.type).send(page.body);
  });

  app.get<{ Params: { asset: string } }>(
    '/status/:asset',
    { schema: { params: { type: 'object', properties: { asset: { type: 'string' } } } } },
    (request, reply) => {
      const asset = Object.hasOwn(statusAssets(), request.params.asset)
        ? statusAssets()[request.params.asset]
        : undefined;
      if (asset === undefined || request.params.asset === 'index.html') {
        return reply.code(404).send({ error: 'Not Found', message: 'no such status asset' });
      }
      return reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body);
    },
  );

  app.get('/status/events', (_request, reply) => {
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const send = (event: string, data: unknown) =>
      out.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('snapshot', { history: traffic.history(), health: store.health() });
    const unsubscribe = traffic.subscribe({
      second: (point) => send('second', point),
      state: (change) => send('state', change),
    });
    const keepalive = setInterval(() => out.write(': keepalive\n\n'), KEEPALIVE_MS);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(keepalive);
      unsubscribe();
      streams.delete(end);
      out.end();
    };
    streams.add(end);
    out.on('close', end);
  });

  // Open streams would hold the server's close forever: end them first.
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
}
