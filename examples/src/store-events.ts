/**
 * Prints the store's events as they happen, one line each, and remembers when the
 * outage began and ended as the store saw it, for the summary.
 */
import type { ResilientStore } from '@resilient-store/core';
import { colour, elapsedS, say } from './output.js';

export interface OutageAsSeen {
  /** When the store failed over away from its first backend, in demo seconds. */
  failoverAtS: number | undefined;
  failoverReason: string | undefined;
  recoveredAtS: number | undefined;
  /** The outage length the store reported with `recovered`. */
  outageMs: number | undefined;
  /** Breaker transitions seen, in order. */
  breakerStates: string[];
}

export function watchStore(store: ResilientStore): OutageAsSeen {
  const seen: OutageAsSeen = {
    failoverAtS: undefined,
    failoverReason: undefined,
    recoveredAtS: undefined,
    outageMs: undefined,
    breakerStates: [],
  };
  store.on('failover', ({ from, to, reason }) => {
    seen.failoverAtS ??= elapsedS();
    seen.failoverReason ??= reason;
    say('event', `failover ${from} -> ${to ?? 'nothing'}: ${reason}`, colour.yellow);
  });
  store.on('recovered', ({ backend, outageMs }) => {
    seen.recoveredAtS = elapsedS();
    seen.outageMs = outageMs;
    say('event', `recovered ${backend} after an outage of ${outageMs} ms`, colour.green);
  });
  store.on('breaker', ({ backend, state }) => {
    seen.breakerStates.push(`${backend}:${state}`);
    say('event', `breaker ${backend} -> ${state}`, colour.cyan);
  });
  return seen;
}
