import { ValueTooLargeError } from '@resilient-store/core/backend';
import memjs from 'memjs';

/**
 * Requests of memcached's binary protocol, framed by memjs (`Utils.makeRequestBuffer`),
 * and what their answers mean.
 */

export const Opcode = {
  get: 0x00,
  set: 0x01,
  add: 0x02,
  delete: 0x04,
  increment: 0x05,
  noop: 0x0a,
  getk: 0x0c,
  append: 0x0e,
  saslAuth: 0x21,
} as const;

export const Status = {
  ok: 0x00,
  notFound: 0x01,
  exists: 0x02,
  tooLarge: 0x03,
  notStored: 0x05,
} as const;

/** What a connection hands back for one request: memjs's parsed response. */
export interface Reply {
  readonly header: {
    readonly status: number;
    readonly opcode: number;
    readonly opaque: number;
    /** The item's CAS token (8 bytes) in a GET or store reply. */
    readonly cas: Buffer;
  };
  readonly key: Buffer;
  readonly extras: Buffer;
  readonly val: Buffer;
}

const NO_EXTRAS = Buffer.alloc(0);

export function request(
  opcode: number,
  key: string,
  opaque: number,
  extras: Buffer = NO_EXTRAS,
  value: Buffer | string = NO_EXTRAS,
): Buffer {
  return memjs.Utils.makeRequestBuffer(opcode, key, extras, value, opaque);
}

/**
 * `frame` made conditional on the item's CAS token (from a GET reply): memcached stores
 * it only while the item is unchanged since that GET, and answers "key exists" (or "key
 * not found" when it is gone) otherwise.
 */
export function withCas(frame: Buffer, cas: Buffer): Buffer {
  cas.copy(frame, 16, 0, 8);
  return frame;
}

/** Flags (always 0: the store keeps its own envelope) and expiration, as SET and ADD take them. */
export function storeExtras(expiration: number): Buffer {
  const extras = Buffer.alloc(8);
  extras.writeUInt32BE(expiration, 4);
  return extras;
}

/**
 * INCREMENT's extras with 64-bit amounts (memjs's own helper writes 32 bits). `initial`
 * is stored when the counter is absent; expiration 0 keeps it until evicted.
 */
export function incrementExtras(amount: bigint, initial: bigint): Buffer {
  const extras = Buffer.alloc(20);
  extras.writeBigUInt64BE(amount, 0);
  extras.writeBigUInt64BE(initial, 8);
  extras.writeUInt32BE(0, 16);
  return extras;
}

/** The counter value INCREMENT answers, as a decimal string. */
export function counterValue(reply: Reply): string {
  return reply.val.readBigUInt64BE(0).toString();
}

/**
 * Whose problem an error reply is. memcached's binary statuses, classified:
 *
 * | status | text                      | fault  | why                                              |
 * |--------|---------------------------|--------|--------------------------------------------------|
 * | 0x01   | key not found             | entry  | this key's state (a miss, a lost CAS race)       |
 * | 0x02   | key exists                | entry  | this key's state (a lost CAS or ADD race)        |
 * | 0x03   | value too large           | entry  | this value is over the server's -I; others fit   |
 * | 0x04   | invalid arguments         | entry  | this request's key/extras/value were refused     |
 * | 0x05   | item not stored           | entry  | this key's state (ADD/APPEND on it refused)      |
 * | 0x06   | incr/decr on non-numeric  | entry  | the item under this key is not a counter         |
 * | 0x07   | vbucket on another server | server | the topology moved; no key is served here        |
 * | 0x08   | authentication error      | server | credentials or SASL setup; every request fails   |
 * | 0x81   | unknown command           | server | the server lacks the opcode                      |
 * | 0x82   | out of memory             | server | the server cannot store anything right now       |
 * | 0x83   | not supported             | server | the server lacks the feature                     |
 * | 0x84   | internal error            | server | the server's own failure                         |
 * | 0x85   | busy                      | server | the server is overloaded                         |
 * | 0x86   | temporary failure         | server | the server refuses for now                       |
 * | other  |                           | server | unknown: assume the server, never the caller     |
 *
 * Misses and lost races (0x01, 0x02, 0x05) are answers the operations expect and
 * handle; they become errors only where they are not expected.
 *
 * An `entry` fault is this key's or value's problem: another key on the same server
 * would be served, so it says nothing of the server's health. A `server` fault is
 * the server's: every key would fail alike. Both are thrown as `MemcachedReplyError`
 * (a plain `Error` to the store, which counts it as this backend's failure, as before);
 * `fault` is there so a typed key-data error can take over the `entry` row.
 */
export type ReplyFault = 'entry' | 'server';

const STATUS_TEXT: Readonly<Record<number, { readonly text: string; readonly fault: ReplyFault }>> =
  {
    1: { text: 'key not found', fault: 'entry' },
    2: { text: 'key exists', fault: 'entry' },
    3: { text: 'value too large', fault: 'entry' },
    4: { text: 'invalid arguments', fault: 'entry' },
    5: { text: 'item not stored', fault: 'entry' },
    6: { text: 'incr/decr on a non-numeric value', fault: 'entry' },
    7: { text: 'vbucket belongs to another server', fault: 'server' },
    8: { text: 'authentication error', fault: 'server' },
    129: { text: 'unknown command', fault: 'server' },
    130: { text: 'out of memory', fault: 'server' },
    131: { text: 'not supported', fault: 'server' },
    132: { text: 'internal error', fault: 'server' },
    133: { text: 'busy', fault: 'server' },
    134: { text: 'temporary failure', fault: 'server' },
  };

/** Whose problem a reply's status is (see the table above); unknown statuses are the server's. */
export function replyFault(status: number): ReplyFault {
  return STATUS_TEXT[status]?.fault ?? 'server';
}

/** An error reply of memcached, with its status and whose problem it is. */
export class MemcachedReplyError extends Error {
  readonly status: number;
  readonly fault: ReplyFault;

  constructor(operation: string, status: number) {
    const text = STATUS_TEXT[status]?.text ?? `status 0x${status.toString(16)}`;
    super(`memcached ${operation}: ${text}`);
    this.name = 'MemcachedReplyError';
    this.status = status;
    this.fault = replyFault(status);
  }
}

/** An answer that is neither success nor an expected miss, as an Error naming the server's status. */
export function statusError(operation: string, reply: Reply): MemcachedReplyError {
  return new MemcachedReplyError(operation, reply.header.status);
}

/** A store reply (SET, ADD) that must be a success; the server's item limit refusal is `ValueTooLargeError`. */
export function checkStored(reply: Reply, operation = 'set'): void {
  if (reply.header.status === Status.ok) return;
  if (reply.header.status === Status.tooLarge) {
    // The server's item limit is below maxValueBytes: the option does not match its -I.
    throw new ValueTooLargeError(
      'memcached refused the value as larger than its item size limit (-I)',
    );
  }
  throw statusError(operation, reply);
}
