import type { BackendModule } from '../backend.js';
import { toError } from '../errors.js';
import { resolveFromApp } from './resolve-from-app.js';

export type { BackendModule } from '../backend.js';

/** Loads a module by specifier; `import()` unless a test substitutes it. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

export const nativeImporter: ModuleImporter = (specifier) => import(/* @vite-ignore */ specifier);

/** Why a backend package could not be used, and what the operator should install. */
export class BackendLoadFailure extends Error {
  constructor(
    message: string,
    /** The npm package to install to fix it (the backend package or its driver). */
    readonly install: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BackendLoadFailure';
  }
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** The bare package name an import failure names, e.g. 'ioredis' for a missing driver. */
function missingPackage(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : '';
  const named = /Cannot find (?:package|module) '([^']+)'/.exec(message)?.[1];
  if (named === undefined || named.startsWith('.') || named.startsWith('/')) return undefined;
  if (named.startsWith('file:')) return undefined;
  // '@scope/name/deep/path' and 'name/deep' install as '@scope/name' and 'name'.
  const parts = named.split('/');
  return named.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isBackendModule(value: unknown): value is BackendModule {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<BackendModule>).fromConfig === 'function'
  );
}

async function importPackage(
  packageName: string,
  importer: ModuleImporter,
  cwd: string,
): Promise<unknown> {
  try {
    return await importer(packageName);
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    // Core cannot see the package; the application may (strict pnpm layouts).
    let url: string;
    try {
      url = resolveFromApp(packageName, cwd);
    } catch {
      throw error;
    }
    return importer(url);
  }
}

/**
 * Imports a backend package and checks that it follows the `BackendModule`
 * convention. Throws `BackendLoadFailure` saying what to install when it cannot.
 */
export async function loadBackendModule(
  packageName: string,
  importer: ModuleImporter,
  cwd: string,
): Promise<BackendModule> {
  let loaded: unknown;
  try {
    loaded = await importPackage(packageName, importer, cwd);
  } catch (error) {
    const missing = isModuleNotFound(error) ? (missingPackage(error) ?? packageName) : undefined;
    const message =
      missing === undefined
        ? `${packageName} failed to load: ${toError(error).message}`
        : missing === packageName
          ? `${packageName} is not installed`
          : `${missing}, required by ${packageName}, is not installed`;
    throw new BackendLoadFailure(message, missing, { cause: error });
  }
  if (!isBackendModule(loaded)) {
    throw new BackendLoadFailure(
      `${packageName} does not export fromConfig(config); is it a resilient-store backend package of a matching version?`,
      undefined,
    );
  }
  return loaded;
}
