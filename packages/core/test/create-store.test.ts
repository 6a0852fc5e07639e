import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { memoryBackend } from '../src/backends/memory.js';
import type { ModuleImporter } from '../src/config/backend-loader.js';
import { esmEntry } from '../src/config/resolve-from-app.js';
import { type CreateStoreInternals, createStore } from '../src/create-store.js';
import { ConfigError } from '../src/errors.js';
import type { LogFn, Logger } from '../src/logger.js';
import type { StoreConfig } from '../src/options.js';
import type { ResilientStore } from '../src/store.js';
import { FakeBackend, type FakeMode, recordingLogger as lineLogger } from './fake-backend.js';
import type { PlainConfig } from './plain-config.js';

/** A package name nothing provides, to hit the real `import()` failure. */
const MISSING_PACKAGE = '@resilient-store/no-such-backend-package';

/** An empty application directory, so resolution from "the app" finds nothing either. */
const emptyApp = mkdtempSync(join(tmpdir(), 'rs-create-store-empty-'));
afterAll(() => rmSync(emptyApp, { recursive: true, force: true }));

interface RecordingLogger extends Logger {
  readonly warnings: string[];
}

function recordingLogger(): RecordingLogger {
  const warnings: string[] = [];
  const ignore: LogFn = () => {};
  const warn: LogFn = (objOrMsg: object | string, msg?: string) => {
    warnings.push(typeof objOrMsg === 'string' ? objOrMsg : (msg ?? ''));
  };
  return { debug: ignore, info: ignore, warn, error: ignore, warnings };
}

const opened: ResilientStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

async function open(
  config: StoreConfig | PlainConfig,
  internals?: CreateStoreInternals,
): Promise<ResilientStore> {
  const store = await createStore(config as StoreConfig, { cwd: emptyApp, ...internals });
  opened.push(store);
  return store;
}

async function configErrorField(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).field;
}

/** An importer that serves fixed modules by specifier and fails like Node for the rest. */
function importerOf(modules: Record<string, unknown>): ModuleImporter {
  return async (specifier) => {
    if (specifier in modules) return modules[specifier];
    throw Object.assign(new Error(`Cannot find package '${specifier}' imported from /app`), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
  };
}

describe('createStore: configuration errors', () => {
  it.each([
    [{ backends: [{ type: 'memory' }, { type: 'mongo' }] }, 'backends[1].type'],
    [{ backends: [{}] }, 'backends[0].type'],
    [{ backends: ['redis'] }, 'backends[0]'],
    [{ backends: [{ type: 'memory', name: 5 }] }, 'backends[0].name'],
    [{ backends: [{ type: 'memory', name: '' }] }, 'backends[0].name'],
    [{ backends: [{ type: 'memory', required: 'yes' }] }, 'backends[0].required'],
    [{ backends: [{ type: 'memory', breaker: 'fast' }] }, 'backends[0].breaker'],
    [{ backends: [{ type: 'memory' }, { type: 'memory' }] }, 'backends[1].name'],
    [{ backends: 'redis' }, 'backends'],
    [{}, 'backends'],
    [{ backends: [], namepsace: 'typo' }, 'namepsace'],
    [{ backends: [], namespace: '' }, 'namespace'],
    [{ backends: [], defaultTtl: 'soon' }, 'defaultTtl'],
    [{ backends: [], defaultTtl: -1 }, 'defaultTtl'],
    [{ backends: [], jitter: 2 }, 'jitter'],
    [{ backends: [], memoryFallback: 'no' }, 'memoryFallback'],
    [{ backends: [], breaker: [] }, 'breaker'],
    [{ backends: [], logger: { warn: () => {} } }, 'logger'],
    [{ backends: [], serializer: {} }, 'serializer'],
    [{ backends: [], memoryFallback: false }, 'backends'],
    [{ backends: [{ type: 'memory', maxEntries: -1 }] }, 'backends[0].maxEntries'],
    [{ backends: [], on: 'failover' }, 'on'],
    [{ backends: [], on: { failovr: () => {} } }, 'on.failovr'],
    [{ backends: [], on: { failover: 'alert' } }, 'on.failover'],
    [{ backends: [{ type: 'memory', maxBytes: '64MB' }] }, 'backends[0].maxBytes'],
  ])('rejects %j with a ConfigError on %s', async (config, field) => {
    expect(await configErrorField(open(config as unknown as StoreConfig))).toBe(field);
  });

  it('rejects a config that is not an object', async () => {
    expect(await configErrorField(open(null as unknown as StoreConfig))).toBe('config');
  });

  it('passes store-level value errors through as ConfigError from the store', async () => {
    const field = await configErrorField(open({ backends: [], operationTimeout: -5 }));
    expect(field).toBe('operationTimeout');
  });

  it('names the known backend types when a type is unknown', async () => {
    const error = await open({ backends: [{ type: 'mongo' }] } as unknown as StoreConfig).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /"mongo".*known types: redis, postgres, memcached, memory/,
    );
  });

  it('checks the whole config before importing any backend package', async () => {
    const imported: string[] = [];
    const importer: ModuleImporter = async (specifier) => {
      imported.push(specifier);
      return {};
    };
    const config = { backends: [{ type: 'redis' }, { type: 'nope' }] } as unknown as StoreConfig;
    expect(await configErrorField(open(config, { importer }))).toBe('backends[1].type');
    expect(imported).toEqual([]);
  });
});

