import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readdirSync, readFileSync } from 'node:fs';
import { pollUntil } from './poll.js';

export interface SpawnSpec {
  command: string;
  args: readonly string[];
  cwd: string;
  /** stdout and stderr go here: a file, never a pipe, so the child cannot block on a full pipe or keep us alive. */
  logFile: string;
  /** Run as this OS user (PostgreSQL refuses to run as root). */
  uid?: number | undefined;
  gid?: number | undefined;
  env?: NodeJS.ProcessEnv | undefined;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

let setprivPath: string | null | undefined;

/**
 * On Linux, `setpriv --pdeathsig KILL` makes the kernel kill the server when the process that
 * started it dies, even by SIGKILL, when no JavaScript exit hook can run. setpriv execs the
 * server, so the PID we hold is the server's own.
 */
function findSetpriv(): string | null {
  if (setprivPath !== undefined) return setprivPath;
  setprivPath = null;
  if (process.platform !== 'linux') return setprivPath;
  for (const candidate of ['/usr/bin/setpriv', '/bin/setpriv']) {
    try {
      accessSync(candidate, constants.X_OK);
      setprivPath = candidate;
      break;
    } catch {
      // try the next location
    }
  }
  return setprivPath;
}

function anyLiveMemberOnLinux(pgid: number): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after "(comm)": state, ppid, pgrp. comm may contain spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') return true;
    } catch {
      // The process vanished while we looked.
    }
  }
  return false;
}

/**
 * Whether any process of the group still runs. A zombie does not count: helpers a server
 * forked (a Redis RDB child) are re-parented when the server dies, and where PID 1 reaps
 * slowly they linger as zombies that hold no port, memory or file.
 */
function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return process.platform === 'linux' ? anyLiveMemberOnLinux(pgid) : true;
}

/**
 * One server process, started as the leader of its own process group so that a signal reaches
 * the whole server (PostgreSQL runs one process per connection plus helpers; SIGSTOP on the
 * postmaster alone would not freeze a connected client's backend).
 */
export class ServerProcess {
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
  #exitStatus: ExitStatus | undefined;

  constructor(spec: SpawnSpec) {
    const log = openSync(spec.logFile, 'a');
    try {
      const setpriv = findSetpriv();
      const command = setpriv ?? spec.command;
      const args = setpriv
        ? ['--pdeathsig', 'KILL', '--', spec.command, ...spec.args]
        : [...spec.args];
      const child = spawn(command, args, {
        cwd: spec.cwd,
        env: spec.env ?? process.env,
        stdio: ['ignore', log, log],
        detached: true,
        ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
        ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
      });
      this.exited = new Promise<ExitStatus>((resolve) => {
        child.once('error', (error) => {
          this.#exitStatus = { code: null, signal: null, error };
          resolve(this.#exitStatus);
        });
        child.once('exit', (code, signal) => {
          this.#exitStatus = { code, signal };
          resolve(this.#exitStatus);
        });
      });
      // A test server must never be the reason the test process stays alive.
      child.unref();
      this.pid = child.pid ?? -1;
    } finally {
      closeSync(log);
    }
  }

  /** Exit status once the leader has exited, else undefined. */
  get exitStatus(): ExitStatus | undefined {
    return this.#exitStatus;
  }

  get running(): boolean {
    return this.#exitStatus === undefined && this.pid > 0;
  }

  /** Sends `signal` to every process of the server. Returns false when none is left. */
  signal(signal: NodeJS.Signals): boolean {
    if (this.pid <= 0) return false;
    try {
      process.kill(-this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** Resolves true once the leader and every helper it forked are gone, false after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<boolean> {
    const gone = async () => this.#exitStatus !== undefined && !isGroupAlive(this.pid);
    return (await pollUntil(gone, timeoutMs, 20)) || gone();
  }

  /** SIGKILL the whole group and wait until it is gone. */
  async kill(timeoutMs = 5_000): Promise<void> {
    this.signal('SIGKILL');
    if (!(await this.waitForExit(timeoutMs))) {
      throw new Error(`process group ${this.pid} still alive ${timeoutMs} ms after SIGKILL`);
    }
  }

  /**
   * Graceful stop with `signal`, then SIGKILL after `graceMs`. A stopped (SIGSTOP) process
   * cannot handle the signal, so it is continued first.
   */
  async terminate(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    this.signal(signal);
    this.signal('SIGCONT');
    if (await this.waitForExit(graceMs)) return;
    await this.kill();
  }
}
