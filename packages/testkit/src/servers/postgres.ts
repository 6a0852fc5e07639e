import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chown } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findBinary, findSiblingBinary } from './binaries.js';
import { startContainer } from './container.js';
import { envControl, hostPortOf } from './env-server.js';
import { ServerStartError } from './errors.js';
import { makeHandle, type ServerControl, type ServerHandle } from './handle.js';
import { LocalServer } from './local-server.js';
import { type OsUser, unprivilegedUser } from './os-user.js';
import { LOOPBACK } from './ports.js';
import { PgError, pgReady, pgSimpleQuery } from './probes/pg-wire.js';
import { resolveSource, type SourceOptions } from './source.js';

const run = promisify(execFile);

export interface PostgresServerOptions extends SourceOptions {
  /** Extra `postgres` flags, e.g. ['-c', 'max_connections=20']. */
  args?: string[];
  /** Superuser name (trust authentication, no password). Default 'postgres'. */
  user?: string;
  /** Database to connect to, created when missing. Default 'postgres'. */
  database?: string;
  readyTimeoutMs?: number;
}

/** A PostgreSQL server. `url` is `postgres://USER@127.0.0.1:PORT/DATABASE` (trust auth, no password). */
export interface PostgresServer extends ServerHandle {
  readonly user: string;
  readonly database: string;
}

export const POSTGRES_URL_ENV = 'RS_TEST_POSTGRES_URL';

/** Speed over durability: a test server never survives an OS crash, only process crashes. */
const FAST_SETTINGS = ['-c', 'fsync=off', '-c', 'shared_buffers=32MB'];

async function initDataDir(initdb: string, dataDir: string, user: string, as: OsUser | undefined) {
  try {
    await run(
      initdb,
      ['-D', dataDir, '-U', user, '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
      { ...(as ? { uid: as.uid, gid: as.gid } : {}), cwd: '/', timeout: 60_000 },
    );
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    throw new ServerStartError(
      'initdb',
      `could not create a data directory in ${dataDir}:\n${output.stderr ?? ''}${output.stdout ?? ''}`,
      { cause: error },
    );
  }
}

async function ensureDatabase(host: string, port: number, user: string, database: string) {
  if (database === 'postgres') return;
  try {
    const ident = `"${database.replaceAll('"', '""')}"`;
    await pgSimpleQuery(host, port, { user, database: 'postgres' }, `CREATE DATABASE ${ident}`);
  } catch (error) {
    // 42P04 duplicate_database: an environment server that already has it.
    if (!(error instanceof PgError && error.sqlState === '42P04')) throw error;
  }
}

/** PIDs whose parent is `parent`, read from /proc (Linux). */
function childPids(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which may itself hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) children.push(Number(entry));
    } catch {
      // The process exited while we looked.
    }
  }
  return children;
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * PostgreSQL puts every backend process in a session of its own (setsid), so a signal to
 * the postmaster's process group leaves the backends serving their open connections.
 * Pausing the server means stopping them too: the postmaster first (no new backends),
 * then each child; resuming continues the children, then the postmaster.
 */
function continued(server: LocalServer): LocalServer {
  if (server.pid !== undefined) signalAll(childPids(server.pid), 'SIGCONT');
  return server;
}

function pausingEveryBackend(server: LocalServer): ServerControl {
  return {
    get pid() {
      return server.pid;
    },
    dir: server.dir,
    // A paused backend would ignore the shutdown and outlive its server: continue it first.
    stop: () => continued(server).stop(),
    kill: () => continued(server).kill(),
    restart: () => continued(server).restart(),
    logTail: (lines?: number) => server.logTail(lines),
    pause: async () => {
      await server.pause();
      if (server.pid !== undefined) signalAll(childPids(server.pid), 'SIGSTOP');
    },
    resume: async () => {
      await continued(server).resume();
    },
  };
}

/** Starts (or, from RS_TEST_POSTGRES_URL, adopts) a PostgreSQL server. */
export async function startPostgres(opts: PostgresServerOptions = {}): Promise<PostgresServer> {
  const resolved = await resolveSource(POSTGRES_URL_ENV, opts);
  const user = opts.user ?? 'postgres';
  const database = opts.database ?? 'postgres';
  const probe = (host: string, port: number, timeoutMs: number) =>
    pgReady(host, port, { user, database: 'postgres', timeoutMs });
  const url = (host: string, port: number) =>
    `postgres://${encodeURIComponent(user)}@${host}:${port}/${encodeURIComponent(database)}`;

  if (resolved.source === 'env') {
    const parsed = new URL(resolved.value);
    const { host, port } = hostPortOf(resolved.value, 5432);
    const control = envControl(`postgres at ${host}:${port}`, POSTGRES_URL_ENV);
    const extra = {
      user: decodeURIComponent(parsed.username) || user,
      database: decodeURIComponent(parsed.pathname.slice(1)) || database,
    };
    return makeHandle({ host, port, url: resolved.value, source: 'env' }, control, extra);
  }

  if (resolved.source === 'container') {
    const server = await startContainer({
      name: 'postgres',
      image: 'postgres:16-alpine',
      containerPort: 5432,
      environment: { POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_USER: user },
      command: ['postgres', ...FAST_SETTINGS, ...(opts.args ?? [])],
      probe,
      readyTimeoutMs: opts.readyTimeoutMs ?? 60_000,
    });
    await ensureDatabase(server.host, server.port, user, database);
    const { host, port } = server;
    return makeHandle({ host, port, url: url(host, port), source: 'container' }, server, {
      user,
      database,
    });
  }

  const postgres = findBinary('postgres', 'postgres', opts);
  const initdb = findSiblingBinary('initdb', postgres, 'postgres', opts);
  const as = await unprivilegedUser('postgres', 'postgres');
  const server = await LocalServer.start({
    name: 'postgres',
    kind: 'postgres',
    prepare: async (dir) => {
      // The server user must own its directory (initdb demands it) and the socket lives there.
      if (as) await chown(dir, as.uid, as.gid);
      await initDataDir(initdb, join(dir, 'data'), user, as);
    },
    launch: ([port], dir) => ({
      command: postgres,
      args: [
        '-D',
        join(dir, 'data'),
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        `listen_addresses=${LOOPBACK}`,
        ...FAST_SETTINGS,
        ...(opts.args ?? []),
      ],
      uid: as?.uid,
      gid: as?.gid,
    }),
    probe: (port, timeoutMs) => probe(LOOPBACK, port, timeoutMs),
    // SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for every client to leave.
    stopSignal: 'SIGINT',
    readyTimeoutMs: opts.readyTimeoutMs ?? 30_000,
  });
  try {
    await ensureDatabase(LOOPBACK, server.port, user, database);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return makeHandle(
    { host: LOOPBACK, port: server.port, url: url(LOOPBACK, server.port), source: 'local' },
    pausingEveryBackend(server),
    {
      user,
      database,
    },
  );
}