describe('createStore: building backends', () => {
  it('serves from the memory fallback when a package is not installed, with one warning', async () => {
    const logger = recordingLogger();
    const store = await open(
      { logger, backends: [{ type: 'redis', url: 'redis://127.0.0.1:6379' }] },
      { packages: { redis: MISSING_PACKAGE } },
    );
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain(`npm install ${MISSING_PACKAGE}`);
    expect(logger.warnings[0]).toContain('"redis"');
    const health = store.health();
    expect(health.backends.map((b) => [b.name, b.state])).toEqual([
      ['redis', 'missing'],
      ['memory', 'closed'],
    ]);
    expect(health.backends[0]?.lastError).toContain(`npm install ${MISSING_PACKAGE}`);
    expect(health).toMatchObject({ status: 'degraded', active: 'memory' });

    await store.set('greeting', { hello: 'world' }, { ttl: '1m' });
    expect(await store.get('greeting')).toEqual({ hello: 'world' });
  });

  it('fails startup with a ConfigError when a required backend cannot be created', async () => {
    const logger = recordingLogger();
    const field = await configErrorField(
      open(
        { logger, backends: [{ type: 'memory' }, { type: 'redis', required: true }] },
        { packages: { redis: MISSING_PACKAGE } },
      ),
    );
    expect(field).toBe('backends[1]');
    expect(logger.warnings).toEqual([]);
  });

  it('closes the backends it already built when a required one fails', async () => {
    let closed = 0;
    const tracked = (config: Record<string, unknown>): Backend => {
      const backend = memoryBackend({ name: String(config.name) });
      const close = backend.close.bind(backend);
      return Object.assign(backend, {
        close: async () => {
          closed += 1;
          await close();
        },
      });
    };
    const importer = importerOf({ 'pkg-ok': { fromConfig: tracked } });
    const promise = open(
      {
        backends: [
          { type: 'redis', name: 'a' },
          { type: 'postgres', required: true },
        ],
      },
      { importer, packages: { redis: 'pkg-ok', postgres: 'pkg-missing' } },
    );
    expect(await configErrorField(promise)).toBe('backends[1]');
    expect(closed).toBe(1);
  });

  it('warns about a module that does not follow the fromConfig convention', async () => {
    const logger = recordingLogger();
    // A real module that exists but is not a backend package.
    const store = await open(
      { logger, backends: [{ type: 'memcached' }] },
      { packages: { memcached: 'node:path' } },
    );
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('does not export fromConfig');
    expect(store.health().backends.map((b) => b.name)).toEqual(['memcached', 'memory']);
  });

  it('names a missing driver rather than the backend package', async () => {
    const logger = recordingLogger();
    const importer: ModuleImporter = async () => {
      throw Object.assign(
        new Error("Cannot find package 'ioredis' imported from /app/node_modules/x/dist/index.js"),
        { code: 'ERR_MODULE_NOT_FOUND' },
      );
    };
    await open({ logger, backends: [{ type: 'redis' }] }, { importer });
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('npm install ioredis');
  });

  it('leaves out a backend whose construction throws, with one warning', async () => {
    const logger = recordingLogger();
    const importer = importerOf({
      'pkg-throws': {
        fromConfig: () => {
          throw new Error('driver refused the options');
        },
      },
    });
    const store = await open(
      { logger, backends: [{ type: 'redis', url: 'redis://cache:6379' }] },
      { importer, packages: { redis: 'pkg-throws' } },
    );
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('driver refused the options');
    expect(store.health().backends.map((b) => b.name)).toEqual(['redis', 'memory']);
    expect(store.health().status).toBe('degraded');
  });

  it("rejects a mistake in a backend's options with a ConfigError naming the field", async () => {
    const logger = recordingLogger();
    const importer = importerOf({
      'pkg-strict': {
        fromConfig: (config: Record<string, unknown>) => {
          if ('urll' in config) throw new ConfigError('urll', 'unknown redis backend option');
          return memoryBackend({ name: String(config.name) });
        },
      },
    });
    const promise = open(
      { logger, backends: [{ type: 'redis', urll: 'redis://cache:6379' }] },
      { importer, packages: { redis: 'pkg-strict' } },
    );
    expect(await configErrorField(promise)).toBe('backends[0].urll');
    expect(logger.warnings).toEqual([]);
  });

  it('is ok only when every configured backend is there and the first serves', async () => {
    const store = await open({ backends: [{ type: 'memory', name: 'local' }] });
    expect(store.health()).toMatchObject({ status: 'ok', active: 'local' });
  });

  it('passes backend options to fromConfig with the resolved name, keeping store fields out', async () => {
    const received: Array<Record<string, unknown>> = [];
    const importer = importerOf({
      'pkg-ok': {
        fromConfig: async (config: Record<string, unknown>) => {
          received.push(config);
          return memoryBackend({ name: String(config.name) });
        },
      },
    });
    const store = await open(
      {
        backends: [
          {
            type: 'redis',
            url: 'redis://cache:6379',
            required: true,
            breaker: { timeout: 50 },
            tls: false,
          },
        ],
      },
      { importer, packages: { redis: 'pkg-ok' } },
    );
    expect(received).toEqual([{ name: 'redis', url: 'redis://cache:6379', tls: false }]);
    expect(store.health().backends.map((b) => b.name)).toEqual(['redis', 'memory']);
  });

  it('adds no memory fallback when one is configured or when it is switched off', async () => {
    const withOwn = await open({ backends: [{ type: 'memory', name: 'local', maxEntries: 10 }] });
    expect(withOwn.health().backends.map((b) => b.name)).toEqual(['local']);

    const importer = importerOf({
      'pkg-ok': {
        fromConfig: (c: Record<string, unknown>) => memoryBackend({ name: String(c.name) }),
      },
    });
    const without = await open(
      { memoryFallback: false, backends: [{ type: 'redis' }] },
      { importer, packages: { redis: 'pkg-ok' } },
    );
    expect(without.health().backends.map((b) => b.name)).toEqual(['redis']);
  });

  it('names the fallback so it does not clash with a backend called "memory"', async () => {
    const importer = importerOf({
      'pkg-ok': {
        fromConfig: (c: Record<string, unknown>) => memoryBackend({ name: String(c.name) }),
      },
    });
    const store = await open(
      { backends: [{ type: 'redis', name: 'memory' }] },
      { importer, packages: { redis: 'pkg-ok' } },
    );
    expect(store.health().backends.map((b) => b.name)).toEqual(['memory', 'memory-fallback']);
  });

  it('rejects when no backend could be created and there is no fallback', async () => {
    const logger = recordingLogger();
    const promise = open(
      { logger, memoryFallback: false, backends: [{ type: 'redis' }] },
      { packages: { redis: MISSING_PACKAGE } },
    );
    expect(await configErrorField(promise)).toBe('backends');
    expect(logger.warnings).toHaveLength(1);
  });
});

