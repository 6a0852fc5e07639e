import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findBinary } from './binaries.js';
import { startContainer } from './container.js';
import { credentialsOf, envControl, hostPortOf } from './env-server.js';
import { makeHandle, type ServerHandle } from './handle.js';
import { LocalServer } from './local-server.js';
import { LOOPBACK } from './ports.js';
import { redisPing } from './probes/resp.js';
import { resolveSource, type SourceOptions } from './source.js';
import { createTestCertificate, type TestCertificate } from './tls-certificate.js';

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
  /**
   * Serve TLS only, with a fresh self-signed certificate for 127.0.0.1 and localhost (the
   * handle's `tls.ca`). Clients do not need a certificate of their own. Such a server is
   * always started by the testkit: RS_TEST_REDIS_URL is not consulted.
   */
  tls?: boolean;
  readyTimeoutMs?: number;
}

/** What a client needs to trust a TLS test server. */
export interface RedisServerTls {
  /** The server's certificate, PEM: pass it as the `ca` TLS option. */
  readonly ca: string;
}

/**
 * A Redis server. `url` is `redis://[user:password@]127.0.0.1:PORT` (`rediss://` for a TLS
 * server), with the ACL user when one was requested, else `:password@` when a password was set.
 */
export interface RedisServer extends ServerHandle {
  readonly password: string | undefined;
  readonly user: RedisAclUser | undefined;
  /** Set for a server started with `tls: true`. */
  readonly tls: RedisServerTls | undefined;
}

export const REDIS_URL_ENV = 'RS_TEST_REDIS_URL';

export function redisUrl(
  host: string,
  port: number,
  password?: string,
  user?: RedisAclUser,
  tls = false,
): string {
  const enc = encodeURIComponent;
  const auth = user
    ? `${enc(user.name)}:${enc(user.password)}@`
    : password !== undefined
      ? `:${enc(password)}@`
      : '';
  return `${tls ? 'rediss' : 'redis'}://${auth}${host}:${port}`;
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

/** Where a TLS server finds its certificate and key, and the flags that make it serve TLS only. */
function tlsArgs(port: number, certFile: string, keyFile: string): string[] {
  return [
    // The last `port` wins: the plain-text port is closed and the TLS one takes its place.
    ...['--port', '0', '--tls-port', String(port)],
    ...['--tls-cert-file', certFile, '--tls-key-file', keyFile, '--tls-ca-cert-file', certFile],
    ...['--tls-auth-clients', 'no'],
  ];
}

/** Starts (or, from RS_TEST_REDIS_URL, adopts) a Redis server; see the README for the source order. */
export async function startRedis(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const resolved = await resolveSource(opts.tls ? undefined : REDIS_URL_ENV, opts);
  const certificate: TestCertificate | undefined = opts.tls
    ? await createTestCertificate()
    : undefined;
  const tls = certificate && { ca: certificate.cert };
  const extra = { password: opts.password, user: opts.user, tls };
  const url = (host: string, port: number) =>
    redisUrl(host, port, opts.password, opts.user, tls !== undefined);
  const probe = (host: string, port: number, timeoutMs: number) =>
    redisPing(host, port, { timeoutMs, password: opts.password, tls });

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
      { ...fromUrl, tls: undefined },
    );
  }

  if (resolved.source === 'container') {
    const [certFile, keyFile] = ['/tls/cert.pem', '/tls/key.pem'];
    const server = await startContainer({
      name: 'redis-server',
      image: 'redis:7-alpine',
      containerPort: 6379,
      command: [
        'redis-server',
        ...redisConfigArgs(opts),
        ...(certificate ? tlsArgs(6379, certFile, keyFile) : []),
      ],
      files: certificate && [
        { target: certFile, content: certificate.cert },
        { target: keyFile, content: certificate.key },
      ],
      probe,
      readyTimeoutMs: opts.readyTimeoutMs,
    });
    const { host, port } = server;
    return makeHandle({ host, port, url: url(host, port), source: 'container' }, server, extra);
  }

  const binary = findBinary('redis-server', 'redis', opts);
  const server = await LocalServer.start({
    name: 'redis-server',
    kind: 'redis',
    prepare: async (dir) => {
      if (!certificate) return;
      await writeFile(join(dir, 'cert.pem'), certificate.cert);
      await writeFile(join(dir, 'key.pem'), certificate.key, { mode: 0o600 });
    },
    launch: ([port], dir) => ({
      command: binary,
      args: [
        ...localRedisArgs(port!, dir),
        ...redisConfigArgs(opts),
        ...(certificate ? tlsArgs(port!, join(dir, 'cert.pem'), join(dir, 'key.pem')) : []),
      ],
    }),
    probe: (port, timeoutMs) => probe(LOOPBACK, port, timeoutMs),
    stopSignal: 'SIGTERM',
    readyTimeoutMs: opts.readyTimeoutMs,
  });
  return makeHandle(
    { host: LOOPBACK, port: server.port, url: url(LOOPBACK, server.port), source: 'local' },
    server,
    extra,
  );
}
