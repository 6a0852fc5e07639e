import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const INSTALL =
  'It comes with Debian\'s "prometheus" package: apt-get install -y prometheus ' +
  '(or run `bash scripts/bootstrap.sh`, which installs it when missing).';

/** Path of a binary of the Prometheus distribution (`promtool`, `prometheus`); a clear error when absent. */
export function prometheusBinary(name: 'promtool' | 'prometheus'): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs.filter((d) => d.length > 0)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} was not found on PATH (${dirs.join(delimiter)}). ${INSTALL}`);
}
