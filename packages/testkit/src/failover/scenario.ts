import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { type Backend, memoryBackend, ResilientStore } from '@resilient-store/core';
import { onTestFinished } from 'vitest';
import {
  checkHistory,
  type History,
  HistoryRecorder,
  type HistoryReport,
  historyNow,
} from '../history/index.js';
import { activeResources, leftoverResources, type ResourceCounts } from '../resources.js';
import { EventRecorder, type RecordedEvent } from './event-recorder.js';
import { LoadGenerator, type LoadOptions, type OpRecord } from './load-generator.js';
import { captureLogger } from './log-capture.js';
import { operationTimeoutOf, type StoreProfile } from './profiles.js';
import { RejectionRecorder } from './rejections.js';
import { report, type ScenarioSummary } from './reporter.js';
import { ReadYourWritesChecker, type Violation } from './ryw-checker.js';
import { ServedByRecorder } from './served-by.js';
import { type RywWindow, summarize } from './summarize.js';

export interface ScenarioOptions {
  /** Name used in the report, e.g. '1 server killed'. */
  readonly scenario: string;
  readonly profile: StoreProfile;
  /** Builds the backend under test, first in the chain; called after the resource baseline is taken. */
  readonly primary: () => Backend;
  /** Builds the backend the store falls back to. Default: the in-process memory backend. */
  readonly fallback?: () => Backend;
  readonly load?: LoadOptions;
  /**
   * Wait for the primary to connect before the load starts (default true). Without it,
   * the first writes land on the fallback and the first reads, once the primary is up, go
   * to the primary: a read-your-writes gap at startup that is not the fault under test.
   */
  readonly awaitReady?: boolean;
  /**
   * Until when read-your-writes violations are asserted to be absent; later ones are only
   * counted (scenarios that assert convergence after recovery use `recordHistory`).
   * `'recovery'` (default): until the first `recovered` event after the fault — before
   * the fault and while the fallback serves. `'fault'`: until the fault only, for faults
   * the store rides through without a failover (a cluster slot moving to a replica), where
   * no event marks the moment the recovered backend starts serving again.
   */
  readonly rywCheckedUntil?: RywWindow;
  /**
   * Record every operation as a history (default false). `finish()` then reads every
   * key once more after stopping the load, the reads convergence is judged on, and
   * checks the history (`result.history`).
   */
  readonly recordHistory?: boolean;
}

/** The history of a run, when it was recorded, and what `checkHistory` found in it. */
export interface ScenarioHistory {
  readonly recorded: History;
  /** When the final reads began (history clock): the load had stopped, the fault was over. */
  readonly convergedAfter: number;
  readonly report: HistoryReport;
}

/** Everything a scenario's assertions need, and the summary that was reported. */
export interface ScenarioResult {
  readonly summary: ScenarioSummary;
  /** Names of the backend under test and of its fallback, as the store's events carry them. */
  readonly primary: string;
  readonly fallback: string;
  readonly operationTimeoutMs: number;
  readonly records: readonly OpRecord[];
  readonly events: readonly RecordedEvent[];
  /** Read-your-writes violations in the window that is asserted (see `rywCheckedUntil`). */
  readonly violationsChecked: readonly Violation[];
  /** Violations after that window: counted and reported, not asserted. */
  readonly violationsReported: readonly Violation[];
  readonly rejections: readonly string[];
  readonly leaks: readonly string[];
  readonly healthAtStart: ReturnType<ResilientStore['health']>;
  readonly served: ServedByRecorder;
  /** When the last `recovered` event after the fault came, if one did. */
  readonly lastRecoveredAt: number | undefined;
  /** When the primary's journal was first replayed (`reconciled`) after its last recovery. */
  readonly reconciledAt: number | undefined;
  /** With `recordHistory`: the history and its check. */
  readonly history: ScenarioHistory | undefined;
}

/**
 * Resource types a store cannot create but a scenario's own servers do: restarting a
 * server spawns a new process, which shows up as a `ProcessWrap` the baseline never had.
 */
const NOT_THE_STORES = new Set(['ProcessWrap']);

/**
 * How long `close()` may take to release sockets, as seen by the leak check. Short on
 * purpose: a timer a client library arms on close (ioredis's disconnect graces last
 * 1–2 s) must still be there when the count is taken, so it is reported.
 */
const CLOSE_SETTLE_MS = 300;

/**
 * One scenario run: a store `[primary, fallback]` under concurrent load, with every recorder
 * attached. The test injects its fault with `fault()`, lifts it with `lift()`, and calls
 * `finish()`, which stops the load, closes the store, checks for leaks and reports.
 */
