/**
 * One line per second: what the load saw in that second and what the store says about
 * itself (`health()`): which backend serves and the state of each backend's breaker.
 */
import type { ResilientStore, StoreHealth } from '@resilient-store/core';
import type { Meter, SecondStats } from './meter.js';
import { colour, print, say } from './output.js';

const COLUMNS = [
  ['ops/s', 6],
  ['p99 ms', 7],
  ['max ms', 7],
  ['errors', 6],
  ['loads', 5],
  ['lost', 5],
  ['stale', 5],
] as const;

export function printTimelineHeader(): void {
  print(
    colour.dim(
      'Each second: store calls/s; p99 and max latency of store calls (getOrSet calls that waited\n' +
        'for the ~80 ms recommendation loader excluded: they are the "loads"); errors seen by\n' +
        'callers; conversation reads that found nothing (lost) or an older turn (stale) than\n' +
        'this process saved; the backend serving; each breaker. Store events and log lines\n' +
        'appear between the seconds, as they happen.\n',
    ),
  );
  print(
    colour.bold(
      `${' '.repeat(16)}${COLUMNS.map(([t, w]) => t.padStart(w)).join(' ')}  serving  breakers`,
    ),
  );
}

const ms = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(1));

function breakers(health: StoreHealth): string {
  return health.backends.map((b) => `${b.name}=${b.state}`).join(' ');
}

function row(stats: SecondStats, health: StoreHealth): string {
  const cells = [
    String(stats.calls),
    ms(stats.p99Ms),
    ms(stats.maxMs),
    String(stats.errors),
    String(stats.loads),
    String(stats.lost),
    String(stats.stale),
  ];
  const numbers = cells.map((cell, i) => cell.padStart(COLUMNS[i]![1])).join(' ');
  return `${numbers}  ${(health.active ?? 'none').padEnd(7)}  ${breakers(health)}`;
}

export class Timeline {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ResilientStore,
    private readonly meter: Meter,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.line(), 1000);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private line(): void {
    const health = this.store.health();
    const tint =
      health.status === 'ok'
        ? colour.dim
        : health.status === 'degraded'
          ? colour.yellow
          : colour.red;
    say('', row(this.meter.take(), health), tint);
  }
}
