import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkHistory, type HistoryReport } from './check.js';
import { type History, mergeHistories, parseHistory } from './history.js';
import { historyNow } from './recorder.js';
import type {
  ChildSummary,
  ForwardedEventName,
  FromChild,
  ToChild,
  WorkloadLoad,
} from './workload-protocol.js';

export type { ChildSummary, ForwardedEventName, WorkloadLoad } from './workload-protocol.js';

/**
 * A store workload in N forked Node processes (`child_process.fork`), each with its
 * own store on the same servers and the same keys, every operation recorded; their
 * histories merged and checked together. Backend-agnostic: the test names a module
 * that builds the store.
 *
 *   // fixtures/store.ts — runs in each child
 *   export default ({ url, namespace }: { url: string; namespace: string }) =>
 *     new ResilientStore({ namespace, backends: [redisBackend({ url }), memoryBackend()] });
 *
 *   const workload = await ForkedWorkload.start({
 *     storeModule: new URL('./fixtures/store.ts', import.meta.url),
 *     storeOptions: { url: server.url, namespace: 'shared' },
 *     processes: 2,
 *   });
 *   await server.kill(); …; await server.restart();
 *   await workload.waitForEach('reconciled', { after: restartedAt });
 *   const { report } = await workload.finish();
 *   expect(report.violations).toEqual([]);
 */
export interface ForkedWorkloadOptions {
  /**
   * The module (path or file URL) whose default export builds the store in each
   * process: `(storeOptions, process) => ResilientStore | Promise<ResilientStore>`.
   * A `.ts` module is loaded through tsx (which must be installed).
   */
  readonly storeModule: string | URL;
  /** Passed to that function in every process; structured-clone serializable. */
  readonly storeOptions?: unknown;
  /** How many processes (named p1, p2, …). Default 2. */
  readonly processes?: number;
  readonly load?: WorkloadLoad;
  /** How long each store may take to connect (`store.ready`). Default 10 s. */
  readonly readyTimeoutMs?: number;
  /**
   * After the load stops, each store must be quiet this long — no replay, no failed
   * attempt — and serve from its first backend before the final reads. Default 1 s:
   * twice the store's healthy-replay delay, so a write passed over at the very end
   * has been replayed.
   */
  readonly settleMs?: number;
}

/** A store event one of the processes emitted, with its time on the history clock. */
export interface WorkloadEvent {
  readonly process: string;
  readonly name: ForwardedEventName;
  readonly payload: unknown;
  readonly at: number;
}

export interface ForkedWorkloadResult {
  /** Every process's history, merged. */
  readonly history: History;
  /** When the final reads began (history clock): every load had stopped and settled. */
  readonly convergedAfter: number;
  readonly report: HistoryReport;
  readonly summaries: readonly ChildSummary[];
  readonly events: readonly WorkloadEvent[];
}

/** A child that failed, exited early, or did not answer in time. */
export class ForkedWorkloadError extends Error {
  override readonly name = 'ForkedWorkloadError';
}

const CHILD_TIMEOUT_MS = 60_000;

interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** Messages not yet taken by `next`. */
  readonly inbox: FromChild[];
  waiter: (() => void) | undefined;
  exited: string | undefined;
}

export class ForkedWorkload {
  readonly events: WorkloadEvent[] = [];
  private readonly eventWaiters = new Set<() => void>();
  private finished = false;

  private constructor(private readonly children: readonly Child[]) {}

  /** The processes' names, p1…pN. */
  get processes(): readonly string[] {
    return this.children.map((c) => c.name);
  }

