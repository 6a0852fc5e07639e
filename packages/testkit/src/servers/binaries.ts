import { accessSync, constants, readdirSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { ServerBinaryNotFoundError } from './errors.js';

/** How to get each server's binaries, shown when one is missing. */
export const INSTALL_HINTS = {
  redis:
    'Install Redis (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis), ' +
    'or set RS_TEST_REDIS_URL / RS_TEST_REDIS_CLUSTER_URLS to use an existing server.',
  memcached:
    'Install memcached (Debian/Ubuntu: apt-get install -y memcached; macOS: brew install memcached), ' +
    'or set RS_TEST_MEMCACHED_URL to use an existing server.',
  postgres:
    'Install PostgreSQL (Debian/Ubuntu: apt-get install -y postgresql; macOS: brew install postgresql), ' +
    'or set RS_TEST_POSTGRES_URL to use an existing server.',
  openssl:
    'Install OpenSSL, which makes the certificates of TLS test servers ' +
    '(Debian/Ubuntu: apt-get install -y openssl; macOS: brew install openssl).',
} as const;

export type ServerFamily = keyof typeof INSTALL_HINTS;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Debian installs each PostgreSQL major under /usr/lib/postgresql/<major>/bin; newest first. */
function postgresVersionDirs(): string[] {
  try {
    return readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
      .map((v) => `/usr/lib/postgresql/${v}/bin`);
  } catch {
    return [];
  }
}

/** Directories searched for server binaries: PATH first (the user's choice), then the usual system places. */
export function searchDirs(): string[] {
  const fromPath = (process.env.PATH ?? '').split(delimiter).filter((d) => d.length > 0);
  const system = [
    '/usr/bin',
    '/usr/sbin',
    '/usr/local/bin',
    '/usr/local/sbin',
    '/opt/homebrew/bin',
  ];
  return [...new Set([...fromPath, ...system, ...postgresVersionDirs(), '/usr/local/pgsql/bin'])];
}

export interface FindBinaryOptions {
  /** Look only in this directory (tests and unusual installs). */
  binDir?: string | undefined;
}

/**
 * Path of `name` as found, links not resolved: Debian's redis-server is a link to a multi-call
 * binary that picks its behaviour from the name it was started under.
 */
export function findBinary(
  name: string,
  family: ServerFamily,
  opts: FindBinaryOptions = {},
): string {
  const dirs = opts.binDir !== undefined ? [opts.binDir] : searchDirs();
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  throw new ServerBinaryNotFoundError(name, dirs, INSTALL_HINTS[family]);
}

/**
 * `name` from the real directory of `sibling` (a PATH link resolved), else searched like any
 * binary: PostgreSQL's initdb must come from the same version directory as its `postgres`.
 */
export function findSiblingBinary(
  name: string,
  sibling: string,
  family: ServerFamily,
  opts: FindBinaryOptions = {},
): string {
  const beside = join(dirname(realpathSync(sibling)), name);
  return isExecutable(beside) ? beside : findBinary(name, family, opts);
}
