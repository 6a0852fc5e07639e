import {
  type ConditionalEntry,
  type ConditionalWrites,
  checkConditionalEntry,
  stampOf,
  storedBytes,
} from '@resilient-store/core/backend';
import type { GenerationState } from './generations.js';
import { MEMCACHED_MAX_KEY_BYTES } from './options.js';
import {
  checkStored,
  Opcode,
  type Reply,
  request,
  Status,
  statusError,
  storeExtras,
  withCas,
} from './protocol.js';
import { expiration } from './ttl.js';

/**
 * `setIfOlder` for memcached, with `gets`/`cas` (binary GET answers the item's CAS
 * token; a SET carrying it stores only while the item is unchanged):
 *
 * 1. one pipelined GET per server of every distinct key of the batch;
 * 2. per key, the batch's entries in order against the held stamp (`stampOf`; absent,
 *    or bytes the store did not write, count as older): each entry is written when its
 *    stamp is above the held one and then becomes the held one, so a repeated key sees
 *    the earlier entry; only the last written entry goes to the server, since the ones
 *    before it would be replaced in the same step;
 * 3. one pipelined write per server: SET with the CAS token over a held item, ADD over
 *    an absent one (ADD fails if another process added it in between);
 * 4. a key whose write lost a race (CAS mismatch, item gone, ADD refused) starts again
 *    from 1, its answers decided anew. Every lost race means another write to that key
 *    succeeded, so progress is certain; the bound only caps the round trips one call
 *    spends on a key written without pause, and past it the call rejects (safe to
 *    repeat: it is idempotent).
 *
 * Tombstones are ordinary values here: stored, compared and expired like any other.
 */
export const MAX_CAS_ROUNDS = 32;

export interface ConditionalTransport {
  readonly name: string;
  readonly maxValueBytes: number;
  /** Runs `work` once per server holding some of `keys`, with its positions in `keys` and generations. */
  perServer(
    keys: readonly string[],
    work: (index: number, positions: readonly number[], state: GenerationState) => Promise<void>,
  ): Promise<void>;
  /** The memcached key of `key` under `state`'s generations. */
  stored(state: GenerationState, key: string): string;
  /** Requests to one server in one write; replies in order. */
  pipeline(index: number, build: (nextOpaque: () => number) => Buffer[]): Promise<Reply[]>;
}

/** A key of the batch: where its entries are, in order, and how they go out. */
interface KeyPlan {
  readonly stored: string;
  readonly positions: readonly number[];
}

interface Prepared {
  readonly stamp: number;
  readonly expires: number;
  readonly bytes: Buffer | string;
}

export function memcachedConditionalWrites(transport: ConditionalTransport): ConditionalWrites {
  const limits = { maxKeyBytes: MEMCACHED_MAX_KEY_BYTES, maxValueBytes: transport.maxValueBytes };
  return {
    async setIfOlder(entries: readonly ConditionalEntry[]): Promise<boolean[]> {
      // Every entry is checked before any is sent: bad input writes nothing.
      for (const entry of entries) checkConditionalEntry(entry, transport.name, limits);
      const prepared = entries.map(
        (entry): Prepared => ({
          stamp: entry.stamp,
          expires: expiration(entry.ttlMs),
          bytes: typeof entry.value === 'string' ? entry.value : storedBytes(entry.value),
        }),
      );
      const answers = new Array<boolean>(entries.length).fill(false);
      const distinct = new Map<string, number[]>();
      entries.forEach(({ key }, position) => {
        const positions = distinct.get(key);
        if (positions) positions.push(position);
        else distinct.set(key, [position]);
      });
      const keys = [...distinct.keys()];
      await transport.perServer(keys, async (index, at, state) => {
        const plans = at.map((i): KeyPlan => {
          const key = keys[i] as string;
          return { stored: transport.stored(state, key), positions: distinct.get(key) as number[] };
        });
        await writeServer(transport, index, plans, prepared, answers);
      });
      return answers;
    },
  };
}

/** Steps 1-4 above for the keys of one server. */
async function writeServer(
  transport: ConditionalTransport,
  index: number,
  plans: readonly KeyPlan[],
  prepared: readonly Prepared[],
  answers: boolean[],
): Promise<void> {
  let pending = plans;
  // What each key's last write sent: a write whose reply was lost (the connection dropped
  // and the pipeline was sent again) may have been applied, and then reads back as ours.
  const attempted = new Map<KeyPlan, Buffer | string>();
  for (let round = 0; pending.length > 0; round++) {
    if (round === MAX_CAS_ROUNDS) {
      throw new Error(
        `memcached setIfOlder: ${pending.length} key(s) still changed by other writers after ${MAX_CAS_ROUNDS} compare-and-swap rounds; the call can be repeated`,
      );
    }
    const held = await transport.pipeline(index, (next) =>
      pending.map((plan) => request(Opcode.get, plan.stored, next())),
    );
    const writes: Array<{ readonly plan: KeyPlan; readonly frame: (opaque: number) => Buffer }> =
      [];
    pending.forEach((plan, i) => {
      const reply = held[i] as Reply;
      const present = reply.header.status === Status.ok;
      if (!present && reply.header.status !== Status.notFound) throw statusError('get', reply);
      const sent = attempted.get(plan);
      // Ours after all: the answers decided when it was sent stand.
      if (present && sent !== undefined && reply.val.equals(Buffer.from(sent))) return;
      let current = present ? (stampOf(reply.val) ?? -1) : -1;
      let winner: Prepared | undefined;
      for (const position of plan.positions) {
        const entry = prepared[position] as Prepared;
        const written = entry.stamp > current;
        answers[position] = written;
        if (written) {
          current = entry.stamp;
          winner = entry;
        }
      }
      if (winner === undefined) return;
      const { expires, bytes } = winner;
      // Copied: the token is a view of the reply's buffer.
      const cas = present ? Buffer.from(reply.header.cas) : undefined;
      attempted.set(plan, bytes);
      writes.push({
        plan,
        frame: (opaque) =>
          cas
            ? withCas(request(Opcode.set, plan.stored, opaque, storeExtras(expires), bytes), cas)
            : request(Opcode.add, plan.stored, opaque, storeExtras(expires), bytes),
      });
    });
    if (writes.length === 0) return;
    const replies = await transport.pipeline(index, (next) =>
      writes.map((write) => write.frame(next())),
    );
    const lost: KeyPlan[] = [];
    writes.forEach((write, i) => {
      const status = (replies[i] as Reply).header.status;
      if (status === Status.ok) return;
      if (status === Status.exists || status === Status.notFound || status === Status.notStored) {
        lost.push(write.plan);
        return;
      }
      checkStored(replies[i] as Reply, 'setIfOlder');
    });
    pending = lost;
  }
}
