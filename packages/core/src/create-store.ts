import type { Backend } from './backend.js';
import {
  BackendLoadFailure,
  loadBackendModule,
  type ModuleImporter,
  nativeImporter,
} from './config/backend-loader.js';
import { BACKEND_TYPES, type PackagedBackendType } from './config/backend-types.js';
import { type BackendPlan, planBackends, validateStoreConfig } from './config/plan.js';
import { ConfigError, toError } from './errors.js';
import type { StoreEventName, StoreEvents, StoreHealth, StoreListener } from './events.js';
import { consoleLogger, type Logger } from './logger.js';
import {
  type BackendSlot,
  DEFAULT_BREAKER,
  DEFAULT_STARTUP_GRACE_MS,
  type StoreConfig,
  type StoreListeners,
} from './options.js';
import { type MissingBackend, ResilientStore } from './store.js';

/**
 * How long past the startup grace and a backend's ping `createStore` still waits for
 * the store to report that backend unreachable. The report follows the ping at once;
 * this only covers a starved event loop, so that a store is never held back for long.
 */
const STARTUP_REPORT_MARGIN_MS = 1_000;

/** Seams for tests: how modules are imported, which package serves a type, where the app lives. */
export interface CreateStoreInternals {
  importer?: ModuleImporter;
  packages?: Partial<Record<PackagedBackendType, string>>;
  cwd?: string;
}

function isBackend(value: unknown): value is Backend {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<Backend>).name === 'string' &&
    typeof (value as Partial<Backend>).get === 'function' &&
    typeof (value as Partial<Backend>).close === 'function'
  );
}

/**
 * A built-in backend has no driver or server that could be missing, so bad options
 * for it are configuration errors, named by their place in the config.
 */
function buildBuiltIn(
  plan: BackendPlan,
  build: (options: Record<string, unknown>) => Backend,
): Backend {
  try {
    return build({ ...plan.options });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw error.within(plan.field);
  }
}

async function buildFromPackage(
  plan: BackendPlan,
  type: PackagedBackendType,
  internals: CreateStoreInternals,
): Promise<Backend> {
  const packageName = internals.packages?.[type] ?? BACKEND_TYPES[type].package;
  const cwd = internals.cwd ?? process.cwd();
  const module = await loadBackendModule(packageName, internals.importer ?? nativeImporter, cwd);
  const backend = await module.fromConfig({ ...plan.options });
  if (!isBackend(backend)) throw new Error('fromConfig did not return a Backend');
  if (backend.name !== plan.name) {
    // The store, its events and metrics know the backend by the configured name.
    await backend.close().catch(() => {});
    throw new Error(`fromConfig named the backend "${backend.name}" instead of "${plan.name}"`);
  }
  return backend;
}

/** A `ConfigError` thrown by a backend package, also from another copy of core. */
function asConfigError(error: unknown): ConfigError | undefined {
  if (error instanceof ConfigError) return error;
  const { code, field, detail } = (error ?? {}) as Partial<ConfigError>;
  if (code !== 'ERR_RS_CONFIG' || typeof field !== 'string') return undefined;
  return new ConfigError(field, typeof detail === 'string' ? detail : toError(error).message, {
    cause: error,
  });
}

function installHint(error: unknown): string {
  const install = error instanceof BackendLoadFailure ? error.install : undefined;
  return install === undefined ? '' : ` (install it: npm install ${install})`;
}

/** Configured backends ahead of the serving one that have not connected yet. */
function unreachableAhead(health: StoreHealth): string[] {
  const serving = health.backends.findIndex((b) => b.name === health.active);
  const ahead = serving === -1 ? health.backends : health.backends.slice(0, serving);
  return ahead.filter((b) => b.state === 'unavailable').map((b) => b.name);
}

/**
 * Waits until every backend has connected or the startup grace has passed, then, for
 * each backend ahead of the serving one still unreachable, until the store has said
 * so (its `failover` event and log line, given after one ping bounded by the
 * backend's breaker timeout, `pingBoundMs` at most) or it has connected after all.
 * So a short-lived process hears about an unreachable backend before it has the store.
 */
async function settleStartup(store: ResilientStore, pingBoundMs: number): Promise<void> {
  const heard = new Set<string>();
  let wake = (): void => {};
  const onFailover = ({ from }: StoreEvents['failover']): void => {
    heard.add(from);
    wake();
  };
  const onRecovered = ({ backend }: StoreEvents['recovered']): void => {
    heard.add(backend);
    wake();
  };
  store.on('failover', onFailover).on('recovered', onRecovered);
  try {
    await store.ready(DEFAULT_STARTUP_GRACE_MS);
    const pending = unreachableAhead(store.health());
    const allHeard = (): boolean => pending.every((name) => heard.has(name));
    if (allHeard()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, pingBoundMs + STARTUP_REPORT_MARGIN_MS);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      wake = () => {
        if (allHeard()) done();
      };
    });
  } finally {
    store.off('failover', onFailover).off('recovered', onRecovered);
  }
}

