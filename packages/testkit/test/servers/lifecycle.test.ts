import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, type ExpectStatic, it } from 'vitest';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/owner.ts', import.meta.url));

interface Owned {
  pids: number[];
  dirs: string[];
}

interface OwnerRun {
  owned: Owned;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(): void;
}

/** Starts the owner fixture and resolves once it has printed what it started. */
function runOwner(mode: 'exit' | 'throw' | 'hang'): Promise<OwnerRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) {
        resolve({ owned: JSON.parse(line) as Owned, exit, kill: () => child.kill('SIGKILL') });
      }
    });
    void exit.then(({ code, signal }) =>
      reject(new Error(`owner exited (${code ?? signal}) before reporting:\n${stderr}`)),
    );
  });
}

/** Process-group ids (= leader PIDs) that still have a live, non-zombie member. */
function liveGroups(pgids: readonly number[]): number[] {
  const live = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z' && pgids.includes(Number(pgrp))) live.add(Number(pgrp));
    } catch {
      // exited while we looked
    }
  }
  return [...live];
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM would mean "exists, owned by someone else"; only ESRCH means gone.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  // A zombie has been killed and only waits for PID 1 to collect its exit status.
  return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
}

/** `expect` is the test's own: these tests run concurrently. */
async function expectAllGone(
  expect: ExpectStatic,
  owned: Owned,
  dirsRemoved: boolean,
): Promise<void> {
  await expect
    .poll(() => [...owned.pids.filter(isRunning), ...liveGroups(owned.pids)], { timeout: 5_000 })
    .toEqual([]);
  if (dirsRemoved) expect(owned.dirs.filter((d) => existsSync(d))).toEqual([]);
}

describe.concurrent('no server outlives the process that started it', () => {
  it('owner exits normally without stop(): servers killed, temp dirs removed, nothing keeps it alive', async ({
    expect,
  }) => {
    const run = await runOwner('exit');
    expect(run.owned.pids).toHaveLength(3);
    expect((await run.exit).code).toBe(0);
    await expectAllGone(expect, run.owned, true);
  });

  it('owner dies of an uncaught error: servers killed, temp dirs removed', async ({ expect }) => {
    const run = await runOwner('throw');
    const { code, stderr } = await run.exit;
    expect(code).not.toBe(0);
    expect(stderr).toContain('owner failed on purpose');
    await expectAllGone(expect, run.owned, true);
  });

  it('owner is SIGKILLed (no exit hook can run): the kernel still kills its servers', async ({
    expect,
  }) => {
    const run = await runOwner('hang');
    for (const pid of run.owned.pids) expect(isRunning(pid)).toBe(true);
    run.kill();
    expect((await run.exit).signal).toBe('SIGKILL');
    // Directories stay behind here (nothing of the owner runs any more); the processes must not.
    await expectAllGone(expect, run.owned, false);
    for (const dir of run.owned.dirs) rmSync(dir, { recursive: true, force: true });
  });
});
