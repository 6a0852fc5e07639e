/**
 * One line per second: what the HTTP load saw in that second and what the store says
 * about itself (`health()`): which backend serves and the state of each breaker.
 */
import type { ResilientStore, StoreHealth } from '@resilient-store/core';
import type { Meter, SecondStats } from './meter.js';
import { colour, print, say } from './output.js';

const COLUMNS = [
  ['req/s', 6],
  ['p99 ms', 7],
  ['max ms', 7],
  ['non2xx', 6],
  ['primary', 7],
  ['fallbk', 6],
  ['lost', 5],
  ['stale', 5],
] as const;

export function printTimelineHeader(): void {
  print(
    colour.dim(
      'Each second: HTTP requests answered; p99 and max latency as the client saw it; answers\n' +
        'that were not 2xx (or never came); cache_status of the answers (primary / fallback);\n' +
        'turns whose conversation state was not found (lost) or older than saved (stale); the\n' +
        'backend serving; each breaker. Store events and log lines appear as they happen.\n',
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
    String(stats.requests),
    ms(stats.p99Ms),
    ms(stats.maxMs),
    String(stats.non2xx),
    String(stats.primary),
    String(stats.fallback),
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
