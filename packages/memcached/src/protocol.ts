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
  readonly header: { readonly status: number; readonly opcode: number; readonly opaque: number };
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

/** An answer that is neither success nor an expected miss, as an Error naming the server's status. */
export function statusError(operation: string, reply: Reply): Error {
  const message =
    STATUS_TEXT[reply.header.status] ?? `status 0x${reply.header.status.toString(16)}`;
  return new Error(`memcached ${operation}: ${message}`);
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  1: 'key not found',
  2: 'key exists',
  3: 'value too large',
  4: 'invalid arguments',
  5: 'item not stored',
  6: 'incr/decr on a non-numeric value',
  8: 'authentication error',
  129: 'unknown command',
  130: 'out of memory',
  131: 'not supported',
  132: 'internal error',
  133: 'busy',
  134: 'temporary failure',
};
