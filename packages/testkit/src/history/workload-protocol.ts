import type { History } from './history.js';

/**
 * Messages between a forked workload's parent (`ForkedWorkload`) and each child
 * (`workload-child.ts`), over the IPC channel with structured-clone serialization.
 */

/** The load each process runs (see `LoadOptions` of the failover harness). */
export interface WorkloadLoad {
  /** Operations kept in flight per process. Default 50. */
  readonly concurrency?: number;
  /** Keys shared by every process. Default 100. */
  readonly keys?: number;
  readonly getShare?: number;
  readonly setShare?: number;
  /** Most operations started per second, per process. Default 5 000. */
  readonly maxRate?: number;
}

/** The store events a child forwards, as names (every one but `error`, which is counted). */
export type ForwardedEventName =
  | 'failover'
  | 'recovered'
  | 'breaker'
  | 'reconciled'
  | 'journalOverflow';

export type ToChild =
  | {
      readonly type: 'start';
      /** File URL of the module whose default export builds the store. */
      readonly storeModule: string;
      readonly storeOptions: unknown;
      readonly process: string;
      readonly load: WorkloadLoad;
      readonly readyTimeoutMs: number;
      /** How long the store must be quiet (no replay) after the load stops. */
      readonly settleMs: number;
    }
  /** Stop the load, let the journal drain, answer `stopped`. */
  | { readonly type: 'stop' }
  /** Read every key once into the history, answer `history`. */
  | { readonly type: 'read' }
  /** Close the store and exit. */
  | { readonly type: 'close' };

/** What a child counted besides its history. */
export interface ChildSummary {
  readonly process: string;
  readonly ops: number;
  /** Operations that rejected to the caller. */
  readonly errors: number;
  readonly firstErrors: readonly string[];
  /** `error` events of the store (failed attempts that were failed over, replay errors). */
  readonly errorEvents: number;
  readonly unhandledRejections: readonly string[];
}

export type FromChild =
  | { readonly type: 'started'; readonly at: number }
  | {
      readonly type: 'event';
      readonly name: ForwardedEventName;
      readonly payload: unknown;
      /** History clock (`historyNow()`). */
      readonly at: number;
    }
  | { readonly type: 'stopped'; readonly at: number }
  | { readonly type: 'history'; readonly history: History; readonly summary: ChildSummary }
  | { readonly type: 'failed'; readonly error: string };