describe('createStore: a backend unreachable at startup', () => {
  /** createStore over one fake packaged backend that has not connected, and the memory fallback. */
  async function startWithUnreachable(mode: FakeMode, breaker?: { timeout: number }) {
    const backend = new FakeBackend('primary', { signal: true, connected: false });
    backend.mode = mode;
    const { logger, lines } = lineLogger();
    const heard: string[] = [];
    const store = await open(
      {
        logger,
        backends: [{ type: 'redis', name: 'primary', breaker }],
        on: {
          failover: ({ from, to, reason }) => heard.push(`failover ${from}->${to}: ${reason}`),
        },
      },
      {
        packages: { redis: 'fake-redis' },
        importer: importerOf({ 'fake-redis': { fromConfig: () => backend } }),
      },
    );
    // What had been said when createStore resolved.
    return { store, backend, heard: [...heard], lines: [...lines] };
  }

  it('reports it (event and one log line) before resolving, with what the backend says', async () => {
    const { store, heard, lines } = await startWithUnreachable('fail');
    expect(heard).toEqual(['failover primary->memory: unreachable at startup: primary is broken']);
    expect(lines).toEqual([
      {
        level: 'warn',
        msg: 'backend "primary" is unreachable at startup: primary is broken; serving from "memory"',
      },
    ]);
    expect(store.health()).toMatchObject({ status: 'degraded', active: 'memory' });
  });

  it('reports a backend that does not answer, once its ping timed out', async () => {
    const { store, backend, heard } = await startWithUnreachable('hang', { timeout: 50 });
    expect(heard).toEqual([
      expect.stringMatching(/^failover primary->memory: unreachable at startup: .*50 ?ms/),
    ]);
    expect(backend.pings).toBe(1);
    backend.releaseHung();
    expect(store.health().active).toBe('memory');
  });

  it('resolves without a word when the backend connects within the grace', async () => {
    const backend = new FakeBackend('primary', { signal: true, connected: false });
    const { logger, lines } = lineLogger();
    const heard: string[] = [];
    const opening = open(
      {
        logger,
        backends: [{ type: 'redis', name: 'primary' }],
        on: { failover: ({ from }) => heard.push(from) },
      },
      {
        packages: { redis: 'fake-redis' },
        importer: importerOf({ 'fake-redis': { fromConfig: () => backend } }),
      },
    );
    setTimeout(() => backend.setConnected(true), 50);
    const store = await opening;
    expect({ heard, lines }).toEqual({ heard: [], lines: [] });
    expect(store.health()).toMatchObject({ status: 'ok', active: 'primary' });
  });
});

