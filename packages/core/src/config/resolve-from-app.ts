import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Finds a package from the application's directory rather than from core's.
 *
 * Under strict layouts (pnpm) a package sees only its own dependencies, so core may
 * not be able to import a backend package that the application did install. Node
 * offers no ESM resolution from another directory without flags, so this asks
 * CommonJS resolution for the package and, when the package only exports an
 * `import` entry (CommonJS then refuses it), finds its package.json along the same
 * node_modules path and reads that entry from it.
 */

/** Conditions tried for an ESM import, in Node's order of preference. */
const CONDITIONS = ['import', 'node', 'default'] as const;

type ExportTarget =
  | string
  | null
  | readonly ExportTarget[]
  | { readonly [key: string]: ExportTarget };

function isRecord(value: unknown): value is Record<string, ExportTarget> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pickTarget(target: ExportTarget | undefined): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const candidate of target) {
      const picked = pickTarget(candidate);
      if (picked !== undefined) return picked;
    }
    return undefined;
  }
  if (!isRecord(target)) return undefined;
  for (const condition of CONDITIONS) {
    const picked = pickTarget(target[condition]);
    if (picked !== undefined) return picked;
  }
  return undefined;
}

/** The file a bare `import(name)` would load, from a parsed package.json. */
export function esmEntry(manifest: unknown): string | undefined {
  if (!isRecord(manifest)) return undefined;
  const { exports, main } = manifest;
  if (exports !== undefined) {
    // `exports` is either the root target or a map of subpaths (keys starting with '.').
    const isSubpathMap = isRecord(exports) && Object.keys(exports).some((k) => k.startsWith('.'));
    return pickTarget(isSubpathMap && isRecord(exports) ? exports['.'] : exports);
  }
  return typeof main === 'string' ? main : 'index.js';
}

/**
 * The file URL of `packageName` as the application in `cwd` would resolve it;
 * throws when the application cannot see the package either.
 */
export function resolveFromApp(packageName: string, cwd: string): string {
  const requireFromApp = createRequire(join(cwd, 'package.json'));
  try {
    return pathToFileURL(requireFromApp.resolve(packageName)).href;
  } catch (error) {
    // An ESM-only package exports no `require` entry; anything else is a real miss.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw error;
  }
  // Its package.json need not be exported, so look for it the way Node walks node_modules.
  const manifestPath = (requireFromApp.resolve.paths(packageName) ?? [])
    .map((dir) => join(dir, packageName, 'package.json'))
    .find((candidate) => existsSync(candidate));
  if (manifestPath === undefined) throw new Error(`${packageName} is not installed in ${cwd}`);
  const entry = esmEntry(JSON.parse(readFileSync(manifestPath, 'utf8')));
  if (entry === undefined) throw new Error(`${packageName} has no importable entry point`);
  return pathToFileURL(join(dirname(manifestPath), entry)).href;
}
