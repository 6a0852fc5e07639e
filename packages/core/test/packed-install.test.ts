import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Installs the packed packages into applications outside the workspace, as a user
 * would from the registry, and checks that createStore finds the Redis backend by
 * dynamic import from core's own location and serves through it.
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
  try {
    const { stdout } = await run(command, args, {
      cwd,
      env: childEnv(),
      maxBuffer: 16 * 1024 * 1024,
      timeout: 180_000,
    });
    return stdout;
  } catch (error) {
    // The command's own output says why it failed; execFile's message does not.
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${(error as Error).message}\n${stdout}\n${stderr}`.trim(), { cause: error });
  }
}

function readManifest(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
}

/** Version of every workspace package, to replace `workspace:` ranges as publishing does. */
function workspaceVersions(): Map<string, string> {
  const versions = new Map<string, string>();
  for (const entry of readdirSync(PACKAGES_DIR)) {
    try {
      const manifest = readManifest(join(PACKAGES_DIR, entry));
      versions.set(String(manifest.name), String(manifest.version));
    } catch {
      // not a package directory
    }
  }
  return versions;
}

/**
 * Packs a workspace package the way it is published: its files, with `workspace:`
 * ranges turned into real ones (`workspace:^` -> `^1.2.3`). Staging the package and
 * running `npm pack` keeps this independent of which optional peers pnpm linked.
 */
async function pack(dirName: string, stagingRoot: string, destination: string): Promise<string> {
  const source = join(PACKAGES_DIR, dirName);
  const staged = join(stagingRoot, dirName);
  const manifest = readManifest(source);
  for (const file of ['package.json', ...((manifest.files as string[] | undefined) ?? [])]) {
    cpSync(join(source, file), join(staged, file), { recursive: true });
  }
  const versions = workspaceVersions();
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    const ranges = manifest[field] as Record<string, string> | undefined;
    for (const [name, range] of Object.entries(ranges ?? {})) {
      if (!range.startsWith('workspace:')) continue;
      const version = versions.get(name);
      if (version === undefined) throw new Error(`${name} is not a workspace package`);
      const modifier = range.slice('workspace:'.length);
      ranges![name] = modifier === '*' ? version : `${modifier}${version}`;
    }
  }
  writeFileSync(join(staged, 'package.json'), JSON.stringify(manifest, null, 2));
  const out = await sh('npm', ['pack', '--json', '--pack-destination', destination], staged);
  const [{ filename }] = JSON.parse(out) as [{ filename: string }];
  return join(destination, filename);
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
): Promise<string> {
  const app = join(root, name);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
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

interface ScriptResult {
  value: unknown;
  warnings: string[];
  active: string | null;
  backends: string[];
}

describe('packed install', () => {
  const root = mkdtempSync(join(tmpdir(), 'rs-packed-install-'));
  // Scripts run from here, where no application is visible: resolution must come from
  // core's own location inside the application's node_modules.
  const elsewhere = join(root, 'elsewhere');
  let withRedis = '';
  let coreOnly = '';
  let withRedisPnpm = '';

  beforeAll(async () => {
    mkdirSync(elsewhere);
    await sh('pnpm', ['run', 'build'], join(PACKAGES_DIR, 'core'));
    await sh('pnpm', ['run', 'build'], join(PACKAGES_DIR, 'redis'));
    const staging = join(root, 'staging');
    const tarballs = join(root, 'tarballs');
    mkdirSync(tarballs);
    const core = await pack('core', staging, tarballs);
    const redis = await pack('redis', staging, tarballs);
    withRedis = await makeApp(root, 'app-with-redis', [core, redis]);
    coreOnly = await makeApp(root, 'app-core-only', [core]);
    withRedisPnpm = await makeApp(root, 'app-with-redis-pnpm', [core, redis], 'pnpm');
    for (const app of [withRedis, coreOnly, withRedisPnpm]) {
      writeFileSync(join(app, 'check.mjs'), SCRIPT);
    }
  }, SETUP_TIMEOUT_MS);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

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

  it('runs on the memory fallback with one install hint when the package is absent', async () => {
    const result = await check(coreOnly, false);
    expect(result.value).toEqual({ hello: 'world' });
    expect(result.backends).toEqual(['redis', 'memory']);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('npm install @resilient-store/redis');
  }, 60_000);
});
