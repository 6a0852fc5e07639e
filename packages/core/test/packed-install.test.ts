import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Installs the packed packages into applications outside the workspace, as a user
 * would from the registry, and checks that createStore finds the Redis backend by
 * dynamic import from core's own location and serves through it, also when a
 * CommonJS application `require()`s the packages. Then checks what every package
 * would publish: its files, its exports, and a clean `npm publish --dry-run`.
 */

const run = promisify(execFile);
const PACKAGES_DIR = resolve(import.meta.dirname, '../..');
const REDIS_URL = process.env.RS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SETUP_TIMEOUT_MS = 240_000;

/** Child processes get a clean environment: no npm/pnpm settings leaking from this run. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // The workspace's package manager exports NODE_PATH pointing into its store,
  // which would let the application see packages it never installed.
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|vitest|node_options$|node_path$)/i.test(name)) env[name] = value;
  }
  return env;
}

async function sh(command: string, args: string[], cwd: string): Promise<string> {
  return (await shOutput(command, args, cwd)).stdout;
}

async function shOutput(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(command, args, {
      cwd,
      env: childEnv(),
      maxBuffer: 16 * 1024 * 1024,
      timeout: 180_000,
    });
  } catch (error) {
    // The command's own output says why it failed; execFile's message does not.
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${(error as Error).message}\n${stdout}\n${stderr}`.trim(), { cause: error });
  }
}

function readManifest(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
}

/**
 * Packs a workspace package the way it is published: `pnpm pack` ships what its
 * `files` list and turns `workspace:` ranges into real ones (`workspace:^` -> `^1.2.3`).
 */
async function pack(dirName: string, destination: string): Promise<string> {
  const out = await sh(
    'pnpm',
    ['pack', '--json', '--pack-destination', destination],
    join(PACKAGES_DIR, dirName),
  );
  return (JSON.parse(out) as { filename: string }).filename;
}

/** The workspace's publishable packages (directory names), core first: the others build on it. */
function publishablePackages(): string[] {
  const names = readdirSync(PACKAGES_DIR).filter((entry) => {
    try {
      return readManifest(join(PACKAGES_DIR, entry)).private !== true;
    } catch {
      return false; // not a package directory
    }
  });
  return names.sort((a, b) => (a === 'core' ? -1 : b === 'core' ? 1 : a.localeCompare(b)));
}

type Installer = 'npm' | 'pnpm';

/** `…/resilient-store-core-0.1.0.tgz` → `@resilient-store/core`. */
function packageOfTarball(tarball: string): string {
  const match = /resilient-store-([a-z]+)-\d/.exec(tarball);
  if (!match) throw new Error(`not a resilient-store tarball: ${tarball}`);
  return `@resilient-store/${match[1]}`;
}

async function makeApp(
  root: string,
  name: string,
  tarballs: string[],
  installer: Installer = 'npm',
  moduleType: 'module' | 'commonjs' = 'module',
): Promise<string> {
  const app = join(root, name);
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name, private: true, type: moduleType }),
  );
  if (installer === 'npm') {
    await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], app);
  } else {
    // pnpm's strict layout: a package sees only what it declares, so core reaches
    // the backend package through its optional peer dependency. The packages are
    // not on a registry here, so every reference to them points at the tarballs.
    const overrides = tarballs
      .map((tarball) => `  '${packageOfTarball(tarball)}': 'file:${tarball}'`)
      .join('\n');
    writeFileSync(join(app, 'pnpm-workspace.yaml'), `packages: []\noverrides:\n${overrides}\n`);
    await sh('pnpm', ['add', '--prefer-offline', ...tarballs], app);
  }
  return app;
}