  /** Forks the processes, builds each store, waits for it to connect and starts each load. */
  static async start(options: ForkedWorkloadOptions): Promise<ForkedWorkload> {
    const count = options.processes ?? 2;
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(`processes must be a positive integer, got ${count}`);
    }
    const storeModule = toFileUrl(options.storeModule);
    const workload = new ForkedWorkload(
      Array.from({ length: count }, (_, i) => spawnChild(`p${i + 1}`, storeModule)),
    );
    for (const child of workload.children) workload.listen(child);
    try {
      await Promise.all(
        workload.children.map(async (child) => {
          workload.send(child, {
            type: 'start',
            storeModule,
            storeOptions: options.storeOptions,
            process: child.name,
            load: options.load ?? {},
            readyTimeoutMs: options.readyTimeoutMs ?? 10_000,
            settleMs: options.settleMs ?? 1_000,
          });
          await workload.next(child, 'started');
        }),
      );
    } catch (error) {
      workload.kill();
      throw error;
    }
    return workload;
  }

  /** Events named `name` at or after `after` (history clock), from every process. */
  of(name: ForwardedEventName, after = Number.NEGATIVE_INFINITY): WorkloadEvent[] {
    return this.events.filter((e) => e.name === name && e.at >= after);
  }

  /**
   * Waits until every process (or those named) emitted `name` at or after `after`;
   * resolves with the first such event of each.
   */
  async waitForEach(
    name: ForwardedEventName,
    options: { after?: number; timeoutMs?: number; processes?: readonly string[] } = {},
  ): Promise<WorkloadEvent[]> {
    const wanted = options.processes ?? this.processes;
    const after = options.after ?? Number.NEGATIVE_INFINITY;
    const found = () =>
      wanted.map((p) =>
        this.events.find((e) => e.process === p && e.name === name && e.at >= after),
      );
    const deadline = performance.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const events = found();
      if (events.every((e) => e !== undefined)) return events as WorkloadEvent[];
      const exited = this.children.find((c) => c.exited !== undefined);
      if (exited) throw new ForkedWorkloadError(`${exited.name} ${exited.exited}`);
      const left = deadline - performance.now();
      if (left <= 0) {
        const missing = wanted.filter((_, i) => events[i] === undefined);
        throw new ForkedWorkloadError(
          `no "${name}" event from ${missing.join(', ')} within ${options.timeoutMs ?? 10_000} ms; events: ${JSON.stringify(this.events.map((e) => [e.process, e.name]))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.eventWaiters.add(done);
      });
    }
  }

  /**
   * Stops every load and lets each store settle; then (history clock: `convergedAfter`)
   * every process reads every key once; collects and checks the merged history, and
   * closes the stores and processes.
   */
  async finish(): Promise<ForkedWorkloadResult> {
    if (this.finished) throw new ForkedWorkloadError('finish() was already called');
    this.finished = true;
    try {
      await Promise.all(
        this.children.map(async (child) => {
          this.send(child, { type: 'stop' });
          await this.next(child, 'stopped');
        }),
      );
      const convergedAfter = historyNow();
      const collected = await Promise.all(
        this.children.map(async (child) => {
          this.send(child, { type: 'read' });
          return this.next(child, 'history');
        }),
      );
      await Promise.all(this.children.map((child) => this.close(child)));
      const history = mergeHistories(...collected.map((m) => parseHistory(m.history)));
      return {
        history,
        convergedAfter,
        report: checkHistory(history, { convergedAfter }),
        summaries: collected.map((m) => m.summary),
        events: [...this.events],
      };
    } finally {
      this.kill();
    }
  }

  /** Ends every child at once (a test that failed half-way). Idempotent. */
  kill(): void {
    this.finished = true;
    for (const child of this.children) {
      if (child.exited === undefined) child.process.kill('SIGKILL');
    }
  }

  private listen(child: Child): void {
    child.process.on('message', (message: FromChild) => {
      if (message.type === 'event') {
        this.events.push({
          process: child.name,
          name: message.name,
          payload: message.payload,
          at: message.at,
        });
        for (const wake of this.eventWaiters) wake();
        this.eventWaiters.clear();
        return;
      }
      child.inbox.push(message);
      child.waiter?.();
    });
    child.process.on('exit', (code, signal) => {
      child.exited = `exited (${signal ?? `code ${code}`})`;
      child.waiter?.();
      for (const wake of this.eventWaiters) wake();
      this.eventWaiters.clear();
    });
  }

  private send(child: Child, message: ToChild): void {
    if (child.exited !== undefined) throw new ForkedWorkloadError(`${child.name} ${child.exited}`);
    child.process.send(message);
  }

  /** The child's next message of `type`; rejects on `failed`, exit, or timeout. */
  private async next<T extends Exclude<FromChild['type'], 'event'>>(
    child: Child,
    type: T,
  ): Promise<Extract<FromChild, { type: T }>> {
    const deadline = performance.now() + CHILD_TIMEOUT_MS;
    for (;;) {
      const message = child.inbox.shift();
      if (message?.type === 'failed') {
        throw new ForkedWorkloadError(`${child.name} failed: ${message.error}`);
      }
      if (message?.type === type) return message as Extract<FromChild, { type: T }>;
      if (message !== undefined) continue;
      if (child.exited !== undefined) {
        throw new ForkedWorkloadError(`${child.name} ${child.exited} before "${type}"`);
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new ForkedWorkloadError(
          `${child.name} sent no "${type}" within ${CHILD_TIMEOUT_MS} ms`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          child.waiter = undefined;
          resolve();
        }
        child.waiter = done;
      });
    }
  }

  /** Asks the child to close its store and waits for it to exit; one that hangs is killed. */
  private async close(child: Child): Promise<void> {
    if (child.exited !== undefined) return;
    const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
    this.send(child, { type: 'close' });
    const timer = setTimeout(() => child.process.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    if (child.exited !== 'exited (code 0)') {
      throw new ForkedWorkloadError(`${child.name} ${child.exited} while closing its store`);
    }
  }
}

function toFileUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  return module.startsWith('file:') ? module : pathToFileURL(module).href;
}

/**
 * Forks one child. The child script sits next to this module (`.js` in dist, `.ts`
 * when the testkit runs from source); TypeScript — the script, or the store module —
 * is loaded through tsx's loader.
 */
function spawnChild(name: string, storeModule: string): Child {
  const self = fileURLToPath(import.meta.url);
  const extension = self.endsWith('.ts') ? '.ts' : '.js';
  const script = fileURLToPath(new URL(`./workload-child${extension}`, import.meta.url));
  const needsTsx = extension === '.ts' || /\.[mc]?ts$/.test(new URL(storeModule).pathname);
  const execArgv = needsTsx ? ['--import', tsxLoader()] : [];
  const child = fork(script, [], {
    execArgv,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return { name, process: child, inbox: [], waiter: undefined, exited: undefined };
}

function tsxLoader(): string {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch {
    throw new ForkedWorkloadError(
      'a TypeScript store module needs tsx to load in the forked processes: add tsx to the devDependencies',
    );
  }
}
