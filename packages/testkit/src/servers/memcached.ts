import { findBinary } from './binaries.js';
import { startContainer } from './container.js';
import { envControl, hostPortOf } from './env-server.js';
import { makeHandle, type ServerHandle } from './handle.js';
import { LocalServer } from './local-server.js';
import { LOOPBACK } from './ports.js';
import { memcachedPing } from './probes/memcached-text.js';
import { resolveSource, type SourceOptions } from './source.js';

export interface MemcachedServerOptions extends SourceOptions {
  /** Extra memcached flags, e.g. ['-I', '2m'] for a 2 MiB item limit. */
  args?: string[];
  readyTimeoutMs?: number;
}

/** A memcached server. `url` is `127.0.0.1:PORT`, the server string memjs and most clients take. */
export type MemcachedServer = ServerHandle;

export const MEMCACHED_URL_ENV = 'RS_TEST_MEMCACHED_URL';

/** Starts (or, from RS_TEST_MEMCACHED_URL, adopts) a memcached server. */
export async function startMemcached(opts: MemcachedServerOptions = {}): Promise<MemcachedServer> {
  const resolved = await resolveSource(MEMCACHED_URL_ENV, opts);
  const extra = {};
  if (resolved.source === 'env') {
    const { host, port } = hostPortOf(resolved.value, 11211);
    const control = envControl(`memcached at ${host}:${port}`, MEMCACHED_URL_ENV);
    return makeHandle({ host, port, url: `${host}:${port}`, source: 'env' }, control, extra);
  }

  if (resolved.source === 'container') {
    const server = await startContainer({
      name: 'memcached',
      image: 'memcached:1.6-alpine',
      containerPort: 11211,
      command: ['memcached', ...(opts.args ?? [])],
      probe: memcachedPing,
      readyTimeoutMs: opts.readyTimeoutMs,
    });
    const { host, port } = server;
    return makeHandle({ host, port, url: `${host}:${port}`, source: 'container' }, server, extra);
  }

  const binary = findBinary('memcached', 'memcached', opts);
  // memcached refuses to run as root unless told which user to become.
  const asUser = process.getuid?.() === 0 ? ['-u', 'root'] : [];
  const server = await LocalServer.start({
    name: 'memcached',
    kind: 'memcached',
    launch: ([port]) => ({
      command: binary,
      args: [
        '-l',
        LOOPBACK,
        '-p',
        String(port),
        '-U',
        '0',
        '-t',
        '1',
        ...asUser,
        ...(opts.args ?? []),
      ],
    }),
    probe: (port, timeoutMs) => memcachedPing(LOOPBACK, port, timeoutMs),
    stopSignal: 'SIGTERM',
    readyTimeoutMs: opts.readyTimeoutMs,
  });
  const url = `${LOOPBACK}:${server.port}`;
  return makeHandle({ host: LOOPBACK, port: server.port, url, source: 'local' }, server, extra);
}
