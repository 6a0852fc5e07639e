/**
 * The service's configuration, from the environment:
 *
 *   PORT                 HTTP port (default 3000); HOST (default 0.0.0.0)
 *   REDIS_URL            redis://host:port — a Redis backend
 *   DATABASE_URL         postgres://… — a PostgreSQL backend
 *   MEMCACHED_SERVERS    host:port[,host:port…] — a Memcached backend
 *   CACHE_BACKENDS       their order, e.g. "redis,postgres" (default: redis, postgres,
 *                        memcached, whichever are set); the memory fallback always comes last
 *   ANSWER_DELAY_MS      how long the stand-in for the language-model call takes (default 20)
 *   LOG_LEVEL            pino level (default info)
 *
 * With no backend variable set the service runs on the in-process memory backend and
 * says so once. Only the shape of the variables is checked here; a server that does not
 * answer or a backend package that is not installed is the store's business, and never
 * stops the service from starting.
 */
import type { BackendConfig, BackendType } from '@resilient-store/core';
// Declares redis entries' options to the compiler (the package is loaded at run time).
import type {} from '@resilient-store/redis';

export type ExternalBackend = Exclude<BackendType, 'memory'>;

export interface ServiceConfig {
  readonly port: number;
  readonly host: string;
  readonly answerDelayMs: number;
  readonly logLevel: string;
  /** The configured backends in order, without the memory fallback the store appends. */
  readonly backends: readonly BackendConfig[];
}

/** A variable that cannot be used as it is; names the variable and what it should be. */
export class ServiceConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
    this.name = 'ServiceConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const VARIABLE: Record<ExternalBackend, string> = {
  redis: 'REDIS_URL',
  postgres: 'DATABASE_URL',
  memcached: 'MEMCACHED_SERVERS',
};
const DEFAULT_ORDER: readonly ExternalBackend[] = ['redis', 'postgres', 'memcached'];

function set(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function wholeNumber(env: Env, name: string, fallback: number, max: number): number {
  const raw = set(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ServiceConfigError(name, `must be a whole number from 0 to ${max}, got "${raw}"`);
  }
  return value;
}

function backendConfig(type: ExternalBackend, value: string): BackendConfig {
  switch (type) {
    case 'redis':
      return { type, url: value };
    // This service does not install the postgres and memcached packages, so the
    // compiler does not know their options; createStore checks them when it loads one.
    case 'postgres':
      return { type, url: value } as unknown as BackendConfig;
    case 'memcached':
      return { type, servers: value.split(',').map((s) => s.trim()) } as unknown as BackendConfig;
  }
}

function order(env: Env): ExternalBackend[] {
  const raw = set(env, 'CACHE_BACKENDS');
  if (raw === undefined) return DEFAULT_ORDER.filter((type) => set(env, VARIABLE[type]));
  const listed = raw.split(',').map((s) => s.trim().toLowerCase());
  for (const type of listed) {
    if (type === 'memory') continue;
    if (!(type in VARIABLE)) {
      throw new ServiceConfigError(
        'CACHE_BACKENDS',
        `unknown backend "${type}"; use ${DEFAULT_ORDER.join(', ')}`,
      );
    }
    if (!set(env, VARIABLE[type as ExternalBackend])) {
      throw new ServiceConfigError(
        'CACHE_BACKENDS',
        `lists ${type} but ${VARIABLE[type as ExternalBackend]} is not set`,
      );
    }
  }
  // The memory fallback is appended by the store; listing it changes nothing.
  return [...new Set(listed.filter((t): t is ExternalBackend => t in VARIABLE))];
}

export function readConfig(env: Env = process.env): ServiceConfig {
  return {
    port: wholeNumber(env, 'PORT', 3000, 65_535),
    host: set(env, 'HOST') ?? '0.0.0.0',
    answerDelayMs: wholeNumber(env, 'ANSWER_DELAY_MS', 20, 60_000),
    logLevel: set(env, 'LOG_LEVEL') ?? 'info',
    backends: order(env).map((type) => backendConfig(type, set(env, VARIABLE[type])!)),
  };
}
