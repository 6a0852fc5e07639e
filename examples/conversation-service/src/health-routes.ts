/**
 * `GET /healthz`: 200 while at least one backend serves, 503 when none can; the body is
 * `store.health()`. `GET /readyz`: 200 once the service takes traffic, 503 while it
 * shuts down or while no backend can serve. `GET /metrics`: Prometheus text format.
 */
import type { ResilientStore } from '@resilient-store/core';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export function registerHealthRoutes(
  app: FastifyInstance,
  store: ResilientStore,
  registry: Registry,
  isClosing: () => boolean,
): void {
  app.get('/healthz', async (_request, reply) => {
    const health = store.health();
    return reply.code(health.status === 'down' ? 503 : 200).send(health);
  });

  app.get('/readyz', async (_request, reply) => {
    const serving = store.health().active !== null;
    const ready = serving && !isClosing();
    return reply.code(ready ? 200 : 503).send({
      ready,
      reason: ready ? undefined : isClosing() ? 'shutting down' : 'no cache backend can serve',
    });
  });

  app.get('/metrics', async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
