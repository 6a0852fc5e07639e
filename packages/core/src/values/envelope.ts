import type { StoredValue } from '../backend.js';
import { isStamp, MAX_STAMP, stampAtWall, wallOfStamp } from '../recovery/hlc.js';
import { jsonSerializer, type Serializer, toJsonText } from './serializer.js';
import {
  decodeTextEnvelope,
  encodeTextEnvelope,
  isTextEnvelope,
  looksLikeHeader,
  textEnvelopeStamp,
  textEnvelopeValue,
} from './text-envelope.js';

/**
 * The binary envelope around stored values that are bytes: Buffer/Uint8Array
 * values and the output of a custom serializer. (JSON values use the text
 * envelope, text-envelope.ts.) It records the write's stamp (a hybrid logical
 * clock, recovery/hlc.ts), so recovery after an outage can tell which of two
 * copies is newer, and whether the payload went through the serializer, is raw
 * bytes, or is a tombstone (a replayed delete; read as a miss).
 *
 * Layout (10-byte header, then the payload):
 *   byte 0      magic and format version: 0xa2 (version 2); 0xa1 (version 1) is still read
 *   byte 1      kind: 0 = serialized value, 1 = raw bytes, 2 = tombstone (no payload)
 *   bytes 2-9   unsigned 64-bit big-endian: version 2, the stamp (wall ms × 1000 +
 *               counter); version 1, the write time in ms (read as the stamp ms × 1000)
 *   bytes 10-   payload
 */

/** `serialized`: the serializer's output. `bytes`: a Buffer/Uint8Array value stored as is. */
export type ValueKind = 'serialized' | 'bytes';

export interface DecodedEnvelope {
  /** The write's stamp (see recovery/hlc.ts). */
  readonly stamp: number;
  readonly kind: ValueKind | 'tombstone';
  /** A view into the decoded bytes, not a copy. */
  readonly payload: Uint8Array;
}

const MAGIC_V1 = 0xa1;
const MAGIC_V2 = 0xa2;
const KIND_SERIALIZED = 0;
const KIND_BYTES = 1;
const KIND_TOMBSTONE = 2;
const HEADER_BYTES = 10;
const TWO_TO_32 = 0x1_0000_0000;

function assertStamp(stamp: number): void {
  if (!isStamp(stamp)) {
    throw new RangeError(`a stamp must be a non-negative safe integer, got ${stamp}`);
  }
}

/** Allocates an envelope for `payloadBytes` and fills in its header. */
function allocateEnvelope(payloadBytes: number, stamp: number, kind: number): Buffer {
  assertStamp(stamp);
  const out = Buffer.allocUnsafe(HEADER_BYTES + payloadBytes);
  out[0] = MAGIC_V2;
  out[1] = kind;
  // Two 32-bit halves instead of a BigInt write: cheaper, and exact below 2^53.
  out.writeUInt32BE(Math.floor(stamp / TWO_TO_32), 2);
  out.writeUInt32BE(stamp % TWO_TO_32, 6);
  return out;
}

/** Wraps `payload`; the result is one fresh allocation holding the header and a copy of it. */
export function encodeEnvelope(payload: Uint8Array, stamp: number, kind: ValueKind): Uint8Array {
  const out = allocateEnvelope(
    payload.byteLength,
    stamp,
    kind === 'bytes' ? KIND_BYTES : KIND_SERIALIZED,
  );
  out.set(payload, HEADER_BYTES);
  return out;
}

/**
 * A tombstone: what a replayed delete leaves behind for a short while, so that an
 * older write replayed later (by another process) cannot bring the key back. The
 * store reads it as a miss.
 */
export function encodeTombstone(stamp: number): Uint8Array {
  return allocateEnvelope(0, stamp, KIND_TOMBSTONE);
}

/** True when `stored` is a tombstone. */
export function isTombstone(stored: StoredValue): boolean {
  return (
    typeof stored !== 'string' && stored[1] === KIND_TOMBSTONE && readHeader(stored) !== undefined
  );
}

/** Unwraps an envelope; `undefined` when the bytes are not one (the store reads that as a miss). */
export function decodeEnvelope(bytes: Uint8Array): DecodedEnvelope | undefined {
  const stamp = readHeader(bytes);
  if (stamp === undefined) return undefined;
  const kindByte = bytes[1];
  return {
    stamp,
    kind:
      kindByte === KIND_BYTES ? 'bytes' : kindByte === KIND_TOMBSTONE ? 'tombstone' : 'serialized',
    payload: bytes.subarray(HEADER_BYTES),
  };
}

