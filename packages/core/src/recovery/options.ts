import { ConfigError } from '../errors.js';
import type { OnOverflow } from './replay.js';

/** Recovery settings of a store (`recovery` in the store options and in `createStore`). */
export interface RecoveryOptions {
  /**
   * Keys each backend's journal names before it overflows. Default 100,000 per
   * backend (a key costs its string and about 100 bytes).
   */
  maxJournalKeys?: number;
  /**
   * After an overflow, before the backend serves again: `'clear'` (default)
   * clears the store's namespace on it (cold, never stale); `'accept-stale'`
   * serves it as it is, so keys written during the outage may read older values
   * until they are written again or expire.
   */
  onOverflow?: OnOverflow;
  /**
   * @internal Test-only: `false` turns journaling and replay off (the behaviour
   * before recovery existed), so tests can show the stale reads it prevents.
   */
  journal?: boolean;
}

export interface ResolvedRecoveryOptions {
  readonly maxJournalKeys: number;
  readonly onOverflow: OnOverflow;
  readonly journal: boolean;
}

export const DEFAULT_MAX_JOURNAL_KEYS = 100_000;
/** How long a replayed delete's tombstone holds off older writes from other processes. */
export const TOMBSTONE_TTL_MS = 60_000;
/** A backend that stays healthy gets writes it missed (a failed attempt) replayed after this. */
export const HEALTHY_REPLAY_DELAY_MS = 500;
/** Keys per replay round trip. */
export const REPLAY_BATCH_KEYS = 500;

const FIELDS = new Set(['maxJournalKeys', 'onOverflow', 'journal']);

/** Checks `recovery` options; errors name the field (`recovery.maxJournalKeys`, …). */
export function resolveRecoveryOptions(options: unknown): ResolvedRecoveryOptions {
  if (options === undefined) {
    return { maxJournalKeys: DEFAULT_MAX_JOURNAL_KEYS, onOverflow: 'clear', journal: true };
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError('recovery', 'must be an object');
  }
  const given = options as Record<string, unknown>;
  for (const field of Object.keys(given)) {
    if (!FIELDS.has(field)) {
      throw new ConfigError(
        `recovery.${field}`,
        'unknown option (known: maxJournalKeys, onOverflow)',
      );
    }
  }
  const { maxJournalKeys = DEFAULT_MAX_JOURNAL_KEYS, onOverflow = 'clear', journal = true } = given;
  if (
    typeof maxJournalKeys !== 'number' ||
    !Number.isSafeInteger(maxJournalKeys) ||
    maxJournalKeys < 1
  ) {
    throw new ConfigError(
      'recovery.maxJournalKeys',
      `must be a positive integer, got ${String(maxJournalKeys)}`,
    );
  }
  if (onOverflow !== 'clear' && onOverflow !== 'accept-stale') {
    throw new ConfigError('recovery.onOverflow', "must be 'clear' or 'accept-stale'");
  }
  if (typeof journal !== 'boolean') {
    throw new ConfigError('recovery.journal', 'must be a boolean');
  }
  return { maxJournalKeys, onOverflow, journal };
}
