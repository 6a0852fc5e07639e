/**
 * Builds the conversation service: a fastify app whose pino logger is also the store's,
 * a ResilientStore over the configured backends (memory fallback last), the API, the
 * health and metrics endpoints, and the status page. `startService` also listens.
 */
import { createStore, type ResilientStore } from '@resilient-store/core';
import { instrument } from '@resilient-store/prometheus';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { ServiceConfig } from './config.js';
import { registerConversationRoutes } from './conversation-routes.js';
import { registerHealthRoutes } from './health-routes.js';
import { BODY_LIMIT_BYTES } from './schemas.js';
import { registerStatusPage } from './status-page.js';
import { type CacheStatus, Traffic } from './traffic.js';

export interface ServiceOptions {
  readonly config: ServiceConfig;
  /** A pino logger to use instead of one made from `config.logLevel`. */
  readonly logger?: FastifyBaseLogger;
}

export interface Service {
  readonly app: FastifyInstance;
  readonly store: ResilientStore;
  readonly traffic: Traffic;
  /** The address it listens on, once `listen` resolved, e.g. http://127.0.0.1:3000. */
  url: string | undefined;
  listen(): Promise<string>;
  close(): Promise<void>;
}

const API_PREFIX = '/v1/';

export async function buildService({ config, logger }: ServiceOptions): Promise<Service> {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: { level: config.logLevel } }),
    bodyLimit: BODY_LIMIT_BYTES,
    // A JSON API takes what it is sent or refuses it: no quiet coercion of types and no
    // quiet removal of unknown fields (fastify's defaults), a 400 naming the field instead.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    // fastify's request lines carry the URL, and with it user ids: requests are counted
    // in metrics instead, and the lines below leave every user string out.
    logController: new LogController({ disableRequestLogging: true }),
  });

  if (config.backends.length === 0) {
    app.log.info(
      'no cache backend configured (REDIS_URL, DATABASE_URL, MEMCACHED_SERVERS): ' +
        'running on the in-process memory backend alone',
    );
  }
  // A backend whose package is missing or whose server does not answer is left out or
  // reported down by the store, with one log line saying what to install or start: the
  // service starts either way.
  const store = await createStore({ backends: [...config.backends], logger: app.log });
  const traffic = new Traffic(store);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  instrument(store, { registry, name: 'conversation-service' });
  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'API request duration by route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  let closing = false;
  const cacheStatuses = new WeakMap<object, CacheStatus>();
  registerConversationRoutes(app, {
    store,
    answerDelayMs: config.answerDelayMs,
    noteCacheStatus: (request, status) => cacheStatuses.set(request, status),
  });
  registerHealthRoutes(app, store, registry, () => closing);
  registerStatusPage(app, store, traffic);

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route === undefined || !route.startsWith(API_PREFIX)) return;
    const ms = reply.elapsedTime;
    traffic.record(reply.statusCode, ms, cacheStatuses.get(request));
    requestDuration.observe(
      { method: request.method, route, status_code: reply.statusCode },
      ms / 1000,
    );
    request.log.debug({ route, statusCode: reply.statusCode, ms }, 'request answered');
  });

  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: 'Not Found', message: 'no such route' }),
  );
  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status < 500) {
      // Validation errors and refused bodies: the client's to fix, named in the answer.
      return reply.code(status).send({ error: httpStatusText(status), message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply
      .code(500)
      .send({ error: 'Internal Server Error', message: 'the request could not be completed' });
  });

  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onClose', async () => {
    traffic.stop();
    await store.close();
  });

  const service: Service = {
    app,
    store,
    traffic,
    url: undefined,
    async listen() {
      const address = await app.listen({ port: config.port, host: config.host });
      traffic.start();
      // Loopback instead of 0.0.0.0, so the address can be opened as printed.
      service.url = address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1');
      return service.url;
    },
    close: () => app.close(),
  };
  return service;
}

function httpStatusText(status: number): string {
  const names: Record<number, string> = {
    400: 'Bad Request',
    404: 'Not Found',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
  };
  return names[status] ?? 'Client Error';
}
