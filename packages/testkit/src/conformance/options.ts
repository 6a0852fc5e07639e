/** The groups of the conformance suite, each of which a backend may opt out of with a reason. */
export const CONFORMANCE_GROUPS = [
  'values',
  'keys',
  'bulk',
  'expiry',
  'clear',
  'abort',
  'lifecycle',
] as const;

export type ConformanceGroup = (typeof CONFORMANCE_GROUPS)[number];

/** A reason per group opted out of, as written by the backend. */
export type OptOutReasons = Partial<Record<ConformanceGroup, string>>;

/**
 * Groups a backend does not run, each with the reason written out, e.g.
 * `{ abort: 'memjs cannot cancel a request it has sent' }`. An empty reason does not
 * compile; a blank one (only whitespace) throws when the suite is registered.
 */
export type ConformanceOptOuts<T> = {
  readonly [G in keyof T]: G extends ConformanceGroup
    ? T[G] extends ''
      ? 'an opt-out needs a reason'
      : T[G]
    : never;
};

/** How a backend tunes the shared conformance suite to what it can honestly promise. */
export interface ConformanceOptions<T extends OptOutReasons = OptOutReasons> {
  /**
   * The smallest TTL step the backend honours, in ms: 1 for millisecond-precise
   * backends (Redis PX, memory), 1000 for ones that count whole seconds (Memcached).
   * The expiry tests use TTLs of whole steps and wait at least one step more than a
   * TTL before calling an entry late. Default 1.
   */
  ttlResolutionMs?: number;
  /** Keys written by the bulk `clear` test. Default 2500. */
  manyKeys?: number;
  /** Size of the large-value round trip; capped by the backend's `maxValueBytes`. Default 1 MiB. */
  largeValueBytes?: number;
  /** How long `close()` may take to release its sockets and timers, in ms. Default 3000. */
  closeSettleMs?: number;
  /** Groups not run for this backend, each with its reason (see {@link ConformanceOptOuts}). */
  optOut?: T & ConformanceOptOuts<T>;
  /**
   * The backend offers conditional writes (`Backend.conditional`) and runs their
   * tests. Default false, under which the suite checks that it offers none.
   */
  conditionalWrites?: boolean;
}

export interface ResolvedConformanceOptions {
  readonly ttlResolutionMs: number;
  readonly manyKeys: number;
  readonly largeValueBytes: number;
  readonly closeSettleMs: number;
  /** The reason for each group opted out of. */
  readonly optOut: ReadonlyMap<ConformanceGroup, string>;
  readonly conditionalWrites: boolean;
}

/** Thrown when the suite's options are unusable: an opt-out without a reason, an unknown group. */
export class ConformanceOptionsError extends Error {
  override readonly name = 'ConformanceOptionsError';
}

export function resolveConformanceOptions(options: ConformanceOptions): ResolvedConformanceOptions {
  const ttlResolutionMs = options.ttlResolutionMs ?? 1;
  if (!Number.isSafeInteger(ttlResolutionMs) || ttlResolutionMs < 1) {
    throw new ConformanceOptionsError(
      `ttlResolutionMs must be a whole number of ms, at least 1; got ${String(ttlResolutionMs)}`,
    );
  }
  return {
    ttlResolutionMs,
    manyKeys: options.manyKeys ?? 2500,
    largeValueBytes: options.largeValueBytes ?? 1024 * 1024,
    closeSettleMs: options.closeSettleMs ?? 3000,
    optOut: resolveOptOuts(options.optOut ?? {}),
    conditionalWrites: options.conditionalWrites ?? false,
  };
}

function resolveOptOuts(optOut: object): ReadonlyMap<ConformanceGroup, string> {
  const reasons = new Map<ConformanceGroup, string>();
  for (const [group, reason] of Object.entries(optOut)) {
    if (!isGroup(group)) {
      throw new ConformanceOptionsError(
        `unknown conformance group "${group}" in optOut; the groups are ${CONFORMANCE_GROUPS.join(', ')}`,
      );
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new ConformanceOptionsError(
        `opting out of the "${group}" conformance tests needs a written reason`,
      );
    }
    reasons.set(group, reason.trim());
  }
  return reasons;
}

function isGroup(name: string): name is ConformanceGroup {
  return (CONFORMANCE_GROUPS as readonly string[]).includes(name);
}
