/**
 * The history checker: record every operation of every process (`HistoryRecorder`),
 * merge the processes' histories, and check read-your-writes, monotonic reads and
 * convergence key by key (`checkHistory`). Plain data throughout, so a child process
 * can send its history back; no test runner needed to import it. `ForkedWorkload` runs
 * a store workload in N forked processes and checks their merged histories.
 */
export {
  checkHistory,
  type HistoryCheck,
  type HistoryCheckOptions,
  type HistoryReport,
  type HistoryViolation,
  type HistoryViolationKind,
} from './check.js';
export {
  type History,
  HistoryFormatError,
  type HistoryOp,
  type HistoryOpKind,
  type HistoryOutcome,
  mergeHistories,
  parseHistory,
  type ReadAnomaly,
  type WriteId,
} from './history.js';
export {
  HistoryRecorder,
  type HistoryStore,
  type HistoryValue,
  historyNow,
  isHistoryValue,
  type PendingOp,
  readVersion,
  writeIdOf,
} from './recorder.js';
export {
  type ChildSummary,
  ForkedWorkload,
  ForkedWorkloadError,
  type ForkedWorkloadOptions,
  type ForkedWorkloadResult,
  type ForwardedEventName,
  type WorkloadEvent,
  type WorkloadLoad,
} from './workload.js';
