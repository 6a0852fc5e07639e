import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type FaultProxy,
  type PostgresServer,
  startFaultProxy,
  startPostgres,
} from '@resilient-store/testkit';
import { onTestFinished } from 'vitest';

/** The URL of `server`'s database reached through `proxy`. */
export function proxiedUrl(server: PostgresServer, proxy: FaultProxy): string {
  return `postgres://${encodeURIComponent(server.user)}@${proxy.host}:${proxy.port}/${encodeURIComponent(server.database)}`;
}

/**
 * A PostgreSQL server behind the testkit's fault proxy. The server is stopped by the
 * testkit's vitest setup; the proxy is closed when the test ends.
 */
export async function startProxiedPostgres(): Promise<{
  server: PostgresServer;
  proxy: FaultProxy;
  url: string;
}> {
  const server = await startPostgres();
  const proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
  onTestFinished(() => proxy.close());
  return { server, proxy, url: proxiedUrl(server, proxy) };
}

/**
 * A PostgreSQL server that asks every user but the superuser for a password over TCP
 * (scram-sha-256); the superuser keeps trust so the testkit can probe and administer it.
 */
export async function startPostgresWithPasswords(): Promise<PostgresServer> {
  const dir = await mkdtemp(join(tmpdir(), 'rs-pg-hba-'));
  const hba = join(dir, 'pg_hba.conf');
  await writeFile(
    hba,
    [
      'local all all trust',
      'host all postgres 127.0.0.1/32 trust',
      'host all all 127.0.0.1/32 scram-sha-256',
      '',
    ].join('\n'),
  );
  // The server runs as an unprivileged user, which must be able to read the file.
  await chmod(dir, 0o755);
  await chmod(hba, 0o644);
  return startPostgres({ args: ['-c', `hba_file=${hba}`] });
}
