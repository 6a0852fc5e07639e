// Builds the workspace packages the examples import, printing nothing unless the build
// fails, so that `pnpm demo` and `pnpm start` open with their own output.
import { spawnSync } from 'node:child_process';

const result = spawnSync(
  'pnpm',
  [
    'exec',
    'turbo',
    'run',
    'build',
    '--filter=@resilient-store/examples^...',
    '--output-logs=errors-only',
  ],
  { encoding: 'utf8' },
);
if (result.status !== 0) {
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  console.error(result.error ?? `build failed (exit ${result.status})`);
  process.exit(1);
}
