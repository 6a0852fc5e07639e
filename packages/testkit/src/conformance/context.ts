import type { Backend } from '@resilient-store/core';
import type { ResolvedConformanceOptions } from './options.js';

/** What each group of conformance tests gets: the shared backend and the suite options. */
export interface ConformanceContext {
  /** The backend shared by the data tests; made once per suite, closed after it. */
  backend(): Backend;
  /** Makes a fresh backend, for tests that close it. */
  makeBackend(): Promise<Backend>;
  readonly options: ResolvedConformanceOptions;
}
