// Writes resilient-store.json from the dashboard's code: `pnpm run dashboard` in this package.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dashboardJson } from './resilient-store.js';

const target = fileURLToPath(new URL('./resilient-store.json', import.meta.url));
writeFileSync(target, dashboardJson());
// The repository's formatter owns the layout of every JSON file it checks.
execFileSync('pnpm', ['exec', 'biome', 'format', '--write', target], { stdio: 'inherit' });
console.log(`wrote ${target}`);