export class ScenarioRun {
  readonly store: ResilientStore;
  readonly events: EventRecorder;
  readonly served: ServedByRecorder;
  readonly checker = new ReadYourWritesChecker();
  readonly load: LoadGenerator;
  /** With `recordHistory`: every operation, for the history checker. */
  readonly history: HistoryRecorder | undefined;
  readonly log = captureLogger();
  readonly startedAt = performance.now();
  /** Names of the backend under test and of its fallback. */
  readonly primary: string;
  readonly fallback: string;
  faultAt: number | undefined;
  liftedAt: number | undefined;
  private readonly rejections = new RejectionRecorder().install();
  private readonly baseline: ResourceCounts = activeResources();
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private healthAtStart: ReturnType<ResilientStore['health']> | undefined;
  private disposing: Promise<void> | undefined;

  private constructor(private readonly options: ScenarioOptions) {
    this.loopDelay.enable();
    const primary = options.primary();
    const fallback = options.fallback?.() ?? memoryBackend();
    this.primary = primary.name;
    this.fallback = fallback.name;
    this.store = new ResilientStore({
      ...options.profile.store,
      // A namespace per run: a server reused across runs never answers with another run's values.
      namespace: `fo${Math.random().toString(36).slice(2, 8)}`,
      backends: [primary, fallback],
      logger: this.log,
    });
    this.events = new EventRecorder(this.store);
    this.served = new ServedByRecorder(this.store);
    this.history = options.recordHistory ? new HistoryRecorder() : undefined;
    this.load = new LoadGenerator(this.store, this.checker, {
      ...options.load,
      ...(this.history === undefined ? {} : { history: this.history }),
    });
  }

  /** Builds the store, waits for the primary unless told not to, and starts the load. */
  static async start(options: ScenarioOptions): Promise<ScenarioRun> {
    const run = new ScenarioRun(options);
    // A test that fails half-way must not leave load running into the next test.
    onTestFinished(async () => {
      await run.dispose();
      run.rejections.uninstall();
    });
    if (options.awaitReady ?? true) await run.store.ready(10_000);
    run.healthAtStart = run.store.health();
    run.load.start();
    return run;
  }

  get operationTimeoutMs(): number {
    return operationTimeoutOf(this.options.profile);
  }

  /** Marks the fault's injection (before `inject` runs: the fault starts as it is sent). */
  async fault(inject: () => unknown = () => undefined): Promise<void> {
    this.faultAt = performance.now();
    await inject();
  }

  /** Lifts the fault; it counts as lifted once `heal` resolved (e.g. the server accepts connections). */
  async lift(heal: () => unknown): Promise<void> {
    await heal();
    this.liftedAt = performance.now();
  }

  /** Stops the load and closes the store. Idempotent; also runs when the test ends. */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      try {
        await this.load.stop();
      } finally {
        this.loopDelay.disable();
        await this.store.close();
      }
    })();
    return this.disposing;
  }

  /** Stops the load, closes the store, checks hygiene, reports, and returns what to assert on. */
  async finish(notes?: string): Promise<ScenarioResult> {
    const history = await this.finalReads();
    await this.dispose();
    const leaks = (await leftoverResources(this.baseline, CLOSE_SETTLE_MS)).filter(
      (entry) => !NOT_THE_STORES.has(entry.split(':')[0] ?? ''),
    );
    // Uninstalled only after the settle above: a rejection left behind by close() surfaces late.
    this.rejections.uninstall();

    const { summary, checked, reported, lastRecoveredAt } = summarize({
      scenario: this.options.scenario,
      primary: this.primary,
      fallback: this.fallback,
      settings: this.options.profile.name,
      rywCheckedUntil: this.options.rywCheckedUntil ?? 'recovery',
      startedAt: this.startedAt,
      faultAt: this.faultAt,
      liftedAt: this.liftedAt,
      records: this.load.records,
      events: this.events,
      served: this.served,
      violations: this.checker.violations,
      maxLoopDelayMs: this.loopDelay.max / 1e6,
      historyViolations: history?.report.counts,
      notes,
    });
    report(summary);

    return {
      summary,
      primary: this.primary,
      fallback: this.fallback,
      operationTimeoutMs: this.operationTimeoutMs,
      records: this.load.records,
      events: this.events.events,
      violationsChecked: checked,
      violationsReported: reported,
      rejections: this.rejections.describe(),
      leaks,
      healthAtStart: this.healthAtStart ?? this.store.health(),
      served: this.served,
      lastRecoveredAt,
      reconciledAt: this.events.reconciliations.find(
        (r) => r.backend === this.primary && r.at >= (lastRecoveredAt ?? Number.POSITIVE_INFINITY),
      )?.at,
      history,
    };
  }

  /** With a history: stops the load, reads every key once, and checks the history. */
  private async finalReads(): Promise<ScenarioHistory | undefined> {
    if (this.history === undefined) return undefined;
    await this.load.stop();
    const convergedAfter = historyNow();
    await this.load.readEveryKey();
    const recorded = this.history.history();
    return { recorded, convergedAfter, report: checkHistory(recorded, { convergedAfter }) };
  }
}
