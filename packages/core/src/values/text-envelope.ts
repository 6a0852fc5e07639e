import { fromJsonText } from './serializer.js';

/**
 * The text envelope: how a JSON value is stored. Same information as the binary
 * envelope (envelope.ts) — a write time and a payload — but as a string:
 *
 *   char 0      \u0002 (a byte no JSON text and no binary envelope starts with)
 *   chars 1-13  write time, ms since the epoch, 13 decimal digits (until year 2286)
 *   chars 14-   the JSON text
 *
 * Why a string: drivers send a string argument as is, while a Buffer argument
 * switches them to a slower path (ioredis builds and concatenates a Buffer per
 * command). For the common case, a JSON value, that is most of a cache write's
 * cost beyond the round trip. Stored, it is the UTF-8 of that string, so a
 * backend may hand it back as bytes or as a string.
 */

const MARKER = 2;
const TIME_DIGITS = 13;
const HEADER_CHARS = 1 + TIME_DIGITS;
const MAX_TIME = 9_999_999_999_999;

/** `writtenAt` must be a safe integer in [0, MAX_TIME]. */
export function encodeTextEnvelope(json: string, writtenAt: number): string {
  return headerFor(writtenAt) + json;
}

// Writes within one millisecond share a header: under load that is most of them,
// and it spares each a number-to-string conversion.
let lastWrittenAt = -1;
let lastHeader = '';

function headerFor(writtenAt: number): string {
  if (writtenAt === lastWrittenAt) return lastHeader;
  if (!Number.isSafeInteger(writtenAt) || writtenAt < 0 || writtenAt > MAX_TIME) {
    throw new RangeError(`writtenAt must be a non-negative integer of ms, got ${writtenAt}`);
  }
  lastHeader = `\u0002${String(writtenAt).padStart(TIME_DIGITS, '0')}`;
  lastWrittenAt = writtenAt;
  return lastHeader;
}

/** True when `first` (a char code or byte) opens a text envelope. */
export function isTextEnvelope(first: number | undefined): boolean {
  return first === MARKER;
}

/** The write time of a text envelope, or `undefined` when the header is malformed. */
export function textEnvelopeTime(stored: string | Uint8Array): number | undefined {
  // Two loops rather than one with a type test per digit: this runs on every read.
  let writtenAt = 0;
  if (typeof stored === 'string') {
    if (stored.length <= HEADER_CHARS) return undefined;
    for (let i = 1; i < HEADER_CHARS; i++) {
      const digit = stored.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return undefined;
      writtenAt = writtenAt * 10 + digit;
    }
    return writtenAt;
  }
  if (stored.byteLength <= HEADER_CHARS) return undefined;
  for (let i = 1; i < HEADER_CHARS; i++) {
    const digit = stored[i]! - 48;
    if (digit < 0 || digit > 9) return undefined;
    writtenAt = writtenAt * 10 + digit;
  }
  return writtenAt;
}

/**
 * The value in a text envelope given as a string or as its UTF-8 bytes;
 * `undefined` for a malformed header. Throws `SerializationError` for a payload
 * that is not JSON.
 */
export function textEnvelopeValue(stored: string | Uint8Array): unknown {
  return looksLikeHeader(stored) ? payloadValue(stored) : undefined;
}

/**
 * The read path's header check: long enough, and the time's first and last
 * characters are digits. Every read runs it, so it does not parse the time
 * (recovery, which needs it, does); a value that merely starts with the
 * marker then fails as JSON and is still no answer.
 */
export function looksLikeHeader(stored: string | Uint8Array): boolean {
  if (typeof stored === 'string') {
    return (
      stored.length > HEADER_CHARS &&
      isDigit(stored.charCodeAt(1)) &&
      isDigit(stored.charCodeAt(TIME_DIGITS))
    );
  }
  return stored.byteLength > HEADER_CHARS && isDigit(stored[1]!) && isDigit(stored[TIME_DIGITS]!);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Both parts of a text envelope, reading its header once; `undefined` if malformed. */
export function decodeTextEnvelope(
  stored: string | Uint8Array,
): { value: unknown; writtenAt: number } | undefined {
  const writtenAt = textEnvelopeTime(stored);
  return writtenAt === undefined ? undefined : { value: payloadValue(stored), writtenAt };
}

/** The JSON after a header already checked. */
function payloadValue(stored: string | Uint8Array): unknown {
  const text =
    typeof stored === 'string'
      ? stored.slice(HEADER_CHARS)
      : Buffer.isBuffer(stored)
        ? stored.toString('utf8', HEADER_CHARS)
        : Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).toString(
            'utf8',
            HEADER_CHARS,
          );
  return fromJsonText(text);
}
