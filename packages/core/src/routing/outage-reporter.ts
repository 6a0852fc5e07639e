import { toError } from '../errors.js';
import type { StoreEmitter } from '../events.js';
import type { Logger } from '../logger.js';
import type { Member, MemberChange } from './member.js';

/**
 * The story of a store's outages, told once per transition.
 *
 * It turns member changes (breaker transitions, lost and regained connections)
 * into the store's events and log lines — exactly one of each per transition:
 * `failover` when the backend that was serving stops, `recovered` when a backend
 * whose outage began serves again, `breaker` for every breaker transition.
 *
 * A lost connection opens the member's breaker, so a backend that flaps comes
 * back only through opossum's reset timeout and a successful half-open probe:
 * a connection flapping every few hundred ms cannot flap the store with it.
 */
export class OutageReporter {
  private closed = false;
  private startupTimer: NodeJS.Timeout | undefined;
  /** Callers of `waitForConnections` still waiting; each is called once. */
  private readonly connectionWaiters = new Set<() => void>();

  constructor(
    readonly members: readonly Member[],
    private readonly events: StoreEmitter,
    private readonly logger: Logger,
    startupGraceMs: number,
  ) {
    // A backend still connecting at construction is not an outage yet; if it is
    // still unreachable after the grace period, report it once as a failover.
    if (members.some((m) => !m.everAvailable)) {
      this.startupTimer = setTimeout(() => this.reportStartupOutages(), startupGraceMs);
      this.startupTimer.unref();
    }
  }

  /** The first usable member: the one serving right now. */
  get active(): Member | undefined {
    for (const member of this.members) if (member.usable) return member;
    return undefined;
  }

  /**
   * Resolves once every backend has connected, or after `timeoutMs`. Woken by the
   * members' availability signals, not by polling.
   */
  waitForConnections(timeoutMs: number): Promise<void> {
    if (this.closed || this.allConnectedOnce()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.connectionWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.connectionWaiters.add(done);
    });
  }

  /** Called by members (wired in the store) whenever their state may have changed. */
  readonly onMemberChange = (member: Member, change: MemberChange): void => {
    if (this.closed) return;
    if (change.kind === 'breaker') {
      this.events.emit('breaker', { backend: member.name, state: change.state });
      if (change.state === 'halfOpen') {
        if (member.connected) this.probe(member);
      } else if (change.state === 'closed') {
        this.markUp(member);
      } else {
        this.markDown(member, this.reason(member));
      }
      return;
    }
    if (change.available && this.connectionWaiters.size > 0 && this.allConnectedOnce()) {
      this.wakeConnectionWaiters();
    }
    if (!change.available) {
      // A connection still being opened at startup is not an outage (see the constructor).
      if (!member.everAvailable) return;
      this.markDown(member, `connection lost: ${describe(change.cause)}`);
      // Recovery then goes through opossum's reset timeout and a half-open probe.
      member.breaker.open();
      return;
    }
    if (member.breaker.state === 'halfOpen') this.probe(member);
    else this.markUp(member);
  };

  close(): void {
    this.closed = true;
    if (this.startupTimer) clearTimeout(this.startupTimer);
    this.wakeConnectionWaiters();
  }

  private allConnectedOnce(): boolean {
    return this.members.every((m) => m.everAvailable);
  }

  private wakeConnectionWaiters(): void {
    for (const wake of [...this.connectionWaiters]) wake();
  }

  private markDown(member: Member, why: string): void {
    if (member.downSince !== undefined) return;
    // The member served until now; it was the active one if nothing before it is usable.
    const wasActive = this.activeAssuming(member, true) === member;
    member.downSince = Date.now();
    if (wasActive) this.announceFailover(member, why, `failed (${why})`);
  }

  /** The one event and the one log line of a failover; `what` says what happened to `member`. */
  private announceFailover(member: Member, reason: string, what: string): void {
    const to = this.active;
    this.events.emit('failover', { from: member.name, to: to?.name ?? null, reason });
    this.logger.warn(
      { event: 'failover', from: member.name, to: to?.name ?? null, reason },
      to
        ? `backend "${member.name}" ${what}; serving from "${to.name}"`
        : `backend "${member.name}" ${what}; no backend left to serve`,
    );
  }

  private markUp(member: Member): void {
    if (!member.usable || member.downSince === undefined) return;
    const outageMs = Date.now() - member.downSince;
    member.downSince = undefined;
    this.events.emit('recovered', { backend: member.name, outageMs });
    const serving = this.active === member;
    this.logger.info(
      { event: 'recovered', backend: member.name, outageMs },
      serving
        ? `backend "${member.name}" recovered after ${outageMs} ms and serves again`
        : `backend "${member.name}" recovered after ${outageMs} ms`,
    );
  }

  private probe(member: Member): void {
    // The outcome arrives as a breaker transition (closed or open again).
    member.probe().catch(() => {});
  }

  private reportStartupOutages(): void {
    this.startupTimer = undefined;
    if (this.closed) return;
    for (const member of this.members) {
      if (member.everAvailable || member.downSince !== undefined) continue;
      member.downSince = Date.now();
      const active = this.active;
      // Only backends ahead of the serving one matter to the caller.
      if (active && this.members.indexOf(active) < this.members.indexOf(member)) continue;
      // A backend that never connected has reported no transition, so ask it
      // why (a bounded ping) to give the one log line a real cause.
      // The ping does not count on the breaker: the backend is not in service yet.
      member.ping().then(
        () => this.announceStartupOutage(member, undefined),
        (error: unknown) => this.announceStartupOutage(member, toError(error)),
      );
    }
  }

  private announceStartupOutage(member: Member, cause: Error | undefined): void {
    if (this.closed || member.everAvailable) return;
    const reason = `unreachable at startup: ${describe(cause ?? member.lastError)}`;
    this.announceFailover(member, reason, `is ${reason}`);
  }

  private activeAssuming(changed: Member, changedUsable: boolean): Member | undefined {
    for (const member of this.members) {
      if (member === changed ? changedUsable : member.usable) return member;
    }
    return undefined;
  }

  private reason(member: Member): string {
    return `breaker open: ${describe(member.lastError)}`;
  }
}

function describe(error: Error | undefined): string {
  if (!error) return 'no answer';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code)
    ? `${code} ${error.message}`
    : error.message;
}
