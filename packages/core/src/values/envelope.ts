import type { StoredValue } from '../backend.js';
import { jsonSerializer, type Serializer, toJsonText } from './serializer.js';
import {
  decodeTextEnvelope,
  encodeTextEnvelope,
  isTextEnvelope,
  looksLikeHeader,
  textEnvelopeValue,
} from './text-envelope.js';

/**
 * The binary envelope around stored values that are bytes: Buffer/Uint8Array
 * values and the output of a custom serializer. (JSON values use the text
 * envelope, text-envelope.ts.) It records when the value was written, so
 * recovery after an outage can tell which of two copies is newer, and whether
 * the payload went through the serializer or is raw bytes.
 *
 * Layout (10-byte header, then the payload):
 *   byte 0      magic and format version (0xa1: version 1)
 *   byte 1      kind: 0 = serialized value, 1 = raw bytes
 *   bytes 2-9   write time, ms since the epoch, unsigned 64-bit big-endian
 *   bytes 10-   payload
 */

/** `serialized`: the serializer's output. `bytes`: a Buffer/Uint8Array value stored as is. */
export type ValueKind = 'serialized' | 'bytes';

export interface DecodedEnvelope {
  readonly writtenAt: number;
  readonly kind: ValueKind;
  /** A view into the decoded bytes, not a copy. */
  readonly payload: Uint8Array;
}

const MAGIC_V1 = 0xa1;
const KIND_SERIALIZED = 0;
const KIND_BYTES = 1;
const HEADER_BYTES = 10;
const TWO_TO_32 = 0x1_0000_0000;

function assertWrittenAt(writtenAt: number): void {
  if (!Number.isSafeInteger(writtenAt) || writtenAt < 0) {
    throw new RangeError(`writtenAt must be a non-negative integer of ms, got ${writtenAt}`);
  }
}

/** Allocates an envelope for `payloadBytes` and fills in its header. */
function allocateEnvelope(payloadBytes: number, writtenAt: number, kind: ValueKind): Buffer {
  assertWrittenAt(writtenAt);
  const out = Buffer.allocUnsafe(HEADER_BYTES + payloadBytes);
  out[0] = MAGIC_V1;
  out[1] = kind === 'bytes' ? KIND_BYTES : KIND_SERIALIZED;
  // Two 32-bit halves instead of a BigInt write: cheaper, and exact below 2^53.
  out.writeUInt32BE(Math.floor(writtenAt / TWO_TO_32), 2);
  out.writeUInt32BE(writtenAt % TWO_TO_32, 6);
  return out;
}

/** Wraps `payload`; the result is one fresh allocation holding the header and a copy of it. */
export function encodeEnvelope(
  payload: Uint8Array,
  writtenAt: number,
  kind: ValueKind,
): Uint8Array {
  const out = allocateEnvelope(payload.byteLength, writtenAt, kind);
  out.set(payload, HEADER_BYTES);
  return out;
}

/** Unwraps an envelope; `undefined` when the bytes are not one (the store reads that as a miss). */
export function decodeEnvelope(bytes: Uint8Array): DecodedEnvelope | undefined {
  const writtenAt = readHeader(bytes);
  if (writtenAt === undefined) return undefined;
  return {
    writtenAt,
    kind: bytes[1] === KIND_BYTES ? 'bytes' : 'serialized',
    payload: bytes.subarray(HEADER_BYTES),
  };
}

/** The write time of a valid envelope, or `undefined` when `bytes` is not one. */
function readHeader(bytes: Uint8Array): number | undefined {
  if (bytes.byteLength < HEADER_BYTES || bytes[0] !== MAGIC_V1) return undefined;
  const kindByte = bytes[1];
  if (kindByte !== KIND_SERIALIZED && kindByte !== KIND_BYTES) return undefined;
  // Plain byte arithmetic: no DataView to allocate on every read.
  const high = ((bytes[2]! << 24) >>> 0) + (bytes[3]! << 16) + (bytes[4]! << 8) + bytes[5]!;
  // Above 2^53 ms the time is not exact in a number; no valid writer produces it.
  if (high >= 0x20_0000) return undefined;
  const low = ((bytes[6]! << 24) >>> 0) + (bytes[7]! << 16) + (bytes[8]! << 8) + bytes[9]!;
  return high * TWO_TO_32 + low;
}

/**
 * Encodes a caller's value: a Buffer or Uint8Array is stored raw in a binary
 * envelope; with the default JSON serializer anything else becomes a text
 * envelope (a string); a custom serializer's bytes go in a binary envelope.
 * Throws `SerializationError` for what cannot be encoded.
 */
export function encodeValue(
  value: unknown,
  serializer: Serializer,
  writtenAt: number,
): StoredValue {
  if (value instanceof Uint8Array) return encodeEnvelope(value, writtenAt, 'bytes');
  if (serializer === jsonSerializer) return encodeTextEnvelope(toJsonText(value), writtenAt);
  return encodeEnvelope(serializer.serialize(value), writtenAt, 'serialized');
}

/**
 * Decodes what `encodeValue` produced, given back as bytes or as a string. Raw
 * bytes come back as a Buffer that is a view into `stored`, so pass bytes the
 * caller may own (backends hand out fresh copies). `undefined` when `stored` is
 * not an envelope or its payload cannot be deserialized, e.g. an entry written
 * with another serializer: the store treats both as a miss rather than failing
 * the read.
 */
export function decodeValue(
  stored: StoredValue,
  serializer: Serializer,
): { value: unknown; writtenAt: number } | undefined {
  const first = typeof stored === 'string' ? stored.charCodeAt(0) : stored[0];
  if (isTextEnvelope(first)) {
    try {
      return decodeTextEnvelope(stored);
    } catch {
      return undefined;
    }
  }
  if (typeof stored === 'string') return undefined;
  const writtenAt = readHeader(stored);
  if (writtenAt === undefined) return undefined;
  const value = readValue(stored, serializer);
  return value === UNREADABLE ? undefined : { value, writtenAt };
}

/**
 * True when `stored` carries an envelope header, checked without reading the
 * payload: what `has()` needs to know (a payload that then fails to parse still
 * counts, as an entry is there).
 */
export function isEnvelope(stored: StoredValue): boolean {
  const first = typeof stored === 'string' ? stored.charCodeAt(0) : stored[0];
  if (isTextEnvelope(first)) return looksLikeHeader(stored);
  return typeof stored !== 'string' && readHeader(stored) !== undefined;
}

/** What `readValue` answers for bytes that are not a readable envelope. */
export const UNREADABLE: unique symbol = Symbol('unreadable');

/**
 * Just the value of a stored envelope (no write time): the read path of every
 * `get`, so it allocates nothing beyond the value itself.
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
  if (stored[1] === KIND_BYTES) {
    return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  }
  try {
    return serializer.deserialize(payload);
  } catch {
    return UNREADABLE;
  }
}
