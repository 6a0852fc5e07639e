import { findBinary } from './binaries.js';
import { startContainer } from './container.js';
import { credentialsOf, envControl, hostPortOf } from './env-server.js';
import { makeHandle, type ServerHandle } from './handle.js';
import { LocalServer } from './local-server.js';
import { LOOPBACK } from './ports.js';
import { redisPing } from './probes/resp.js';
import { resolveSource, type SourceOptions } from './source.js';

export interface RedisAclUser {
  name: string;
  password: string;
}

export interface RedisServerOptions extends SourceOptions {
  /** Extra redis-server flags, e.g. ['--maxmemory', '10mb']. */
  args?: string[];
  /** Keep data across restart() and kill() (AOF on). Default false: `--save "" --appendonly no`. */
  persistence?: boolean;
  /** requirepass for the default user. */
  password?: string;
  /** An extra ACL user with full access, for ACL-login tests. */
  user?: RedisAclUser;
  readyTimeoutMs?: number;
}

/**
 * A Redis server. `url` is `redis://[user:password@]127.0.0.1:PORT`, with the ACL user when one
 * was requested, else `:password@` when a password was set.
 */
export interface RedisServer extends ServerHandle {
  readonly password: string | undefined;
  readonly user: RedisAclUser | undefined;
}

export const REDIS_URL_ENV = 'RS_TEST_REDIS_URL';

export function redisUrl(
  host: string,
  port: number,
  password?: string,
  user?: RedisAclUser,
): string {
  const enc = encodeURIComponent;
  const auth = user
    ? `${enc(user.name)}:${enc(user.password)}@`
    : password !== undefined
      ? `:${enc(password)}@`
      : '';
  return `redis://${auth}${host}:${port}`;
}

/** Flags of a local redis-server process: where it listens and keeps its files, in the foreground. */
export function localRedisArgs(port: number, dir: string): string[] {
  return ['--port', String(port), '--bind', LOOPBACK, '--dir', dir, '--daemonize', 'no'];
}

/** redis-server flags shared by local and container servers (no port, no directory). */
export function redisConfigArgs(opts: RedisServerOptions): string[] {
  const args = opts.persistence
    ? ['--appendonly', 'yes', '--appendfsync', 'everysec']
    : ['--save', '', '--appendonly', 'no'];
  if (opts.password !== undefined) args.push('--requirepass', opts.password);
  if (opts.user) {
    args.push('--user', opts.user.name, 'on', `>${opts.user.password}`, '~*', '&*', '+@all');
  }
  return [...args, ...(opts.args ?? [])];
}

/** Starts (or, from RS_TEST_REDIS_URL, adopts) a Redis server; see the README for the source order. */
export async function startRedis(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const resolved = await resolveSource(REDIS_URL_ENV, opts);
  const extra = { password: opts.password, user: opts.user };
  const probe = (host: string, port: number, timeoutMs: number) =>
    redisPing(host, port, { timeoutMs, password: opts.password });

  if (resolved.source === 'env') {
    const { host, port } = hostPortOf(resolved.value, 6379);
    const url = resolved.value;
    const { username, password } = credentialsOf(url);
    const fromUrl = {
      password: username ? undefined : password,
      user: username && password !== undefined ? { name: username, password } : undefined,
    };
    return makeHandle(
      { host, port, url, source: 'env' },
      envControl(`redis at ${host}:${port}`, REDIS_URL_ENV),
      fromUrl,
    );
  }

  if (resolved.source === 'container') {
    const server = await startContainer({
      name: 'redis-server',
      image: 'redis:7-alpine',
      containerPort: 6379,
      command: ['redis-server', ...redisConfigArgs(opts)],
      probe,
      readyTimeoutMs: opts.readyTimeoutMs,
    });
    const { host, port } = server;
    return makeHandle(
      { host, port, url: redisUrl(host, port, opts.password, opts.user), source: 'container' },
      server,
      extra,
    );
  }

  const binary = findBinary('redis-server', 'redis', opts);
  const server = await LocalServer.start({
    name: 'redis-server',
    kind: 'redis',
    launch: ([port], dir) => ({
      command: binary,
      args: [...localRedisArgs(port!, dir), ...redisConfigArgs(opts)],
    }),
    probe: (port, timeoutMs) => probe(LOOPBACK, port, timeoutMs),
    stopSignal: 'SIGTERM',
    readyTimeoutMs: opts.readyTimeoutMs,
  });
  const url = redisUrl(LOOPBACK, server.port, opts.password, opts.user);
  return makeHandle({ host: LOOPBACK, port: server.port, url, source: 'local' }, server, extra);
}