describe('createStore: resolving a package the application installed', () => {
  const app = mkdtempSync(join(tmpdir(), 'rs-create-store-app-'));
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it('imports a package that only the application can see, via its ESM entry', async () => {
    // An ESM-only package (no `require` entry) in the application's node_modules,
    // which core's own resolution cannot reach.
    const pkgDir = join(app, 'node_modules', 'rs-app-only-backend');
    mkdirSync(join(pkgDir, 'dist'), { recursive: true });
    writeFileSync(join(app, 'package.json'), '{"name":"app","private":true}');
    writeFileSync(
      join(pkgDir, 'package.json'),
      JSON.stringify({
        name: 'rs-app-only-backend',
        type: 'module',
        exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
      }),
    );
    writeFileSync(
      join(pkgDir, 'dist', 'index.js'),
      'export function fromConfig(config) { return globalThis.rsAppOnlyBackend(config); }\n',
    );
    const seen: Array<Record<string, unknown>> = [];
    const scope = globalThis as { rsAppOnlyBackend?: (c: Record<string, unknown>) => Backend };
    scope.rsAppOnlyBackend = (config) => {
      seen.push(config);
      return memoryBackend({ name: String(config.name) });
    };
    try {
      const logger = recordingLogger();
      const store = await open(
        { logger, backends: [{ type: 'postgres', name: 'pg', table: 'cache' }] },
        { cwd: app, packages: { postgres: 'rs-app-only-backend' } },
      );
      expect(logger.warnings.join('\n')).toBe('');
      expect(seen).toEqual([{ name: 'pg', table: 'cache' }]);
      expect(store.health().backends.map((b) => b.name)).toEqual(['pg', 'memory']);
    } finally {
      delete scope.rsAppOnlyBackend;
    }
  });
});

describe('esmEntry', () => {
  it.each([
    [{ exports: './main.js' }, './main.js'],
    [{ exports: { '.': './root.js', './extra': './extra.js' } }, './root.js'],
    [
      { exports: { '.': { types: './i.d.ts', import: './esm.js', require: './cjs.cjs' } } },
      './esm.js',
    ],
    [{ exports: { import: './esm.js', default: './any.js' } }, './esm.js'],
    [{ exports: { '.': { node: { import: './node.mjs' }, default: './d.js' } } }, './node.mjs'],
    [{ exports: { '.': [{ import: './first.js' }, './second.js'] } }, './first.js'],
    [{ exports: { '.': { require: './cjs.cjs' } } }, undefined],
    [{ main: './lib/main.js' }, './lib/main.js'],
    [{}, 'index.js'],
  ])('picks the import entry of %j', (manifest, entry) => {
    expect(esmEntry(manifest)).toBe(entry);
  });
});