/** The application's script: build a store from config, write, read, report as JSON. */
const SCRIPT = `
import { createStore } from '@resilient-store/core';

const [url, required] = process.argv.slice(2);
const warnings = [];
const ignore = () => {};
const logger = {
  debug: ignore,
  info: ignore,
  error: ignore,
  warn: (obj, msg) => warnings.push(typeof obj === 'string' ? obj : msg),
};
const store = await createStore({
  logger,
  namespace: 'packed-install-' + process.pid + '-' + Date.now(),
  memoryFallback: required !== 'required',
  backends: [{ type: 'redis', url, required: required === 'required' }],
});
await store.set('greeting', { hello: 'world' }, { ttl: '30s' });
const value = await store.get('greeting');
const health = store.health();
await store.delete('greeting');
await store.close();
console.log(JSON.stringify({ value, warnings, active: health.active, backends: health.backends.map((b) => b.name) }));
`;

/** A backend author's module: the kit from the subpath export, with its types. */
const KIT_SOURCE = `
import {
  type Backend,
  checkKey,
  ConfigError,
  InvalidKeyError,
  positiveInteger,
  storedBytes,
} from '@resilient-store/core/backend';

const port: number = positiveInteger(6379, 'port');
const bytes: Buffer = storedBytes('value');
const name: Backend['name'] = 'kit-user';
// @ts-expect-error: the field name is a string
positiveInteger(1, 2);
let keyError = '';
try {
  checkKey('k'.repeat(300), 250);
} catch (error) {
  if (error instanceof InvalidKeyError) keyError = error.code;
}
let configField = '';
try {
  positiveInteger(0, 'port');
} catch (error) {
  if (error instanceof ConfigError) configField = error.field;
}
console.log(JSON.stringify({ port, bytes: bytes.byteLength, name, keyError, configField }));
`;

/** The TypeScript compiler of this workspace, to check an application's types. */
const TSC = createRequire(join(PACKAGES_DIR, 'core', 'package.json')).resolve('typescript/bin/tsc');
const NODE_TYPES = resolve(PACKAGES_DIR, '..', 'node_modules', '@types');

/**
 * A CommonJS application's script: `require()` of the ESM packages (Node >= 20.19
 * loads ESM through require without a flag), then the same round trip through Redis.
 */
