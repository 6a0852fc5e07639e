/** How a backend tunes the shared conformance suite to what it can honestly promise. */
export interface ConformanceOptions {
  /**
   * The smallest TTL step the backend honours, in ms: 1 for millisecond-precise
   * backends (Redis PX, memory), 1000 for second-granular ones (Memcached). The
   * expiry tests scale their TTL and deadlines by it. Default 1.
   */
  ttlGranularityMs?: number;
  /** Keys written by the bulk `clear` test. Default 2500. */
  manyKeys?: number;
  /** Size of the large-value round trip; capped by the backend's `maxValueBytes`. Default 1 MiB. */
  largeValueBytes?: number;
  /** How long `close()` may take to release its sockets and timers, in ms. Default 3000. */
  closeSettleMs?: number;
  /**
   * The backend offers conditional writes (`Backend.conditional`) and runs their
   * tests. Default false, under which the suite checks that it offers none.
   */
  conditionalWrites?: boolean;
}

export interface ResolvedConformanceOptions {
  readonly ttlGranularityMs: number;
  readonly manyKeys: number;
  readonly largeValueBytes: number;
  readonly closeSettleMs: number;
  readonly conditionalWrites: boolean;
}

export function resolveConformanceOptions(options: ConformanceOptions): ResolvedConformanceOptions {
  return {
    ttlGranularityMs: Math.max(1, options.ttlGranularityMs ?? 1),
    manyKeys: options.manyKeys ?? 2500,
    largeValueBytes: options.largeValueBytes ?? 1024 * 1024,
    closeSettleMs: options.closeSettleMs ?? 3000,
    conditionalWrites: options.conditionalWrites ?? false,
  };
}