/** The stamp of a valid binary envelope, or `undefined` when `bytes` is not one. */
function readHeader(bytes: Uint8Array): number | undefined {
  if (bytes.byteLength < HEADER_BYTES) return undefined;
  const magic = bytes[0];
  if (magic !== MAGIC_V2 && magic !== MAGIC_V1) return undefined;
  const kindByte = bytes[1];
  if (kindByte !== KIND_SERIALIZED && kindByte !== KIND_BYTES) {
    if (kindByte !== KIND_TOMBSTONE || magic !== MAGIC_V2) return undefined;
  }
  // Plain byte arithmetic: no DataView to allocate on every read.
  const high = ((bytes[2]! << 24) >>> 0) + (bytes[3]! << 16) + (bytes[4]! << 8) + bytes[5]!;
  // At or above 2^53 the number is not exact; no valid writer produces it.
  if (high >= 0x20_0000) return undefined;
  const low = ((bytes[6]! << 24) >>> 0) + (bytes[7]! << 16) + (bytes[8]! << 8) + bytes[9]!;
  const field = high * TWO_TO_32 + low;
  if (magic === MAGIC_V2) return field;
  const stamp = stampAtWall(field);
  return stamp <= MAX_STAMP ? stamp : undefined;
}

/**
 * The stamp of any stored value the store wrote (either envelope, either
 * version; a tombstone's too), or `undefined` for bytes that are none of them.
 * Recovery reads it to order copies; the read path does not.
 */
export function stampOf(stored: StoredValue): number | undefined {
  const first = typeof stored === 'string' ? stored.charCodeAt(0) : stored[0];
  if (isTextEnvelope(first)) return textEnvelopeStamp(stored);
  return typeof stored === 'string' ? undefined : readHeader(stored);
}

/**
 * Encodes a caller's value: a Buffer or Uint8Array is stored raw in a binary
 * envelope; with the default JSON serializer anything else becomes a text
 * envelope (a string); a custom serializer's bytes go in a binary envelope.
 * Throws `SerializationError` for what cannot be encoded.
 */
export function encodeValue(value: unknown, serializer: Serializer, stamp: number): StoredValue {
  if (value instanceof Uint8Array) return encodeEnvelope(value, stamp, 'bytes');
  if (serializer === jsonSerializer) return encodeTextEnvelope(toJsonText(value), stamp);
  return encodeEnvelope(serializer.serialize(value), stamp, 'serialized');
}

/**
 * Decodes what `encodeValue` produced, given back as bytes or as a string. Raw
 * bytes come back as a Buffer that is a view into `stored`, so pass bytes the
 * caller may own (backends hand out fresh copies). `undefined` when `stored` is
 * not an envelope or its payload cannot be deserialized, e.g. an entry written
 * with another serializer: the store treats both as a miss rather than failing
 * the read. A tombstone decodes with the value `undefined`.
 */
export function decodeValue(
  stored: StoredValue,
  serializer: Serializer,
): { value: unknown; stamp: number; writtenAt: number } | undefined {
  const first = typeof stored === 'string' ? stored.charCodeAt(0) : stored[0];
  if (isTextEnvelope(first)) {
    try {
      const decoded = decodeTextEnvelope(stored);
      return decoded && { ...decoded, writtenAt: wallOfStamp(decoded.stamp) };
    } catch {
      return undefined;
    }
  }
  if (typeof stored === 'string') return undefined;
  const stamp = readHeader(stored);
  if (stamp === undefined) return undefined;
  const value = readValue(stored, serializer);
  return value === UNREADABLE ? undefined : { value, stamp, writtenAt: wallOfStamp(stamp) };
}

/**
 * True when `stored` carries an envelope header, checked without reading the
 * payload: what `has()` needs to know (a payload that then fails to parse still
 * counts, as an entry is there). A tombstone is no entry.
 */
export function isEnvelope(stored: StoredValue): boolean {
  const first = typeof stored === 'string' ? stored.charCodeAt(0) : stored[0];
  if (isTextEnvelope(first)) return looksLikeHeader(stored);
  return (
    typeof stored !== 'string' && stored[1] !== KIND_TOMBSTONE && readHeader(stored) !== undefined
  );
}

/** What `readValue` answers for bytes that are not a readable envelope. */
export const UNREADABLE: unique symbol = Symbol('unreadable');

/**
 * Just the value of a stored envelope (no stamp): the read path of every `get`,
 * so it allocates nothing beyond the value itself. A tombstone answers
 * `undefined`, a miss.
 */
export function readValue(stored: StoredValue, serializer: Serializer): unknown {
  const first = typeof stored === 'string' ? stored.charCodeAt(0) : stored[0];
  if (isTextEnvelope(first)) {
    try {
      const value = textEnvelopeValue(stored);
      return value === undefined ? UNREADABLE : value;
    } catch {
      return UNREADABLE;
    }
  }
  if (typeof stored === 'string' || readHeader(stored) === undefined) return UNREADABLE;
  const payload = stored.subarray(HEADER_BYTES);
  const kind = stored[1];
  if (kind === KIND_TOMBSTONE) return undefined;
  if (kind === KIND_BYTES) {
    return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  }
  try {
    return serializer.deserialize(payload);
  } catch {
    return UNREADABLE;
  }
}
