import type { Backend } from './backend.js';
import {
  BackendLoadFailure,
  loadBackendModule,
  type ModuleImporter,
  nativeImporter,
} from './backend-loader.js';
import { DEFAULT_STARTUP_GRACE_MS } from './defaults.js';
import { ConfigError, toError } from './errors.js';
import { consoleLogger, type Logger } from './logger.js';
import { fromConfig as memoryFromConfig } from './memory-backend.js';
import type { BackendSlot } from './options.js';
import { ResilientStore } from './store.js';
import {
  type BackendPlan,
  type BackendType,
  planBackends,
  type StoreConfig,
  validateStoreFields,
} from './store-config.js';

/** The package that implements each external backend type. */
export const BACKEND_PACKAGES: Readonly<Record<Exclude<BackendType, 'memory'>, string>> = {
  redis: '@resilient-store/redis',
  postgres: '@resilient-store/postgres',
  memcached: '@resilient-store/memcached',
};

/** Seams for tests: how modules are imported, which package serves a type, where the app lives. */
export interface CreateStoreInternals {
  importer?: ModuleImporter;
  packages?: Partial<Record<Exclude<BackendType, 'memory'>, string>>;
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
 * The built-in memory backend has no driver or server that could be missing, so bad
 * options for it are configuration errors, named by their place in the config.
 */
function buildMemory(plan: BackendPlan): Backend {
  try {
    return memoryFromConfig({ ...plan.options });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const detail = error.message.slice(error.field.length + 2);
    throw new ConfigError(`${plan.field}.${error.field}`, detail, { cause: error });
  }
}

async function buildExternal(plan: BackendPlan, internals: CreateStoreInternals): Promise<Backend> {
  const type = plan.type as Exclude<BackendType, 'memory'>;
  const packageName = internals.packages?.[type] ?? BACKEND_PACKAGES[type];
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

function installHint(error: unknown): string {
  const install = error instanceof BackendLoadFailure ? error.install : undefined;
  return install === undefined ? '' : ` (install it: npm install ${install})`;
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
 * store runs on the others; `required: true` makes that a `ConfigError` instead.
 * Unless `memoryFallback` is false, an in-process memory backend is appended as the
 * last resort. Invalid configuration is a `ConfigError` naming the field, raised
 * before any connection is opened. Resolves once every backend has connected, or
 * when the store's startup grace (`DEFAULT_STARTUP_GRACE_MS`) has passed.
 */
export async function createStore(
  config: StoreConfig,
  /** @internal test seams */
  internals: CreateStoreInternals = {},
): Promise<ResilientStore> {
  validateStoreFields(config);
  const plans = planBackends(config);
  const logger = config.logger ?? consoleLogger;

  // Memory backends first: they open nothing, so their option errors come before any
  // connection is made.
  const memory = new Map(plans.filter((p) => p.type === 'memory').map((p) => [p, buildMemory(p)]));
  const settled = await Promise.allSettled(
    plans.map(async (plan) => memory.get(plan) ?? buildExternal(plan, internals)),
  );
  const slots: BackendSlot[] = [];
  let requiredFailure: ConfigError | undefined;
  settled.forEach((outcome, i) => {
    const plan = plans[i] as BackendPlan;
    if (outcome.status === 'fulfilled') {
      slots.push({ backend: outcome.value, breaker: plan.breaker });
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
    store = new ResilientStore({
      backends: slots,
      namespace: config.namespace,
      defaultTtl: config.defaultTtl,
      jitter: config.jitter,
      operationTimeout: config.operationTimeout,
      onAllFailed: config.onAllFailed,
      breaker: config.breaker,
      recovery: config.recovery,
      logger,
      serializer: config.serializer,
    });
  } catch (error) {
    await closeAll(built, logger);
    throw error;
  }
  // Let connections open first, so early operations reach the preferred backend
  // instead of failing over to the fallback. Wait half the startup grace at most:
  // a backend still unreachable is then reported (failover event) after the
  // caller has the store and could subscribe.
  await store.ready(DEFAULT_STARTUP_GRACE_MS / 2);
  return store;
}
