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
 * Picks how to obtain a server. An explicit mode (option, then RS_TEST_SERVERS) wins; in auto
 * mode the URL in `envVar` wins, then Docker, then local binaries. Without `envVar` (a server
 * the testkit must configure itself) no URL is consulted.
 */
export async function resolveSource(
  envVar: string | undefined,
  opts: SourceOptions,
): Promise<ResolvedSource> {
  if (opts.binDir !== undefined) return { source: 'local' };
  const mode =
    opts.mode !== undefined
      ? modeFrom(opts.mode, 'mode')
      : modeFrom(process.env.RS_TEST_SERVERS, 'RS_TEST_SERVERS');
  if (mode === 'local' || mode === 'container') return { source: mode };
  const fromEnv = envVar === undefined ? undefined : process.env[envVar];
  if (fromEnv !== undefined && fromEnv.trim() !== '')
    return { source: 'env', value: fromEnv.trim() };
  return { source: (await dockerReachable()) ? 'container' : 'local' };
}

/**
 * For servers offered as local processes only (cluster, sentinel: their nodes announce
 * addresses the host cannot reach from inside containers): refuses a request for containers
 * by name (option or RS_TEST_SERVERS). In auto mode such servers simply run locally.
 */
export function refuseContainerMode(
  server: string,
  operation: string,
  instead: string,
  opts: SourceOptions,
): void {
  const mode = opts.mode ?? process.env.RS_TEST_SERVERS;
  if (mode !== 'container' || opts.binDir !== undefined) return;
  throw new FaultInjectionUnsupportedError(
    server,
    operation,
    `container mode is not supported (its nodes announce addresses the host cannot reach); ${instead}`,
  );
}