const COMMONJS_SCRIPT = `
const core = require('@resilient-store/core');
const redis = require('@resilient-store/redis');

async function main() {
  const [url] = process.argv.slice(2);
  const store = await core.createStore({
    logger: core.silentLogger,
    namespace: 'packed-install-cjs-' + process.pid + '-' + Date.now(),
    memoryFallback: false,
    backends: [{ type: 'redis', url, required: true }],
  });
  await store.set('greeting', { hello: 'commonjs' }, { ttl: '30s' });
  const value = await store.get('greeting');
  const health = store.health();
  await store.close();
  console.log(JSON.stringify({
    value,
    active: health.active,
    createStore: typeof core.createStore,
    redisBackend: typeof redis.redisBackend,
    coreEntry: require.resolve('@resilient-store/core'),
  }));
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

interface ScriptResult {
  value: unknown;
  warnings: string[];
  active: string | null;
  backends: string[];
}

const root = mkdtempSync(join(tmpdir(), 'rs-packed-install-'));
/** Tarball of every publishable package, by directory name. */
const tarballs = new Map<string, string>();

beforeAll(async () => {
  const destination = join(root, 'tarballs');
  mkdirSync(destination);
  // Built and packed once for every test here, one after the other.
  for (const dir of publishablePackages()) {
    await sh('pnpm', ['run', 'build'], join(PACKAGES_DIR, dir));
    tarballs.set(dir, await pack(dir, destination));
  }
}, SETUP_TIMEOUT_MS);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('packed install', () => {
  // Scripts run from here, where no application is visible: resolution must come from
  // core's own location inside the application's node_modules.
  const elsewhere = join(root, 'elsewhere');
  let withRedis = '';
  let coreOnly = '';
  let withRedisPnpm = '';
  let commonjs = '';

  beforeAll(async () => {
    mkdirSync(elsewhere);
    const core = tarballs.get('core')!;
    const redis = tarballs.get('redis')!;
    withRedis = await makeApp(root, 'app-with-redis', [core, redis]);
    coreOnly = await makeApp(root, 'app-core-only', [core]);
    withRedisPnpm = await makeApp(root, 'app-with-redis-pnpm', [core, redis], 'pnpm');
    commonjs = await makeApp(root, 'app-commonjs', [core, redis], 'npm', 'commonjs');
    writeFileSync(join(commonjs, 'check.js'), COMMONJS_SCRIPT);
    for (const app of [withRedis, coreOnly, withRedisPnpm]) {
      writeFileSync(join(app, 'check.mjs'), SCRIPT);
    }
  }, SETUP_TIMEOUT_MS);

  async function check(app: string, required: boolean): Promise<ScriptResult> {
    const args = [join(app, 'check.mjs'), REDIS_URL, required ? 'required' : 'optional'];
    return JSON.parse(await sh(process.execPath, args, elsewhere)) as ScriptResult;
  }

  for (const [layout, app] of [
    ['npm', () => withRedis],
    ["pnpm's strict layout", () => withRedisPnpm],
  ] as const) {
    it(`loads @resilient-store/redis from core and serves through Redis (${layout})`, async () => {
      const result = await check(app(), true);
      expect(result).toEqual({
        value: { hello: 'world' },
        warnings: [],
        active: 'redis',
        backends: ['redis'],
      });
    }, 60_000);
  }

  it('offers the backend kit at @resilient-store/core/backend, with types', async () => {
    writeFileSync(join(coreOnly, 'kit.ts'), KIT_SOURCE);
    const compilerArgs = [
      ...['--strict', '--target', 'es2022', '--module', 'nodenext'],
      ...['--moduleResolution', 'nodenext'],
      ...['--typeRoots', NODE_TYPES, '--types', 'node', '--outDir', coreOnly],
      join(coreOnly, 'kit.ts'),
    ];
    await sh(process.execPath, [TSC, ...compilerArgs], coreOnly);
    const out = await sh(process.execPath, [join(coreOnly, 'kit.js')], elsewhere);
    expect(JSON.parse(out)).toEqual({
      port: 6379,
      bytes: 5,
      name: 'kit-user',
      keyError: 'ERR_RS_INVALID_KEY',
      configField: 'port',
    });
  }, 60_000);

  /** tsc's diagnostics for `source` compiled in `app`; '' when it compiles. */
  async function typeErrors(app: string, file: string, source: string): Promise<string> {
    writeFileSync(join(app, file), source);
    const compilerArgs = [
      ...['--strict', '--noEmit', '--target', 'es2022', '--module', 'nodenext'],
      ...['--moduleResolution', 'nodenext', '--skipLibCheck'],
      ...['--typeRoots', NODE_TYPES, '--types', 'node'],
      join(app, file),
    ];
    return sh(process.execPath, [TSC, ...compilerArgs], app).then(
      () => '',
      (error: Error) => error.message,
    );
  }

  it("declares redis's options to the compiler where the application imports the package", async () => {
    const config = (url: string) =>
      `export const open = () => createStore({ backends: [{ type: 'redis', url: ${url} }] });\n`;
    const importCore = "import { createStore } from '@resilient-store/core';\n";
    const importRedis = "import type {} from '@resilient-store/redis';\n";
    expect(
      await typeErrors(withRedis, 'typed.ts', importCore + importRedis + config("'redis://x'")),
    ).toBe('');
    const wrongType = await typeErrors(
      withRedis,
      'wrong.ts',
      importCore + importRedis + config('1'),
    );
    expect(wrongType).toMatch(/wrong\.ts\(3,\d+\): error TS2322/);
    // Installed but not imported: no redis entry compiles, and the message says what to add.
    const undeclared = await typeErrors(
      withRedis,
      'undeclared.ts',
      importCore + config("'redis://x'"),
    );
    expect(undeclared).toContain("import type {} from '@resilient-store/redis'");
  }, 60_000);

  it('runs on the memory fallback with one install hint when the package is absent', async () => {
    const result = await check(coreOnly, false);
    expect(result.value).toEqual({ hello: 'world' });
    expect(result.backends).toEqual(['redis', 'memory']);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('npm install @resilient-store/redis');
  }, 60_000);

  it('is require()d by a CommonJS application and serves through Redis', async () => {
    const { stdout, stderr } = await shOutput(
      process.execPath,
      [join(commonjs, 'check.js'), REDIS_URL],
      elsewhere,
    );
    expect(JSON.parse(stdout)).toEqual({
      value: { hello: 'commonjs' },
      active: 'redis',
      createStore: 'function',
      redisBackend: 'function',
      coreEntry: join(commonjs, 'node_modules/@resilient-store/core/dist/index.js'),
    });
    // No ExperimentalWarning or other noise for the application's users.
    expect(stderr).toBe('');
  }, 60_000);
});

/** Entries of a tarball, without npm's leading `package/`. */
async function tarballEntries(tarball: string): Promise<string[]> {
  const listing = await sh('tar', ['-tzf', tarball], tmpdir());
  return listing
    .split('\n')
    .filter((line) => line.length > 0 && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''))
    .sort();
}

/** Every file an `exports` map (or `main`/`types`) points at. */
function exportTargets(manifest: Record<string, unknown>): string[] {
  const targets = new Set<string>();
  const collect = (target: unknown): void => {
    if (typeof target === 'string') targets.add(target.replace(/^\.\//, ''));
    else if (typeof target === 'object' && target !== null) Object.values(target).forEach(collect);
  };
  collect(manifest.exports);
  collect(manifest.main);
  collect(manifest.types);
  return [...targets].sort();
}

describe('publishing', () => {
  for (const dir of publishablePackages()) {
    it(`${dir}: ships dist, README and LICENSE, every export it names, no build inputs`, async () => {
      const tarball = tarballs.get(dir)!;
      const entries = await tarballEntries(tarball);
      expect(entries).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
      expect(entries.some((entry) => /^dist\/.+\.js$/.test(entry))).toBe(true);
      // What only building and testing need: sources, tests, configs, source maps. (A
      // package may ship assets of its own, e.g. a dashboard, beside dist.)
      const buildOnly = entries.filter(
        (entry) =>
          /^(src|test)\//.test(entry) ||
          /(^|\/)(tsconfig[^/]*\.json|vitest\.config\.[jt]s)$/.test(entry) ||
          /\.(map|tsbuildinfo)$/.test(entry) ||
          (/\.ts$/.test(entry) && !/^dist\/.+\.d\.ts$/.test(entry)),
      );
      expect(buildOnly).toEqual([]);
      const manifestText = await sh('tar', ['-xzOf', tarball, 'package/package.json'], root);
      expect(manifestText).not.toContain('workspace:');
      const manifest = JSON.parse(manifestText) as Record<string, unknown>;
      expect(entries).toEqual(expect.arrayContaining(exportTargets(manifest)));
      // Each entry point answers import and require alike, with its types.
      for (const [subpath, target] of Object.entries(manifest.exports as object)) {
        if (subpath === './package.json') continue;
        expect(Object.keys(target as object), `exports["${subpath}"]`).toEqual([
          'types',
          'import',
          'default',
        ]);
      }
    });

    it(`${dir}: npm publish --dry-run is clean`, async () => {
      // npm asks the registry whether the version exists; that check is best-effort, so
      // no retries keep a run without the registry from waiting on npm's backoff.
      const { stderr } = await shOutput(
        'npm',
        ['publish', '--dry-run', '--fetch-retries=0', tarballs.get(dir)!],
        root,
      );
      // Without registry credentials npm always adds that it would need a login.
      const warnings = stderr
        .split('\n')
        .filter((line) => /^npm (warn|error)/i.test(line))
        .filter((line) => !/requires you to be logged in/.test(line));
      expect(warnings).toEqual([]);
      expect(stderr).toContain('with tag latest and public access (dry-run)');
    }, 60_000);
  }
});
