import { toError } from '../errors.js';
import type { StoreEmitter } from '../events.js';
import type { Member } from './member.js';

/**
 * What the store knows about writes made while a backend was passed over —
 * the seam the recovery journal builds on.
 *
 * Today it keeps one fact per fallback: it served writes while a backend
 * before it was down. When that backend recovers, those fallback entries are
 * shadowed; were it to fail again they would answer with values older than
 * the ones it served in between. A private (in-process) fallback is therefore
 * emptied of the store's keys on recovery.
 */
export class OutageWrites {
  constructor(
    private readonly members: readonly Member[],
    private readonly prefix: string,
    private readonly events: StoreEmitter,
  ) {}

  /** `member` served a write of `keys` while a backend before it was skipped. */
  noteSkippedWrite(member: Member, _keys: readonly string[]): void {
    member.holdsOutageWrites = true;
  }

  /** The backend named `recovered` serves again. */
  onRecovered(recovered: string): void {
    const index = this.members.findIndex((m) => m.name === recovered);
    for (const member of this.members.slice(index + 1)) {
      if (!member.holdsOutageWrites || member.backend.capabilities.shared) continue;
      member.holdsOutageWrites = false;
      member.backend.clear(this.prefix).catch((error: unknown) => {
        this.events.emit('error', {
          backend: member.name,
          operation: 'clear',
          error: toError(error),
        });
      });
    }
  }
}
