/**
 * The failover harness: a store `[primary, fallback]` under concurrent load, with
 * recorders for events, serving backends, logs, unhandled rejections and leaked handles,
 * a per-process read-your-writes checker, and the expectations every failover scenario
 * shares. Nothing in it knows a backend: the scenario passes in the backend under test.
 *
 *   const run = await ScenarioRun.start({ scenario: 'kill', profile, primary: () => make() });
 *   await expectOneOutage(run, { inject: () => server.kill(), heal: () => server.restart() });
 */

export {
  activeResources,
  leftoverResources,
  type ResourceCounts,
  resourcesBeyond,
} from '../resources.js';
export {
  EventRecorder,
  type RecordedAttemptError,
  type RecordedEvent,
  type StateEventName,
} from './event-recorder.js';
export {
  type CleanRunExpectations,
  type Count,
  DEADLINE_MARGIN_MS,
  expectBackOnPrimary,
  expectCleanRun,
  expectHistoryClean,
} from './expectations.js';
export { LoadGenerator, type LoadOptions, type OpName, type OpRecord } from './load-generator.js';
export { captureLogger, type LogLine } from './log-capture.js';
export { expectOneOutage, type OutageSteps } from './outage.js';
export {
  DEFAULT_STORE_PROFILE,
  operationTimeoutOf,
  type StoreProfile,
  TUNED_STORE_PROFILE,
} from './profiles.js';
export { RejectionRecorder } from './rejections.js';
export { RESULTS_FILE, report, type ScenarioSummary } from './reporter.js';
export {
  type LoadValue,
  type PendingRead,
  ReadYourWritesChecker,
  type Violation,
  type ViolationKind,
} from './ryw-checker.js';
export {
  type ScenarioHistory,
  type ScenarioOptions,
  type ScenarioResult,
  ScenarioRun,
} from './scenario.js';
export { ServedByRecorder } from './served-by.js';
export type { RywWindow } from './summarize.js';