function attachListeners(store: ResilientStore, listeners: StoreListeners | undefined): void {
  for (const [event, listener] of Object.entries(listeners ?? {})) {
    store.on(event as StoreEventName, listener as StoreListener<StoreEventName>);
  }
}

async function closeAll(backends: readonly Backend[], logger: Logger): Promise<void> {
  await Promise.all(
    backends.map((backend) =>
      backend.close().catch((error: unknown) => {
        logger.warn(
          { backend: backend.name, err: toError(error).message },
          'closing backend failed',
        );
      }),
    ),
  );
}

/**
 * Builds a `ResilientStore` from plain configuration data.
 *
 * Each backend entry is built by its package's `fromConfig` (see `BackendModule`);
 * packages are imported only when configured, so an application installs only the
 * backends it uses. A backend whose package or driver is missing, or whose
 * construction fails, is left out with one warning saying what to install, and the
 * store runs on the others, its health `degraded` with the backend shown `missing`;
 * `required: true` makes that a `ConfigError` instead. A mistake in a backend's own
 * options (an unknown field, a wrong type) is always a `ConfigError` naming the field.
 * Unless `memoryFallback` is false, an in-process memory backend is appended as the
 * last resort. Invalid configuration is a `ConfigError` naming the field, raised
 * before any connection is opened. Resolves once every backend has connected, or
 * when the store's startup grace (`DEFAULT_STARTUP_GRACE_MS`) has passed; a backend
 * ahead of the serving one still unreachable then has been reported (a `failover`
 * event, to the listeners of `config.on`, and one log line) before it resolves.
 */
export async function createStore(
  config: StoreConfig,
  /** @internal test seams */
  internals: CreateStoreInternals = {},
): Promise<ResilientStore> {
  validateStoreConfig(config);
  const plans = planBackends(config, new Set(Object.keys(internals.packages ?? {})));
  const logger = config.logger ?? consoleLogger;

  // Built-in backends first: they open nothing, so their option errors come before any
  // connection is made.
  const builtIn = new Map<BackendPlan, Backend>();
  for (const plan of plans) {
    const entry = BACKEND_TYPES[plan.type];
    if ('builtIn' in entry) builtIn.set(plan, buildBuiltIn(plan, entry.builtIn));
  }
  const settled = await Promise.allSettled(
    plans.map(
      async (plan) =>
        builtIn.get(plan) ?? buildFromPackage(plan, plan.type as PackagedBackendType, internals),
    ),
  );
  const slots: BackendSlot[] = [];
  const missing: MissingBackend[] = [];
  let requiredFailure: ConfigError | undefined;
  settled.forEach((outcome, i) => {
    const plan = plans[i] as BackendPlan;
    if (outcome.status === 'fulfilled') {
      slots.push({ backend: outcome.value, breaker: plan.breaker });
      return;
    }
    // A mistake in the backend's options is the caller's bug, not an outage to ride out.
    const configError = asConfigError(outcome.reason);
    if (configError !== undefined) {
      requiredFailure ??= configError.within(plan.field);
      return;
    }
    const reason = `${toError(outcome.reason).message}${installHint(outcome.reason)}`;
    if (plan.required) {
      requiredFailure ??= new ConfigError(
        plan.field,
        `required backend "${plan.name}" (${plan.type}) could not be created: ${reason}`,
        { cause: outcome.reason },
      );
      return;
    }
    logger.warn(
      { backend: plan.name, type: plan.type, err: toError(outcome.reason).message },
      `backend "${plan.name}" (${plan.type}) is left out: ${reason}`,
    );
    missing.push({ position: i, name: plan.name, reason });
  });

  const built = slots.map((slot) => slot.backend);
  if (requiredFailure !== undefined) {
    await closeAll(built, logger);
    throw requiredFailure;
  }
  if (slots.length === 0) {
    throw new ConfigError('backends', 'no configured backend could be created');
  }
  let store: ResilientStore;
  try {
    const { backends: _asData, memoryFallback: _switch, on: listeners, ...settings } = config;
    store = new ResilientStore({ ...settings, logger, backends: slots }, { missing });
    attachListeners(store, listeners);
  } catch (error) {
    await closeAll(built, logger);
    throw error;
  }
  // Let connections open first, so that early operations reach the preferred backend
  // instead of failing over to the fallback, and so that a backend still unreachable
  // after the grace is reported before the caller has the store.
  const storeBreaker = { ...DEFAULT_BREAKER, ...config.breaker };
  const pingBoundMs = Math.max(
    ...plans.map((plan) => plan.breaker?.timeout ?? storeBreaker.timeout),
  );
  await settleStartup(store, pingBoundMs);
  return store;
}
