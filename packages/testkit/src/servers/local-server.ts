import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerStartError, ServerStateError } from './errors.js';
import { logTail } from './log-tail.js';
import { pollUntil } from './poll.js';
import { freePorts } from './ports.js';
import { ServerProcess, type SpawnSpec } from './process.js';
import { track } from './registry.js';

export type LaunchSpec = Omit<SpawnSpec, 'cwd' | 'logFile'>;

/** What differs between server kinds; the lifecycle around it is shared. */
export interface LocalServerSpec {
  /** Binary name for messages, e.g. "redis-server". */
  name: string;
  /** Prefix of the temp directory, e.g. "redis". */
  kind: string;
  /** How many ports to allocate (the Redis Cluster bus needs a second one). */
  portCount?: number;
  /** Runs once in the fresh temp directory before the first start (e.g. initdb). */
  prepare?(dir: string): Promise<void>;
  /** The command line for the given ports (`ports[0]` is the client port). */
  launch(ports: readonly number[], dir: string): LaunchSpec;
  /** Resolves true once the server answers on `port`; must give up within `timeoutMs`. */
  probe(port: number, timeoutMs: number): Promise<boolean>;
  /** Signal for a graceful stop (PostgreSQL: SIGINT, a fast shutdown that does not wait for clients). */
  stopSignal: NodeJS.Signals;
  readyTimeoutMs?: number;
}

const PORT_CLASH = /address already in use|could not bind|failed to listen|EADDRINUSE/i;
const START_ATTEMPTS = 5;
const STOP_GRACE_MS = 5_000;

/**
 * A server binary run from a private temp directory on loopback ports: start with readiness
 * wait and port-clash retry, signal-based faults, restart on the same port and directory,
 * and clean-up through the registry.
 */
export class LocalServer {
  readonly dir: string;
  readonly logFile: string;
  #spec: LocalServerSpec;
  #ports: readonly number[] = [];
  #process: ServerProcess | undefined;
  #stopped = false;
  #untrack: () => void;

  private constructor(spec: LocalServerSpec) {
    this.#spec = spec;
    this.dir = mkdtempSync(join(tmpdir(), `rs-${spec.kind}-`));
    this.logFile = join(this.dir, 'server.log');
    this.#untrack = track({ stop: () => this.stop(), killSync: () => this.#killSync() });
  }

  /** Creates the temp directory, prepares it and starts the server on free ports. */
  static async start(spec: LocalServerSpec): Promise<LocalServer> {
    const server = new LocalServer(spec);
    try {
      await spec.prepare?.(server.dir);
      await server.#startOnFreePorts();
      return server;
    } catch (error) {
      await server.stop().catch(() => undefined);
      throw error;
    }
  }

  get port(): number {
    return this.#ports[0] ?? 0;
  }

  get ports(): readonly number[] {
    return this.#ports;
  }

  get pid(): number | undefined {
    return this.#process?.running ? this.#process.pid : undefined;
  }

  get running(): boolean {
    return this.#process?.running ?? false;
  }

  /** The last lines of the server's log, for failure messages. */
  logTail(lines = 20): string {
    return logTail(this.logFile, lines);
  }

  async #startOnFreePorts(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.#ports = await freePorts(this.#spec.portCount ?? 1);
      try {
        await this.#launch();
        return;
      } catch (error) {
        // Another process took the port between our probe and the server's bind: pick new ones.
        const clash = PORT_CLASH.test(this.logTail(5));
        if (!clash || attempt >= START_ATTEMPTS) throw error;
      }
    }
  }

  async #launch(): Promise<void> {
    const spec = this.#spec;
    const launch = spec.launch(this.#ports, this.dir);
    const proc = new ServerProcess({ ...launch, cwd: this.dir, logFile: this.logFile });
    this.#process = proc;
    const timeoutMs = spec.readyTimeoutMs ?? 15_000;
    const where = `${spec.name} on 127.0.0.1:${this.port}`;
    const ready = await pollUntil(async (remaining) => {
      const status = proc.exitStatus;
      if (status !== undefined) {
        const how = status.error
          ? `failed to start (${status.error.message})`
          : `exited (code ${status.code}, signal ${status.signal}) before accepting connections`;
        throw new ServerStartError(
          spec.name,
          `${where} ${how}; log ${this.logFile}:\n${this.logTail()}`,
        );
      }
      return spec.probe(this.port, Math.min(1_000, remaining));
    }, timeoutMs);
    if (ready) return;
    await proc.kill().catch(() => undefined);
    throw new ServerStartError(
      spec.name,
      `${where} did not become ready within ${timeoutMs} ms; log ${this.logFile}:\n${this.logTail()}`,
    );
  }

  #requireRunning(operation: string): ServerProcess {
    if (this.#stopped) throw new ServerStateError(`${operation}(): ${this.#spec.name} was stopped`);
    const proc = this.#process;
    if (proc === undefined || !proc.running) {
      throw new ServerStateError(
        `${operation}(): ${this.#spec.name} on port ${this.port} is not running`,
      );
    }
    return proc;
  }

  /** SIGKILL: the server vanishes without closing connections or saving anything. */
  async kill(): Promise<void> {
    await this.#requireRunning('kill').kill();
  }

  /** SIGSTOP: connections stay open but nothing answers. */
  async pause(): Promise<void> {
    this.#requireRunning('pause').signal('SIGSTOP');
  }

  /** SIGCONT after `pause()`. */
  async resume(): Promise<void> {
    this.#requireRunning('resume').signal('SIGCONT');
  }

  /**
   * Stops the server if it runs (gracefully, continuing it first if paused) and starts it again
   * on the same ports and directory; resolves once it accepts connections.
   */
  async restart(): Promise<void> {
    if (this.#stopped) throw new ServerStateError(`restart(): ${this.#spec.name} was stopped`);
    const proc = this.#process;
    if (proc?.running) await proc.terminate(this.#spec.stopSignal, STOP_GRACE_MS);
    else if (proc) await proc.waitForExit(STOP_GRACE_MS);
    await this.#launch();
  }

  /** Stops the server and removes its directory. Safe to call more than once. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    try {
      const proc = this.#process;
      if (proc?.running) await proc.terminate(this.#spec.stopSignal, STOP_GRACE_MS);
      else if (proc) await proc.waitForExit(STOP_GRACE_MS);
      await rm(this.dir, { recursive: true, force: true, maxRetries: 3 });
    } finally {
      this.#untrack();
    }
  }

  #killSync(): void {
    this.#stopped = true;
    this.#process?.signal('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }
}
