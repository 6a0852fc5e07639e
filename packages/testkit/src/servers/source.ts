import { ConfigError } from '@resilient-store/core';
import { dockerReachable } from './docker.js';
import { FaultInjectionUnsupportedError } from './errors.js';

/** Where a server came from: a URL the user brought, a testcontainers container, or a local binary. */
export type ServerSource = 'env' | 'container' | 'local';

/** `auto`: environment URL, else a container when Docker answers, else local binaries. */
export type ServerMode = 'auto' | 'local' | 'container';

export interface SourceOptions {
  /** Overrides RS_TEST_SERVERS for this server. */
  mode?: ServerMode | undefined;
  /** Look for binaries only here; implies local mode. */
  binDir?: string | undefined;
}

function modeFrom(value: string | undefined, field: string): ServerMode {
  if (value === undefined || value === '') return 'auto';
  if (value === 'auto' || value === 'local' || value === 'container') return value;
  throw new ConfigError(field, `must be auto, local or container, got ${JSON.stringify(value)}`);
}

export type ResolvedSource = { source: 'env'; value: string } | { source: 'container' | 'local' };

/**
 * A server offered as local processes only (cluster, sentinel: their nodes announce addresses
 * the host cannot reach inside containers), and what to say when containers are asked for.
 */
export interface LocalOnly {
  readonly server: string;
  readonly operation: string;
  /** What to do instead, e.g. "install redis-server locally". */
  readonly instead: string;
}

/**
 * Picks how to obtain a server. An explicit mode (option, then RS_TEST_SERVERS) wins; in auto
 * mode the URL in `envVar` wins, then Docker, then local binaries. Without `envVar` (a server
 * the testkit must configure itself) no URL is consulted. A `localOnly` server never runs in a
 * container: asking for one by name throws, and auto mode does not look for Docker.
 */
export async function resolveSource(
  envVar: string | undefined,
  opts: SourceOptions,
  localOnly?: LocalOnly,
): Promise<ResolvedSource> {
  if (opts.binDir !== undefined) return { source: 'local' };
  const mode =
    opts.mode !== undefined
      ? modeFrom(opts.mode, 'mode')
      : modeFrom(process.env.RS_TEST_SERVERS, 'RS_TEST_SERVERS');
  if (mode === 'container' && localOnly) {
    throw new FaultInjectionUnsupportedError(
      localOnly.server,
      localOnly.operation,
      `container mode is not supported (its nodes announce addresses the host cannot reach); ${localOnly.instead}`,
    );
  }
  if (mode === 'local' || mode === 'container') return { source: mode };
  const fromEnv = envVar === undefined ? undefined : process.env[envVar];
  if (fromEnv !== undefined && fromEnv.trim() !== '')
    return { source: 'env', value: fromEnv.trim() };
  if (localOnly) return { source: 'local' };
  return { source: (await dockerReachable()) ? 'container' : 'local' };
}
